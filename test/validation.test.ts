import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  EtcdBackup, EtcdBackupProps, EtcdCompactionMode, EtcdDefragmentation, EtcdDefragmentationProps, EtcdMember, EtcdMemberProps, EtcdPlacement,
  EtcdTopology, HATopology, HATopologyProps, IssuerReference, KarmadaBootstrapJob, KarmadaBootstrapJobProps, KarmadaControlPlaneNode,
  KarmadaControlPlaneNodeProps, KarmadaNetworkPolicies, KarmadaNetworkPoliciesProps, KarmadaSchedulerEstimator, KarmadaSchedulerEstimatorProps,
  KarmadaWarnings, Pki, KarmadaAgent, KarmadaAgentProps, KarmadaPullMember, KarmadaPushMember, KarmadaPushMemberAccess, KarmadaPushMemberProps,
} from '../src';
import { synthTopology } from './util';
import { HOSTS_BY_ROLE } from '../examples/external/chart';
import { checkCidrHostBits, checkServiceClusterIpRange, isCidr } from '../src/private/validation';

const endpoints = (...urls: string[]) => EtcdTopology.externalEndpoints({ endpoints: urls, clientCertificateSecret: 'etcd-client' });
const THREE = ['https://e0.example:2379', 'https://e1.example:2379', 'https://e2.example:2379'];

/** Every rule, the input that breaks it, and the exact message it must give. */
const ERRORS: Array<[string, HATopologyProps, string]> = [
  ['fewer than 3 nodes', { controlPlaneNodes: 2 },
    'controlPlaneNodes must be at least 3 for high availability, got 2: set controlPlaneNodes to 3 or more'],
  ['a fractional node count', { controlPlaneNodes: 3.5 },
    'controlPlaneNodes must be a whole number, got 3.5: set controlPlaneNodes to 3 or more'],
  ['fewer than 3 external members', { etcd: EtcdTopology.external({ members: 1 }) },
    'etcd members must be at least 3 for high availability, got 1: set etcd members to 3 or more'],
  ['fewer than 3 node names', { controlPlaneNodeNames: ['a', 'b'] },
    'controlPlaneNodeNames (count) must be at least 3 for high availability, got 2: set controlPlaneNodeNames (count) to 3 or more'],
  ['a node name that is not a DNS-1123 label', { controlPlaneNodeNames: ['cp-0', 'CP_1', 'cp-2'] },
    'controlPlaneNodeNames[1] \'CP_1\' is not a DNS-1123 label that starts with a letter and has at most 40 characters: use lowercase letters, digits and \'-\', e.g. \'karmada-cp-1\''],
  ['a node name that is too long', { controlPlaneNodeNames: ['cp-0', 'c'.repeat(41), 'cp-2'] },
    `controlPlaneNodeNames[1] '${'c'.repeat(41)}' is not a DNS-1123 label that starts with a letter and has at most 40 characters: use lowercase letters, digits and '-', e.g. 'karmada-cp-1'`],
  ['a member name that starts with a digit', { etcd: EtcdTopology.external({ memberNames: ['0etcd', 'etcd-1', 'etcd-2'] }) },
    'etcd memberNames[0] \'0etcd\' is not a DNS-1123 label that starts with a letter and has at most 52 characters: use lowercase letters, digits and \'-\', e.g. \'karmada-etcd-0\''],
  ['an installation name with a dot', { name: 'karmada.prod' },
    'name \'karmada.prod\' is not a DNS-1123 label that starts with a letter and has at most 30 characters: use lowercase letters, digits and \'-\', e.g. \'karmada\''],
  ['duplicate node names', { controlPlaneNodeNames: ['cp-a', 'cp-b', 'cp-a'] },
    'controlPlaneNodeNames contains \'cp-a\' more than once: give every control-plane node a name of its own'],
  ['duplicate member names', { etcd: EtcdTopology.external({ memberNames: ['e-0', 'e-1', 'e-1'] }) },
    'etcd memberNames contains \'e-1\' more than once: give every etcd member a name of its own'],
  ['names and count that disagree', { controlPlaneNodes: 5, controlPlaneNodeNames: ['a', 'b', 'c'] },
    'controlPlaneNodeNames lists 3 names but controlPlaneNodes is 5: drop controlPlaneNodes or list exactly 5 names'],
  ['stacked member names that do not match the nodes', { etcd: EtcdTopology.stacked({ memberNames: ['e-0', 'e-1'] }) },
    'etcd memberNames lists 2 names but controlPlaneNodes is 3: drop controlPlaneNodes or list exactly 3 names'],
  ['an http:// external endpoint', { etcd: endpoints('http://e0.example:2379', THREE[1], THREE[2]) },
    'etcd endpoints[0] \'http://e0.example:2379\' uses http: karmada-apiserver must reach etcd over TLS, use \'https://e0.example:2379\''],
  ['an endpoint without a port', { etcd: endpoints('https://e0.example', THREE[1], THREE[2]) },
    'etcd endpoints[0] \'https://e0.example\' is not of the form \'https://<host>:<port>\': write it e.g. as \'https://etcd-0.example.com:2379\''],
  ['an endpoint that is not a URL', { etcd: endpoints('e0.example:2379', THREE[1], THREE[2]) },
    'etcd endpoints[0] \'e0.example:2379\' is not of the form \'https://<host>:<port>\': write it e.g. as \'https://etcd-0.example.com:2379\''],
  ['no endpoints', { etcd: endpoints() },
    'etcd endpoints is empty: give the https client URL of every member of the external etcd'],
  ['a duplicate endpoint', { etcd: endpoints(THREE[0], THREE[0], THREE[2]) },
    `etcd endpoints contains '${THREE[0]}' more than once: list every endpoint once`],
  ['a key prefix without a leading slash', { etcd: EtcdTopology.externalEndpoints({ endpoints: THREE, clientCertificateSecret: 's', keyPrefix: 'registry' }) },
    'etcd keyPrefix \'registry\' is not an etcd key prefix: start it with \'/\', do not end it with \'/\', e.g. \'/registry/karmada\''],
  ['an invalid client certificate Secret name', { etcd: EtcdTopology.externalEndpoints({ endpoints: THREE, clientCertificateSecret: 'Etcd Client' }) },
    'etcd clientCertificateSecret \'Etcd Client\' is not a valid Secret name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'karmada-etcd-client-cert\''],
  ['an empty topology key', { failureDomain: kplus.Topology.custom('') },
    'failureDomain is an empty topology key: use Topology.HOSTNAME, Topology.ZONE or Topology.custom(\'<node label key>\')'],
  ['a topology key that is not a label key', { failureDomain: kplus.Topology.custom('rack id') },
    'failureDomain \'rack id\' is not a node label key: use Topology.HOSTNAME, Topology.ZONE or Topology.custom() with a key such as \'topology.kubernetes.io/zone\''],
  ['an election timeout under 5 heartbeats', { etcdTuning: { heartbeatInterval: Duration.millis(100), electionTimeout: Duration.millis(400) } },
    'etcdTuning.electionTimeout (400ms) must be at least 5 times etcdTuning.heartbeatInterval (100ms) or etcd refuses to start: set it to 500ms or more (about 1000ms is usual)'],
  ['a zero heartbeat', { etcdTuning: { heartbeatInterval: Duration.millis(0) } },
    'etcdTuning.heartbeatInterval must be a whole number of milliseconds of at least 1, got 0ms: use e.g. Duration.millis(100)'],
  ['an election timeout over 50 s', { etcdTuning: { heartbeatInterval: Duration.seconds(5), electionTimeout: Duration.seconds(60) } },
    'etcdTuning.electionTimeout (60000ms) is above etcd\'s maximum of 50000ms: lower it'],
  ['a zero quota', { etcdTuning: { quotaBackend: Size.mebibytes(0) } },
    'etcdTuning.quotaBackend must be more than 0, got 0 bytes: use e.g. Size.gibibytes(8)'],
  ['a zero snapshot count', { etcdTuning: { snapshotCount: 0 } },
    'etcdTuning.snapshotCount must be a whole number of at least 1, got 0'],
  ['a revision retention that is a duration', { etcdTuning: { autoCompactionMode: EtcdCompactionMode.REVISION, autoCompactionRetention: '1h' } },
    'etcdTuning.autoCompactionRetention \'1h\' is not a revision count: with EtcdCompactionMode.REVISION give a whole number such as \'10000\''],
  ['a periodic retention that is not a duration', { etcdTuning: { autoCompactionRetention: 'hourly' } },
    'etcdTuning.autoCompactionRetention \'hourly\' is not a duration: with EtcdCompactionMode.PERIODIC give e.g. \'1h\' or \'30m\''],
  ['a node port on a ClusterIP entry point', { apiServerService: { nodePort: 32443 } },
    'apiServerService.nodePort is set (32443) but apiServerService.type is ClusterIP: use ServiceType.NODE_PORT or ServiceType.LOAD_BALANCER, or drop nodePort'],
  ['a fractional node port', { apiServerService: { type: kplus.ServiceType.NODE_PORT, nodePort: 30443.5 } },
    'apiServerService.nodePort must be a whole number, got 30443.5: pick a port in the default NodePort range 30000-32767'],
  ['a node port out of range', { apiServerService: { type: kplus.ServiceType.NODE_PORT, nodePort: 443 } },
    'apiServerService.nodePort 443 is outside the default NodePort range 30000-32767: pick a port in that range'],
  ['source ranges on a ClusterIP entry point', { apiServerService: { loadBalancerSourceRanges: ['10.0.0.0/8'] } },
    'apiServerService.loadBalancerSourceRanges is set but apiServerService.type is ClusterIP: use ServiceType.LOAD_BALANCER, or drop loadBalancerSourceRanges'],
  ['a source range that is not a CIDR', { apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.0.0.0'] } },
    'apiServerService.loadBalancerSourceRanges entry \'10.0.0.0\' is not a CIDR: write it as e.g. \'10.0.0.0/8\''],
  ['etcd hosts with stacked etcd', { etcdHosts: { nodeLabels: { a: 'b' } } },
    'etcdHosts is set but etcd is stacked: stacked members run on their control-plane node\'s host, so use controlPlaneHosts'],
  ['etcd hosts with etcd outside the cluster', { etcd: endpoints(...THREE), etcdHosts: {} },
    'etcdHosts is set but etcd lives outside the cluster: drop etcdHosts'],
  ['a host label key that is not a label key', { controlPlaneHosts: { nodeLabels: { 'bad key': 'x' } } },
    'controlPlaneHosts.nodeLabels key \'bad key\' is not a label key: use e.g. \'node-role.kubernetes.io/control-plane\''],
  ['a host label value that is not a label value', { etcd: EtcdTopology.external(), etcdHosts: { nodeLabels: { role: 'etcd hosts' } } },
    'etcdHosts.nodeLabels value \'etcd hosts\' of \'role\' is not a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
  ['a Service IP range that is not a CIDR', { serviceClusterIpRange: '10.96.0.0' },
    'serviceClusterIpRange \'10.96.0.0\' is not a CIDR (or two, IPv4 and IPv6, separated by a comma): use e.g. \'10.96.0.0/12\''],
  ['a pull-mode endpoint that is not https', { pullMode: { apiServerEndpoint: 'http://karmada.example.com:5443' } },
    'pullMode.apiServerEndpoint \'http://karmada.example.com:5443\' is not an https URL: its clients verify karmada-apiserver with the Karmada CA, write it as \'https://<host>[:<port>]\', e.g. \'https://karmada.example.com:5443\''],
  ['pull mode with a Karmada CA the library does not hold', {
    pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' }, pki: Pki.certManager({ karmadaIssuer: IssuerReference.clusterIssuer('corp-ca') }),
  }, 'pullMode needs the Karmada CA\'s key (kube-controller-manager signs karmada-agent certificates with it), but pki.karmadaIssuer names an issuer whose key the library does not hold: drop pki.karmadaIssuer or pullMode'],
  ['an external DNS name that is not a DNS name', { apiServerService: { externalDnsNames: ['Karmada.Example.com'] } },
    'apiServerService.externalDnsNames[0] \'Karmada.Example.com\' is not a DNS name: use lowercase labels separated by dots, e.g. \'karmada.example.com\''],
  ['an external IP address with a prefix length', { apiServerService: { externalIpAddresses: ['203.0.113.10/32'] } },
    'apiServerService.externalIpAddresses[0] \'203.0.113.10/32\' is not an IP address: write e.g. \'203.0.113.10\' or \'2001:db8::10\', without a prefix length'],
  ['a member cluster name that is not a DNS label', { components: { schedulerEstimatorClusters: ['Member_1'] } },
    'components.schedulerEstimatorClusters[0] \'Member_1\' is not a DNS-1123 label that starts with a letter and has at most 24 characters: use lowercase letters, digits and \'-\', e.g. \'member-1\''],
  ['the same member cluster twice', { components: { schedulerEstimatorClusters: ['m1', 'm1'] } },
    'components.schedulerEstimatorClusters contains \'m1\' more than once: give every member cluster a name of its own'],
  ['a volume no larger than the quota', { etcdStorageSize: Size.gibibytes(8) },
    'etcdStorageSize (8 GiB) is not above etcdTuning.quotaBackend (8 GiB): the volume fills before etcd\'s quota alarm; give at least 16 GiB'],
  ['an ExternalName entry point', { apiServerService: { type: kplus.ServiceType.EXTERNAL_NAME } },
    'apiServerService.type is ExternalName, which selects no pods: use ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER'],
  ['the kube-system namespace, created', { namespace: 'kube-system', networkPolicies: { enabled: false } },
    'namespace \'kube-system\' is shared with the host cluster\'s own pods, and createNamespace would label it for the restricted Pod Security profile, which refuses their privileged pods: use a namespace of its own, e.g. \'karmada-system\', or set createNamespace to false'],
  ['the default namespace with network policies', { namespace: 'default', createNamespace: false },
    'namespace \'default\' is shared with the host cluster\'s own pods, and the default-deny NetworkPolicy would cut them off (cluster DNS among them): use a namespace of its own, e.g. \'karmada-system\', or set networkPolicies.enabled to false'],
  ['an invalid namespace', { namespace: 'Karmada' },
    'namespace \'Karmada\' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. \'karmada-system\''],
  ['an invalid cluster domain', { clusterDomain: 'cluster..local' },
    'clusterDomain \'cluster..local\' is not a DNS domain: use the cluster\'s DNS domain, e.g. \'cluster.local\''],
  ['fewer zones than a zone failure domain needs', { failureDomain: kplus.Topology.ZONE, zones: ['a', 'b'] },
    'failureDomain is topology.kubernetes.io/zone, which needs a zone for each of 3 replicas, but zones lists 2: list at least 3 zones or use Topology.HOSTNAME'],
  ['an empty zone list', { zones: [] },
    'zones is empty: list the zones of the host cluster\'s nodes, or leave zones unset'],
  ['a node whose Service collides with a member\'s', { controlPlaneNodeNames: ['a', 'b', 'c'], etcd: EtcdTopology.external({ memberNames: ['a-apiserver', 'e-1', 'e-2'] }) },
    'etcd member \'a-apiserver\' and control-plane node \'a\' would both create Service \'a-apiserver\': rename one of them'],

  // Issue 11: wrong or refused output that used to be accepted silently.
  ['a Service IP range with host bits set', { serviceClusterIpRange: '10.96.0.1/12' },
    'serviceClusterIpRange \'10.96.0.1/12\' has host bits set: write its network address, \'10.96.0.0/12\''],
  ['an IPv6 Service IP range with host bits set', { serviceClusterIpRange: '10.96.0.0/12,fd00:10:96::1/112' },
    'serviceClusterIpRange \'fd00:10:96::1/112\' has host bits set: write its network address, \'fd00:10:96::/112\''],
  ['a dual-stack Service IP range of one family', { serviceClusterIpRange: '10.96.0.0/12,10.112.0.0/12' },
    'serviceClusterIpRange \'10.96.0.0/12,10.112.0.0/12\' lists 2 ranges of which both are IPv4: give one range, or one IPv4 and one IPv6 range, e.g. \'10.96.0.0/12,fd00:10:96::/112\''],
  ['a malformed IPv6 Service IP range', { serviceClusterIpRange: 'fd00:::1/112' },
    'serviceClusterIpRange \'fd00:::1/112\' is not a CIDR (or two, IPv4 and IPv6, separated by a comma): use e.g. \'10.96.0.0/12\''],
  ['a source range with host bits set', { apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.1.2.3/8'] } },
    'apiServerService.loadBalancerSourceRanges entry \'10.1.2.3/8\' has host bits set: write its network address, \'10.0.0.0/8\''],
  ['a member-cluster CIDR with host bits set', { networkPolicies: { memberClusterCidrs: ['192.168.7.1/16'] } },
    'networkPolicies.memberClusterCidrs entry \'192.168.7.1/16\' has host bits set: write its network address, \'192.168.0.0/16\''],
  ['renewBefore as long as certificateDuration', { pki: Pki.certManager({ certificateDuration: Duration.days(30), renewBefore: Duration.days(30) }) },
    'pki.renewBefore (720h (30 days)) is not shorter than pki.certificateDuration (720h (30 days)): cert-manager refuses such a Certificate; make renewBefore shorter, e.g. a third of certificateDuration'],
  ['renewBefore longer than the default certificateDuration', { pki: Pki.certManager({ renewBefore: Duration.days(400) }) },
    'pki.renewBefore (9600h (400 days)) is not shorter than pki.certificateDuration (8760h (365 days)): cert-manager refuses such a Certificate; make renewBefore shorter, e.g. a third of certificateDuration'],
  ['a certificate duration under an hour', { pki: Pki.certManager({ certificateDuration: Duration.minutes(30), renewBefore: Duration.minutes(10) }) },
    'pki.certificateDuration is 30m, below the 1h cert-manager accepts: use e.g. Duration.days(90)'],
  ['a renewBefore under 5 minutes', { pki: Pki.certManager({ renewBefore: Duration.minutes(1) }) },
    'pki.renewBefore is 1m, below the 5m cert-manager accepts: use e.g. Duration.days(30)'],
  ['a CA duration under an hour', { pki: Pki.certManager({ caDuration: Duration.minutes(59) }) },
    'pki.caDuration is 59m, below the 1h cert-manager accepts: use e.g. Duration.days(3650)'],
  ['a certificate duration with a fraction of a second', { pki: Pki.certManager({ certificateDuration: Duration.millis(7_200_500) }) },
    'pki.certificateDuration must be a whole number of seconds, got 7200.5s: cert-manager cannot be given fractions of a second; use e.g. Duration.days(90)'],
  ['an issuer name that is not an object name', { pki: Pki.certManager({ etcdIssuer: IssuerReference.clusterIssuer('Corp CA') }) },
    'pki.etcdIssuer name \'Corp CA\' is not a valid ClusterIssuer name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'corp-ca\''],
  ['an empty zone', { zones: ['', 'eu-1b', 'eu-1c'] },
    'zones[0] \'\' is not a value a node\'s topology.kubernetes.io/zone label can have, so no node would match and its pods would stay Pending: use 1 to 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, as the host cluster\'s nodes are labelled, e.g. \'eu-west-1a\''],
  ['a zone with a space', { zones: ['eu-1a', 'eu 1b', 'eu-1c'] },
    'zones[1] \'eu 1b\' is not a value a node\'s topology.kubernetes.io/zone label can have, so no node would match and its pods would stay Pending: use 1 to 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, as the host cluster\'s nodes are labelled, e.g. \'eu-west-1a\''],
  ['a zone listed twice', { zones: ['eu-1a', 'eu-1b', 'eu-1a'] },
    'zones contains \'eu-1a\' more than once: list every zone once'],
  ['an empty image', { images: { scheduler: '' } },
    'images.scheduler is empty: write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\''],
  ['an image with a space', { images: { webhook: 'karmada/karmada-webhook :v1.18.2' } },
    'images.webhook \'karmada/karmada-webhook :v1.18.2\' contains whitespace: write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\''],
  ['an image with an upper-case repository', { images: { apiServer: 'mirror.example.com/Kube-ApiServer:v1.35.4' } },
    'images.apiServer \'mirror.example.com/Kube-ApiServer:v1.35.4\' has upper-case letters in its repository \'Kube-ApiServer\': repositories are lowercase, write \'mirror.example.com/kube-apiserver:v1.35.4\''],
  ['an image with two tags', { images: { kubectl: 'mirror.example.com/kubectl:v1.35:4' } },
    'images.kubectl \'mirror.example.com/kubectl:v1.35:4\' is not an image reference: write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\''],
  ['an image with a short digest', { images: { shell: 'busybox@sha256:abc' } },
    'images.shell \'busybox@sha256:abc\' is not an image reference: write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\''],
  ['an etcd image older than the flags', { etcdImage: 'mirror.example.com/etcd:3.5.17-0' },
    'etcdImage \'mirror.example.com/etcd:3.5.17-0\' is etcd 3.5, but the library writes the flags of etcd 3.6 (e.g. --feature-gates=InitialCorruptCheck=true), which etcd 3.5 refuses at start: use an image of etcd 3.6 or later, e.g. tag \'3.6.6-0\''],
  ['an etcd image with a v-prefixed old tag', { etcd: EtcdTopology.external(), ...HOSTS_BY_ROLE, etcdImage: 'quay.example.com/coreos/etcd:v3.4.27' },
    'etcdImage \'quay.example.com/coreos/etcd:v3.4.27\' is etcd 3.4, but the library writes the flags of etcd 3.6 (e.g. --feature-gates=InitialCorruptCheck=true), which etcd 3.4 refuses at start: use an image of etcd 3.6 or later, e.g. tag \'3.6.6-0\''],
  ['an etcd image that is not a reference', { etcdImage: 'Etcd' },
    'etcdImage \'Etcd\' has upper-case letters in its repository \'Etcd\': repositories are lowercase, write \'etcd\''],
  ['a backup minute out of range', { etcdBackup: { schedule: '60 * * * *' } },
    'etcdBackup.schedule \'60 * * * *\' has minute \'60\', which Kubernetes refuses: give values 0-59, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'17 * * * *\''],
  ['a backup hour out of range', { etcdBackup: { schedule: '17 24 * * *' } },
    'etcdBackup.schedule \'17 24 * * *\' has hour \'24\', which Kubernetes refuses: give values 0-23, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'17 * * * *\''],
  ['a step of 0', { etcdBackup: { schedule: '*/0 * * * *' } },
    'etcdBackup.schedule \'*/0 * * * *\' has minute \'*/0\', which Kubernetes refuses: give values 0-59, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'17 * * * *\''],
  ['a backward range', { etcdBackup: { schedule: '0 0 31-1 * *' } },
    'etcdBackup.schedule \'0 0 31-1 * *\' has day-of-month \'31-1\', which Kubernetes refuses: give values 1-31, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'17 * * * *\''],
  ['a month name that is none', { etcdBackup: { schedule: '0 0 1 JUNE *' } },
    'etcdBackup.schedule \'0 0 1 JUNE *\' has month \'JUNE\', which Kubernetes refuses: give values 1-12 or JAN-DEC, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'17 * * * *\''],
  ['a defragmentation on weekday 7', { etcdDefragmentation: { schedule: '47 3 * * 7' } },
    'etcdDefragmentation.schedule \'47 3 * * 7\' has day-of-week \'7\', which Kubernetes refuses: give values 0-6 or SUN-SAT, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'47 3 * * 0\''],
  ['a schedule with a time zone prefix', { etcdDefragmentation: { schedule: 'TZ=UTC 47 3 * * 0' } },
    'etcdDefragmentation.schedule \'TZ=UTC 47 3 * * 0\' is not a cron schedule of 5 fields (minute hour day-of-month month day-of-week, in UTC): use e.g. \'47 3 * * 0\''],
  ['an annotation key that is not a qualified name', { apiServerService: { annotations: { 'internal load balancer': 'true' } } },
    'apiServerService.annotations key \'internal load balancer\' is not an annotation key (an optional DNS-subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit): write it e.g. as \'service.beta.kubernetes.io/aws-load-balancer-internal\''],
  ['an annotation key with an empty prefix', { apiServerService: { annotations: { '/internal': 'true' } } },
    'apiServerService.annotations key \'/internal\' is not an annotation key (an optional DNS-subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit): write it e.g. as \'service.beta.kubernetes.io/aws-load-balancer-internal\''],
  ['an IP address given as a DNS name', { apiServerService: { externalDnsNames: ['203.0.113.10'] } },
    'apiServerService.externalDnsNames[0] \'203.0.113.10\' is an IP address, which a certificate carries as an IP address, not as a DNS name: list it in apiServerService.externalIpAddresses'],
  ['a DNS name given as an IP address', { apiServerService: { externalIpAddresses: ['karmada.example.com'] } },
    'apiServerService.externalIpAddresses[0] \'karmada.example.com\' is a DNS name, not an IP address: list it in apiServerService.externalDnsNames'],
  ['port 0 in an etcd endpoint', { etcd: endpoints('https://e0.example:0', THREE[1], THREE[2]) },
    'etcd endpoints[0] \'https://e0.example:0\' has port 0, on which nothing can be reached: give the port etcd serves clients on, e.g. \'https://etcd-0.example.com:2379\''],
  ['port 0 in the pull-mode endpoint', { apiServerService: { type: kplus.ServiceType.LOAD_BALANCER }, pullMode: { apiServerEndpoint: 'https://karmada.example.com:0' } },
    'pullMode.apiServerEndpoint \'https://karmada.example.com:0\' has port 0, on which nothing can be reached: write it as \'https://<host>[:<port>]\', e.g. \'https://karmada.example.com:5443\''],
  ['an etcd volume that is not whole GiB', { etcdStorageSize: Size.mebibytes(20_500) },
    'etcdStorageSize must be a whole number of GiB of at least 1, got 20.02 GiB: use e.g. Size.gibibytes(20)'],
  ['an etcd storage class that is not a name', { etcdStorageClassName: 'Fast SSD' },
    'etcdStorageClassName \'Fast SSD\' is not a valid StorageClass name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'fast-ssd\''],
  ['a backup volume that is not whole GiB', { etcdBackup: { storageSize: Size.mebibytes(204_900) } },
    'etcdBackup.storageSize must be a whole number of GiB of at least 1, got 200.098 GiB: use e.g. Size.gibibytes(200)'],
  ['a backup storage class that is not a name', { etcdBackup: { storageClassName: 'slow_hdd' } },
    'etcdBackup.storageClassName \'slow_hdd\' is not a valid StorageClass name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'fast-ssd\''],
  ['a heartbeat with a fraction of a millisecond', { etcdTuning: { heartbeatInterval: Duration.millis(100.5) } },
    'etcdTuning.heartbeatInterval must be a whole number of milliseconds of at least 1, got 100.5ms: use e.g. Duration.millis(100)'],
  ['an election timeout with a fraction of a millisecond', { etcdTuning: { electionTimeout: Duration.millis(1000.5) } },
    'etcdTuning.electionTimeout must be a whole number of milliseconds, got 1000.5ms: use e.g. Duration.millis(1000)'],
  ['a quota that is not whole bytes', { etcdTuning: { quotaBackend: Size.kibibytes(0.3) } },
    'etcdTuning.quotaBackend must be a whole number of bytes, got 307.2 bytes: use e.g. Size.gibibytes(8)'],
  ['a toleration of a key that is not a taint key', { controlPlaneHosts: { tolerations: [kplus.NodeTaintQuery.exists('dedicated node')] } },
    'controlPlaneHosts.tolerations[0] key \'dedicated node\' is not a taint key: use e.g. \'node-role.kubernetes.io/control-plane\''],
  ['a toleration of a value that is not a taint value', { controlPlaneHosts: { tolerations: [kplus.NodeTaintQuery.is('dedicated', 'karmada control plane')] } },
    'controlPlaneHosts.tolerations[0] value \'karmada control plane\' is not a taint value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
  ['memory that is not whole MiB', { componentSettings: { apiServer: { resources: { memory: { request: Size.kibibytes(1500), limit: Size.gibibytes(4) } } } } },
    'componentSettings.apiServer.resources.memory.request must be a whole number of MiB, got 1.465 MiB: round it, e.g. Size.mebibytes(512)'],
];

describe('HATopology validation', () => {
  test.each(ERRORS)('fails on %s', (_case, props, message) => {
    // GIVEN bad input WHEN the topology is built THEN it throws with the exact message
    const chart = Testing.chart();
    let error: Error | undefined;
    try {
      new HATopology(chart, 'karmada', props);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeDefined();
    expect(error!.message.split('\n- ').slice(1)).toContain(message);
    // ... and nothing was emitted
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('a stacked topology with too few nodes says so once (its members follow the nodes)', () => {
    expect(() => new HATopology(Testing.chart(), 'karmada', { controlPlaneNodes: 2 }))
      .toThrow(new Error("invalid HATopology 'test/karmada':\n"
        + '- controlPlaneNodes must be at least 3 for high availability, got 2: set controlPlaneNodes to 3 or more'));
  });

  test('lists every problem at once', () => {
    expect(() => new HATopology(Testing.chart(), 'karmada', { controlPlaneNodes: 2, etcd: EtcdTopology.external({ members: 2 }) }))
      .toThrow("invalid HATopology 'test/karmada':\n"
        + '- controlPlaneNodes must be at least 3 for high availability, got 2: set controlPlaneNodes to 3 or more\n'
        + '- etcd members must be at least 3 for high availability, got 2: set etcd members to 3 or more');
  });
});

/** Legal but unsafe choices, and the warning each must give. */
const EXTERNAL_HOSTS_WARNING = 'etcd is external but controlPlaneHosts and etcdHosts do not keep their hosts apart by label: while an etcd member is down (a drain, a reboot), a control-plane node whose own host is unavailable can be scheduled onto the member\'s host, and the member, held there by its volume, then stays Pending; give both the same label key with different values, e.g. controlPlaneHosts: { nodeLabels: { \'karmada.io/host-role\': \'control-plane\' } } and etcdHosts: { nodeLabels: { \'karmada.io/host-role\': \'etcd\' } }';

const WARNINGS: Array<[string, HATopologyProps, string]> = [
  ['a descheduler without estimators', { components: { descheduler: true } },
    'components.descheduler is on but no member cluster has a scheduler estimator: karmada-descheduler only acts on what the estimators report; list them in components.schedulerEstimatorClusters'],
  ['pull mode behind a ClusterIP entry point', { pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' } },
    'pullMode.apiServerEndpoint is https://karmada.example.com:5443 but the entry point is a ClusterIP Service, which member clusters cannot reach: set apiServerService.type to LOAD_BALANCER or NODE_PORT, or make sure that endpoint forwards to it'],
  ['an even external member count', { etcd: EtcdTopology.external({ members: 4 }), ...HOSTS_BY_ROLE },
    'etcd members is 4, an even number: 4 members survive 1 failure, no more than 3 do, and every write waits for one more member: use 3 or 5'],
  ['an even stacked node count', { controlPlaneNodes: 6 },
    'controlPlaneNodes (one stacked etcd member each) is 6, an even number: 6 members survive 2 failures, no more than 5 do, and every write waits for one more member: use 5 or 7'],
  ['more than 7 members', { etcd: EtcdTopology.external({ members: 9 }), ...HOSTS_BY_ROLE },
    'etcd members is 9: every write waits for 5 members and etcd advises at most 7: use 5 or 7'],
  ['one zone', { zones: ['eu-1a'] },
    'zones lists one zone (\'eu-1a\'): losing that zone stops the whole control plane; spread the hosts over at least 3 zones'],
  ['two zones', { zones: ['eu-1a', 'eu-1b'] },
    'zones lists 2 zones: the zone that holds most etcd members takes quorum with it when it fails; spread the hosts over at least 3 zones'],
  ['fewer than 3 external endpoints', { etcd: endpoints('https://etcd-lb.example:2379') },
    'etcd endpoints lists 1 URL: unless it is a load balancer in front of at least 3 members, one failure stops the control plane; list every member'],
  ['a quota above 8 GiB', { etcdTuning: { quotaBackend: Size.gibibytes(16) }, etcdStorageSize: Size.gibibytes(40) },
    'etcdTuning.quotaBackend is 16 GiB, above the 8 GiB etcd advises: a larger database slows restarts, snapshots and defragmentation'],
  ['external etcd without host labels that keep its hosts apart', { etcd: EtcdTopology.external() }, EXTERNAL_HOSTS_WARNING],
  ['external etcd with host labels of different keys', {
    etcd: EtcdTopology.external(), controlPlaneHosts: { nodeLabels: { 'role/cp': 'yes' } }, etcdHosts: { nodeLabels: { 'role/etcd': 'yes' } },
  }, EXTERNAL_HOSTS_WARNING],
  ['a volume under twice the quota', { etcdStorageSize: Size.gibibytes(12) },
    'etcdStorageSize (12 GiB) is less than twice etcdTuning.quotaBackend (8 GiB): WAL, snapshots and a defragmentation copy may fill the volume first; give at least 16 GiB'],
  ['in-cluster etcd settings with etcd outside the cluster', { etcd: endpoints(...THREE), etcdImage: 'mirror.example.com/etcd:3.6.6-0', etcdBackup: { retention: 48 }, etcdDefragmentation: { enabled: false } },
    'etcdImage, etcdBackup are set but etcd lives outside the cluster, where the library runs no member, so they are ignored: drop them, or let the library run etcd'],
  ['CAs that do not outlive their certificates', { pki: Pki.certManager({ caDuration: Duration.days(365) }) },
    'pki.caDuration (8760h (365 days)) is not longer than pki.certificateDuration (8760h (365 days)): the library\'s CAs expire no later than the certificates they sign, and the CA bundles handed out at bootstrap (webhook configurations, APIServices, kubeconfigs) stop working when they do; give caDuration several times certificateDuration'],
];

describe('HATopology warnings', () => {
  test('external etcd whose host labels share a key with different values: no warning', () => {
    const { topology } = synthTopology({
      etcd: EtcdTopology.external(),
      controlPlaneHosts: { nodeLabels: { 'karmada.io/host-role': 'control-plane' } },
      etcdHosts: { nodeLabels: { 'karmada.io/host-role': 'etcd' } },
    });
    expect(KarmadaWarnings.of(topology)).toEqual([]);
  });

  test.each(WARNINGS)('warns on %s', (_case, props, message) => {
    // GIVEN a legal but unsafe choice WHEN synthesized THEN it synthesizes and records the warning
    const { topology, objects } = synthTopology(props);
    expect(objects.length).toBeGreaterThan(0);
    expect(KarmadaWarnings.of(topology)).toEqual([message]);
  });
});

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** Legal and safe input near the rules' edges: it synthesizes, with no error and no warning. */
const ACCEPTED: Array<[string, HATopologyProps]> = [
  ['a Service IP range that is a network', { serviceClusterIpRange: '10.96.0.0/12' }],
  ['an IPv6 Service IP range', { serviceClusterIpRange: 'fd00:10:96::/112' }],
  ['a dual-stack Service IP range', { serviceClusterIpRange: '10.96.0.0/12,fd00:10:96::/112' }],
  ['source ranges that are networks', { apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.0.0.0/8', '203.0.113.7/32', '2001:db8::/32'] } }],
  ['three zones of label values', { zones: ['eu-west-1a', 'eu-west-1b', 'EU_West.1c'] }],
  ['images with a registry port, no tag, a digest', {
    images: {
      scheduler: 'localhost:5000/karmada/karmada-scheduler:v1.18.2',
      webhook: 'karmada/karmada-webhook',
      apiServer: `mirror.example.com/kube-apiserver:v1.35.4@${DIGEST}`,
      shell: `busybox@${DIGEST}`,
      kubectl: '[2001:db8::1]:5000/kubectl:v1.35.4',
    },
  }],
  ['an etcd 3.6 image with a v tag', { etcdImage: 'mirror.example.com/etcd:v3.6.6' }],
  ['an etcd image of a later minor', { etcdImage: 'mirror.example.com/etcd:3.7.0-0' }],
  ['an etcd image whose tag names no version', { etcdImage: 'mirror.example.com/etcd:latest' }],
  ['an etcd image by digest', { etcdImage: `mirror.example.com/etcd@${DIGEST}` }],
  ['schedules with names, steps, lists and ?', {
    etcdBackup: { schedule: '*/15 0-6,22 1-31/2 JAN-mar,7 mon-FRI' },
    etcdDefragmentation: { schedule: '47 3 ? * SUN' },
  }],
  ['certificate lifetimes that are not whole hours', { pki: Pki.certManager({ certificateDuration: Duration.minutes(90 * 24 * 60 + 30), renewBefore: Duration.seconds(7 * 86400 + 15) }) }],
  ['the shortest lifetimes cert-manager takes', { pki: Pki.certManager({ certificateDuration: Duration.hours(1), renewBefore: Duration.minutes(5), caDuration: Duration.hours(2) }) }],
  ['issuers of the user\'s', {
    pki: Pki.certManager({ karmadaIssuer: IssuerReference.clusterIssuer('corp-ca.v2'), etcdIssuer: IssuerReference.issuer('etcd-ca'), frontProxyIssuer: IssuerReference.issuer('fp') }),
  }],
  ['annotations with and without a prefix', { apiServerService: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true', 'owner': 'team a' } } }],
  ['external names and addresses', { apiServerService: { externalDnsNames: ['*.karmada.example.com', 'karmada-1.example.com'], externalIpAddresses: ['203.0.113.10', '2001:db8::10'] } }],
  ['the lowest node port', { apiServerService: { type: kplus.ServiceType.NODE_PORT, nodePort: 30000 } }],
  ['the highest node port', { apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, nodePort: 32767, loadBalancerSourceRanges: ['10.0.0.0/8'] } }],
  ['tolerations of valid taints', { controlPlaneHosts: { tolerations: [kplus.NodeTaintQuery.exists('node-role.kubernetes.io/control-plane'), kplus.NodeTaintQuery.is('dedicated', 'karmada')] } }],
  ['storage sizes and classes', { etcdStorageSize: Size.gibibytes(32), etcdStorageClassName: 'fast-ssd', etcdBackup: { storageSize: Size.gibibytes(250), storageClassName: 'standard.rwo' } }],
  ['a pull-mode endpoint with an IPv6 address', { apiServerService: { type: kplus.ServiceType.LOAD_BALANCER }, pullMode: { apiServerEndpoint: 'https://[2001:db8::5]:5443' } }],
  ['member-cluster CIDRs that are networks', { networkPolicies: { memberClusterCidrs: ['10.0.0.0/8', 'fd00::/8'] } }],
  ['memory in whole MiB', { componentSettings: { apiServer: { resources: { memory: { request: Size.mebibytes(1536), limit: Size.gibibytes(4) } } } } }],
];

describe('HATopology accepts legal and safe input', () => {
  test.each(ACCEPTED)('accepts %s', (_case, props) => {
    // GIVEN legal, safe input WHEN synthesized THEN objects and no warning
    const { topology, objects } = synthTopology(props);
    expect(objects.length).toBeGreaterThan(0);
    expect(KarmadaWarnings.of(topology)).toEqual([]);
  });

  test('a lifetime that is not whole hours is written as a Go duration cert-manager reads', () => {
    const pki = Pki.certManager({ certificateDuration: Duration.minutes(90 * 24 * 60 + 30), renewBefore: Duration.seconds(7 * 86400 + 15) });
    const { objects } = synthTopology({ pki });
    const leaf = objects.find(o => o.kind === 'Certificate' && !o.spec.isCA)!;
    expect([leaf.spec.duration, leaf.spec.renewBefore]).toEqual(['129630m', '604815s']);
  });
});

/** A standalone construct built in a chart of its own from the props of a row. */
type Build = (scope: Construct) => void;
const memberProps: EtcdMemberProps = { memberName: 'etcd-0', initialClusterMembers: ['etcd-0', 'etcd-1', 'etcd-2'] };
const etcdMember = (props: Partial<EtcdMemberProps>): Build => scope => new EtcdMember(scope, 'm', { ...memberProps, ...props });
const node = (props: Partial<KarmadaControlPlaneNodeProps>): Build => scope => new KarmadaControlPlaneNode(scope, 'n', { nodeName: 'cp-0', etcdServers: THREE, ...props });
/** A control-plane node whose local member is built, in another chart, from `memberOverrides`. */
const stackedNode = (memberOverrides: Partial<EtcdMemberProps>, props: Partial<KarmadaControlPlaneNodeProps> = {}): Build => scope => {
  const localEtcdMember = new EtcdMember(Testing.chart(), 'm', { ...memberProps, controlPlaneNode: 'cp-0', ...memberOverrides });
  new KarmadaControlPlaneNode(scope, 'n', { nodeName: 'cp-0', localEtcdMember, ...props });
};
const estimator = (props: Partial<KarmadaSchedulerEstimatorProps>): Build => scope => new KarmadaSchedulerEstimator(scope, 'e', { memberClusterName: 'member-1', ...props });
const job = (props: Partial<KarmadaBootstrapJobProps>): Build => scope =>
  new KarmadaBootstrapJob(scope, 'j', { apiServerUrl: 'https://karmada-apiserver.karmada-system.svc.cluster.local:5443', ...props });
const pushMember = (props: Partial<KarmadaPushMemberProps>): Build => scope =>
  new KarmadaPushMember(scope, 'pm', { clusterName: 'member-1', apiEndpoint: 'https://member-1.example.com:6443', ...props });
const agent = (props: Partial<KarmadaAgentProps>): Build => scope =>
  new KarmadaAgent(scope, 'a', { clusterName: 'member-2', clusterApiEndpoint: 'https://member-2.example.com:6443', ...props });
const CA_PEM_BASE64 = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const backup = (props: EtcdBackupProps): Build => scope => new EtcdBackup(scope, 'b', props);
const defrag = (props: Partial<EtcdDefragmentationProps>): Build => scope => new EtcdDefragmentation(scope, 'd', { memberNames: ['etcd-0', 'etcd-1', 'etcd-2'], ...props });
const policies = (props: Partial<KarmadaNetworkPoliciesProps>): Build => scope =>
  new KarmadaNetworkPolicies(scope, 'p', {
    etcdPlacement: EtcdPlacement.STACKED,
    controlPlaneNodeNames: ['cp-0', 'cp-1', 'cp-2'],
    etcdMemberNames: props.etcdPlacement === EtcdPlacement.EXTERNAL_ENDPOINTS ? undefined : ['etcd-0', 'etcd-1', 'etcd-2'],
    ...props,
  });
const LINE = /\n(?:- )?/;

/** Each construct used on its own: the props of the row, and the exact message it must give. */
const STANDALONE_ERRORS: Array<[string, Build, string]> = [
  ['KarmadaPushMember: a cluster name with an upper-case letter', pushMember({ clusterName: 'Member-1' }),
    'clusterName \'Member-1\' is not a Karmada cluster name (a DNS-1123 label of at most 48 characters): use lowercase letters, digits and \'-\', e.g. \'member-1\''],
  ['KarmadaPushMember: a cluster name longer than 48 characters', pushMember({ clusterName: 'm'.repeat(49) }),
    `clusterName '${'m'.repeat(49)}' is not a Karmada cluster name (a DNS-1123 label of at most 48 characters): use lowercase letters, digits and '-', e.g. 'member-1'`],
  ['KarmadaPushMember: an http endpoint', pushMember({ apiEndpoint: 'http://member-1.example.com:6443' }),
    'apiEndpoint \'http://member-1.example.com:6443\' is not the https URL of the member\'s kube-apiserver (no query or credentials): write it e.g. as \'https://member-1.example.com:6443\''],
  ['KarmadaPushMember: an endpoint that is not a URL', pushMember({ apiEndpoint: 'member-1:6443' }),
    'apiEndpoint \'member-1:6443\' is not the https URL of the member\'s kube-apiserver (no query or credentials): write it e.g. as \'https://member-1.example.com:6443\''],
  ['KarmadaPushMember: an empty token', pushMember({ credentials: { token: '', caBundle: CA_PEM_BASE64, impersonatorToken: 't' } }),
    'credentials.token is empty: give a token of ServiceAccount karmada-cluster/karmada-<cluster> in the member, or leave credentials out and create the Secret yourself'],
  ['KarmadaPushMember: a CA bundle that is PEM, not base64', pushMember({ credentials: { token: 't', caBundle: '-----BEGIN CERTIFICATE-----', impersonatorToken: 't' } }),
    'credentials.caBundle is not the base64 of a PEM certificate: give the member cluster\'s CA certificate in base64, e.g. the output of base64 -w0 ca.crt'],
  ['KarmadaPushMember: an empty impersonator token', pushMember({ credentials: { token: 't', caBundle: CA_PEM_BASE64, impersonatorToken: ' ' } }),
    'credentials.impersonatorToken is empty: give a token of ServiceAccount karmada-cluster/karmada-impersonator in the member, or leave credentials out and create the Secret yourself'],
  ['KarmadaPushMemberAccess: a cluster name with an underscore', scope => new KarmadaPushMemberAccess(scope, 'x', { clusterName: 'member_1' }),
    'clusterName \'member_1\' is not a Karmada cluster name (a DNS-1123 label of at most 48 characters): use lowercase letters, digits and \'-\', e.g. \'member-1\''],
  ['KarmadaPushMemberAccess: a proxy group listed twice', scope => new KarmadaPushMemberAccess(scope, 'x', { clusterName: 'member-1', proxyGroups: ['admins', 'admins'] }),
    'proxyGroups contains \'admins\' more than once: list every group once'],
  ['KarmadaPushMemberAccess: an empty proxy group', scope => new KarmadaPushMemberAccess(scope, 'x', { clusterName: 'member-1', proxyGroups: [''] }),
    'proxyGroups contains an empty group name: give the name of a group of the Karmada API, e.g. \'karmada:cluster-admins\''],
  ['KarmadaPullMember: a cluster name ending in a dash', scope => new KarmadaPullMember(scope, 'x', { clusterName: 'member-' }),
    'clusterName \'member-\' is not a Karmada cluster name (a DNS-1123 label of at most 48 characters): use lowercase letters, digits and \'-\', e.g. \'member-1\''],
  ['KarmadaPullMember: an invalid cluster namespace', scope => new KarmadaPullMember(scope, 'x', { clusterName: 'member-2', clusterNamespace: 'Karmada Cluster' }),
    'clusterNamespace \'Karmada Cluster\' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. \'karmada-system\''],
  ['KarmadaAgent: a cluster name with a dot', agent({ clusterName: 'member.2' }),
    'clusterName \'member.2\' is not a Karmada cluster name (a DNS-1123 label of at most 48 characters): use lowercase letters, digits and \'-\', e.g. \'member-1\''],
  ['KarmadaAgent: an endpoint with credentials', agent({ clusterApiEndpoint: 'https://admin:secret@member-2.example.com:6443' }),
    'clusterApiEndpoint \'https://admin:secret@member-2.example.com:6443\' is not the https URL of the member\'s kube-apiserver (no query or credentials): write it e.g. as \'https://member-1.example.com:6443\''],
  ['KarmadaAgent: an empty kubeconfig', agent({ karmadaKubeconfig: '' }),
    'karmadaKubeconfig is empty: give the agent\'s kubeconfig for the Karmada API, or leave karmadaKubeconfig out and create Secret karmada-kubeconfig yourself'],
  ['KarmadaAgent: a zone listed twice', agent({ zones: ['a', 'a'] }),
    'zones contains \'a\' more than once: list every zone once'],
  ['KarmadaAgent: no replicas', agent({ replicas: 0 }),
    'replicas must be a whole number of at least 1, got 0'],
  ['KarmadaAgent: an invalid namespace', agent({ namespace: 'Karmada' }),
    'namespace \'Karmada\' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. \'karmada-system\''],
  ['EtcdMember: an invalid instance', etcdMember({ instance: 'Karmada' }),
    'instance \'Karmada\' is not a DNS-1123 label that starts with a letter and has at most 30 characters: use lowercase letters, digits and \'-\', e.g. \'karmada\''],
  ['EtcdMember: an invalid namespace', etcdMember({ namespace: 'kube system' }),
    'namespace \'kube system\' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. \'karmada-system\''],
  ['EtcdMember: an invalid cluster domain', etcdMember({ clusterDomain: '.local' }),
    'clusterDomain \'.local\' is not a DNS domain: use the cluster\'s DNS domain, e.g. \'cluster.local\''],
  ['EtcdMember: an initial member that is not a name', etcdMember({ initialClusterMembers: ['etcd-0', 'etcd_1', 'etcd-2'] }),
    'initialClusterMembers[1] \'etcd_1\' is not a DNS-1123 label that starts with a letter and has at most 52 characters: use lowercase letters, digits and \'-\', e.g. \'karmada-etcd-1\''],
  ['EtcdMember: an initial member listed twice', etcdMember({ initialClusterMembers: ['etcd-0', 'etcd-1', 'etcd-1'] }),
    'initialClusterMembers contains \'etcd-1\' more than once: give every etcd member a name of its own'],
  ['EtcdMember: an empty cluster token', etcdMember({ clusterToken: '' }),
    'clusterToken \'\' is empty or has whitespace, \',\' or \'=\': give a word of its own to this cluster, e.g. \'karmada-etcd\''],
  ['EtcdMember: an etcd 3.5 image', etcdMember({ image: 'mirror.example.com/etcd:3.5.21-0' }),
    'image \'mirror.example.com/etcd:3.5.21-0\' is etcd 3.5, but the library writes the flags of etcd 3.6 (e.g. --feature-gates=InitialCorruptCheck=true), which etcd 3.5 refuses at start: use an image of etcd 3.6 or later, e.g. tag \'3.6.6-0\''],
  ['EtcdMember: a volume of 1.5 GiB', etcdMember({ storageSize: Size.mebibytes(1536) }),
    'storageSize must be a whole number of GiB of at least 1, got 1.5 GiB: use e.g. Size.gibibytes(20)'],
  ['EtcdMember: a storage class that is not a name', etcdMember({ storageClassName: 'Fast' }),
    'storageClassName \'Fast\' is not a valid StorageClass name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'fast-ssd\''],
  ['EtcdMember: a server Secret that is not a name', etcdMember({ serverCertificateSecret: 'etcd server' }),
    'serverCertificateSecret \'etcd server\' is not a valid Secret name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'karmada-etcd-client-cert\''],
  ['EtcdMember: a peer Secret that is not a name', etcdMember({ peerCertificateSecret: 'Peer' }),
    'peerCertificateSecret \'Peer\' is not a valid Secret name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'karmada-etcd-client-cert\''],
  ['EtcdMember: a control-plane node that is not a name', etcdMember({ controlPlaneNode: 'CP-0' }),
    'controlPlaneNode \'CP-0\' is not a DNS-1123 label that starts with a letter and has at most 40 characters: use lowercase letters, digits and \'-\', e.g. \'karmada-cp-0\''],
  ['EtcdMember: a failure domain that is not a label key', etcdMember({ failureDomain: kplus.Topology.custom('rack id') }),
    'failureDomain \'rack id\' is not a node label key: use Topology.HOSTNAME, Topology.ZONE or Topology.custom() with a key such as \'topology.kubernetes.io/zone\''],
  ['EtcdMember: a host label value that is not a label value', etcdMember({ hosts: { nodeLabels: { role: 'etcd host' } } }),
    'hosts.nodeLabels value \'etcd host\' of \'role\' is not a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
  ['EtcdMember: stacked and kept off control-plane hosts', etcdMember({ controlPlaneNode: 'cp-0', avoidControlPlaneHosts: true }),
    'avoidControlPlaneHosts is set on a member stacked with control-plane node \'cp-0\': it would have to share that node\'s host and keep off it, and would stay Pending; drop avoidControlPlaneHosts (stacked) or controlPlaneNode (external)'],
  ['EtcdMember: a heartbeat with a fraction of a millisecond', etcdMember({ tuning: { heartbeatInterval: Duration.millis(0.5) } }),
    'etcdTuning.heartbeatInterval must be a whole number of milliseconds of at least 1, got 0.5ms: use e.g. Duration.millis(100)'],
  ['KarmadaControlPlaneNode: a local member of another instance', stackedNode({ instance: 'other' }),
    'localEtcdMember \'etcd-0\' belongs to instance \'other\' but control-plane node \'cp-0\' to instance \'karmada\': each finds the other by its instance label, so they would not be kept on one host; give both the same instance'],
  ['KarmadaControlPlaneNode: a local member of another namespace', stackedNode({ namespace: 'etcd' }),
    'localEtcdMember \'etcd-0\' is in namespace \'etcd\' but control-plane node \'cp-0\' in \'karmada-system\': pod affinity only sees pods of its own namespace, so they would not be kept on one host; put both in one namespace'],
  ['KarmadaControlPlaneNode: a local member and etcd hosts avoided', stackedNode({}, { avoidEtcdHosts: true }),
    'avoidEtcdHosts is set on control-plane node \'cp-0\', which has a localEtcdMember: its pods would have to share the member\'s host and keep off it, and would stay Pending; drop avoidEtcdHosts (stacked) or localEtcdMember (external)'],
  ['KarmadaControlPlaneNode: an invalid instance', node({ instance: 'karmada_prod' }),
    'instance \'karmada_prod\' is not a DNS-1123 label that starts with a letter and has at most 30 characters: use lowercase letters, digits and \'-\', e.g. \'karmada\''],
  ['KarmadaControlPlaneNode: an invalid cluster domain', node({ clusterDomain: 'cluster local' }),
    'clusterDomain \'cluster local\' is not a DNS domain: use the cluster\'s DNS domain, e.g. \'cluster.local\''],
  ['KarmadaControlPlaneNode: an upper-case image', node({ images: { controllerManager: 'Karmada/karmada-controller-manager:v1.18.2' } }),
    'images.controllerManager \'Karmada/karmada-controller-manager:v1.18.2\' has upper-case letters in its repository \'Karmada/karmada-controller-manager\': repositories are lowercase, write \'karmada/karmada-controller-manager:v1.18.2\''],
  ['KarmadaControlPlaneNode: a Service IP range with host bits set', node({ serviceClusterIpRange: '10.96.0.1/12' }),
    'serviceClusterIpRange \'10.96.0.1/12\' has host bits set: write its network address, \'10.96.0.0/12\''],
  ['KarmadaControlPlaneNode: port 0 in an etcd server', node({ etcdServers: ['https://e0.example:0'] }),
    'etcdServers[0] \'https://e0.example:0\' has port 0, on which nothing can be reached: give the port etcd serves clients on, e.g. \'https://etcd-0.example.com:2379\''],
  ['KarmadaControlPlaneNode: an etcd server listed twice', node({ etcdServers: [THREE[0], THREE[1], THREE[1]] }),
    `etcdServers contains '${THREE[1]}' more than once: list every etcd server once`],
  ['KarmadaControlPlaneNode: an etcd client Secret that is not a name', node({ etcdClientCertificateSecret: 'Etcd_Client' }),
    'etcdClientCertificateSecret \'Etcd_Client\' is not a valid Secret name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'karmada-etcd-client-cert\''],
  ['KarmadaControlPlaneNode: a member cluster that is not a name', node({ schedulerEstimatorClusters: ['Member 1'] }),
    'schedulerEstimatorClusters[0] \'Member 1\' is not a DNS-1123 label that starts with a letter and has at most 35 characters: use lowercase letters, digits and \'-\', e.g. \'member-1\''],
  ['KarmadaControlPlaneNode: a member cluster listed twice', node({ schedulerEstimatorClusters: ['m1', 'm1'] }),
    'schedulerEstimatorClusters contains \'m1\' more than once: give every member cluster a name of its own'],
  ['KarmadaControlPlaneNode: a failure domain that is empty', node({ failureDomain: kplus.Topology.custom(' ') }),
    'failureDomain is an empty topology key: use Topology.HOSTNAME, Topology.ZONE or Topology.custom(\'<node label key>\')'],
  ['KarmadaControlPlaneNode: a toleration of a key that is not a taint key', node({ hosts: { tolerations: [kplus.NodeTaintQuery.exists('control plane')] } }),
    'hosts.tolerations[0] key \'control plane\' is not a taint key: use e.g. \'node-role.kubernetes.io/control-plane\''],
  ['KarmadaControlPlaneNode: leader election the components refuse', node({ leaderElection: { leaseDuration: Duration.seconds(10) } }),
    'leaderElection.leaseDuration (10s) must be greater than leaderElection.renewDeadline (10s) or the components refuse to start: lengthen the lease or shorten the renew deadline'],
  ['KarmadaSchedulerEstimator: no replica', estimator({ replicas: 0 }),
    'replicas must be a whole number of at least 1, got 0'],
  ['KarmadaSchedulerEstimator: a fractional replica count', estimator({ replicas: 1.5 }),
    'replicas must be a whole number of at least 1, got 1.5'],
  ['KarmadaSchedulerEstimator: an image with spaces', estimator({ image: 'karmada/karmada scheduler estimator' }),
    'image \'karmada/karmada scheduler estimator\' contains whitespace: write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\''],
  ['KarmadaSchedulerEstimator: a kubeconfig Secret that is not a name', estimator({ memberKubeconfigSecret: 'member 1 kubeconfig' }),
    'memberKubeconfigSecret \'member 1 kubeconfig\' is not a valid Secret name (a DNS-1123 subdomain): use lowercase letters, digits, \'-\' and \'.\', e.g. \'karmada-etcd-client-cert\''],
  ['KarmadaSchedulerEstimator: an invalid namespace', estimator({ namespace: 'Karmada' }),
    'namespace \'Karmada\' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. \'karmada-system\''],
  ['KarmadaBootstrapJob: an empty kubectl image', job({ images: { kubectl: ' ' } }),
    'images.kubectl is empty: write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\''],
  ['KarmadaBootstrapJob: port 0 in the apiserver URL', job({ apiServerUrl: 'https://karmada-apiserver:0' }),
    'apiServerUrl \'https://karmada-apiserver:0\' has port 0, on which nothing can be reached: write it as \'https://<host>[:<port>]\', e.g. \'https://karmada-apiserver.karmada-system.svc.cluster.local:5443\''],
  ['KarmadaBootstrapJob: a host label key that is not a label key', job({ hosts: { nodeLabels: { 'role=cp': 'yes' } } }),
    'hosts.nodeLabels key \'role=cp\' is not a label key: use e.g. \'node-role.kubernetes.io/control-plane\''],
  ['EtcdBackup: an hour out of range', backup({ schedule: '17 24 * * *' }),
    'etcdBackup.schedule \'17 24 * * *\' has hour \'24\', which Kubernetes refuses: give values 0-23, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'17 * * * *\''],
  ['EtcdBackup: an etcd 3.5 image', backup({ etcdImage: 'mirror.example.com/etcd:v3.5.21' }),
    'etcdImage \'mirror.example.com/etcd:v3.5.21\' is etcd 3.5, but the library writes the flags of etcd 3.6 (e.g. --feature-gates=InitialCorruptCheck=true), which etcd 3.5 refuses at start: use an image of etcd 3.6 or later, e.g. tag \'3.6.6-0\''],
  ['EtcdBackup: a shell image that is not a reference', backup({ images: { shell: 'busybox:' } }),
    'images.shell \'busybox:\' is not an image reference: write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\''],
  ['EtcdBackup: a volume of half a GiB', backup({ storageSize: Size.mebibytes(512) }),
    'etcdBackup.storageSize must be a whole number of GiB of at least 1, got 0.5 GiB: use e.g. Size.gibibytes(200)'],
  ['EtcdBackup: a quota of no bytes', backup({ quotaBackend: Size.gibibytes(0) }),
    'etcdTuning.quotaBackend must be more than 0, got 0 bytes: use e.g. Size.gibibytes(8)'],
  ['EtcdDefragmentation: weekday 7', defrag({ schedule: '47 3 * * 7' }),
    'etcdDefragmentation.schedule \'47 3 * * 7\' has day-of-week \'7\', which Kubernetes refuses: give values 0-6 or SUN-SAT, as \'*\', \'a\', \'a-b\' or \'a,b\', each optionally with a step \'/n\' of at least 1 (and a range\'s start not after its end), e.g. \'47 3 * * 0\''],
  ['EtcdDefragmentation: a toleration value that is not a taint value', defrag({ hosts: { tolerations: [kplus.NodeTaintQuery.is('dedicated', 'etcd/maintenance')] } }),
    'hosts.tolerations[0] value \'etcd/maintenance\' is not a taint value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
  ['KarmadaNetworkPolicies: a node name that is not a name', policies({ controlPlaneNodeNames: ['cp-0', 'CP-1', 'cp-2'] }),
    'controlPlaneNodeNames[1] \'CP-1\' is not a DNS-1123 label that starts with a letter and has at most 40 characters: use lowercase letters, digits and \'-\', e.g. \'karmada-cp-1\''],
  ['KarmadaNetworkPolicies: a member listed twice', policies({ etcdMemberNames: ['etcd-0', 'etcd-0', 'etcd-2'] }),
    'etcdMemberNames contains \'etcd-0\' more than once: give every etcd member a name of its own'],
  ['KarmadaNetworkPolicies: an http external endpoint', policies({ etcdPlacement: EtcdPlacement.EXTERNAL_ENDPOINTS, externalEtcdEndpoints: ['http://e0.example:2379'] }),
    'externalEtcdEndpoints[0] \'http://e0.example:2379\' uses http: karmada-apiserver must reach etcd over TLS, use \'https://e0.example:2379\''],
  ['KarmadaNetworkPolicies: endpoints outside the cluster, none given', policies({ etcdPlacement: EtcdPlacement.EXTERNAL_ENDPOINTS }),
    'externalEtcdEndpoints is empty but etcdPlacement is EXTERNAL_ENDPOINTS: the policies would let karmada-apiserver reach no etcd; list the endpoints'],
  ['KarmadaNetworkPolicies: external members, none named', policies({ etcdPlacement: EtcdPlacement.EXTERNAL, etcdMemberNames: [] }),
    'etcdMemberNames is empty but etcdPlacement is EXTERNAL: the policies would let karmada-apiserver reach no etcd member; list the members'],
  ['KarmadaNetworkPolicies: stacked members that do not match the nodes', policies({ etcdMemberNames: ['etcd-0', 'etcd-1'] }),
    'etcdMemberNames lists 2 members but controlPlaneNodeNames 3 nodes: stacked member i runs beside node i, so list one member per node'],
  ['KarmadaNetworkPolicies: the kube-system namespace', policies({ namespace: 'kube-system' }),
    'namespace \'kube-system\' is shared with the host cluster\'s own pods, and the default-deny NetworkPolicy would cut them off (cluster DNS among them): use a namespace of its own, e.g. \'karmada-system\', or do not create these policies'],
  ['KarmadaNetworkPolicies: a member-cluster CIDR with host bits set', policies({ options: { memberClusterCidrs: ['2001:db8::1/32'] } }),
    'networkPolicies.memberClusterCidrs entry \'2001:db8::1/32\' has host bits set: write its network address, \'2001:db8::/32\''],
];

/** Each construct used on its own, with legal and safe props near the rules' edges: no error, no warning. */
const STANDALONE_ACCEPTED: Array<[string, Build]> = [
  ['KarmadaPushMember: a path behind a proxy, credentials given', pushMember({ apiEndpoint: 'https://proxy.example.com/k8s/clusters/c-1', credentials: { token: 't', caBundle: CA_PEM_BASE64, impersonatorToken: 'i' } })],
  ['KarmadaAgent: a cluster name of 48 characters, provider, region and zones', agent({ clusterName: 'm'.repeat(48), provider: 'aws', region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] })],
  ['EtcdMember: an etcd 3.6 image, whole GiB, a storage class', etcdMember({ image: 'mirror.example.com/etcd:3.6.6-0', storageSize: Size.gibibytes(32), storageClassName: 'fast-ssd' })],
  ['EtcdMember: a token of its own, Secrets of its own', etcdMember({ clusterToken: 'prod-etcd-2026', serverCertificateSecret: 's.server', peerCertificateSecret: 's.peer' })],
  ['KarmadaControlPlaneNode: a local member of its instance and namespace', stackedNode({ instance: 'prod', namespace: 'karmada-prod' }, { instance: 'prod', namespace: 'karmada-prod' })],
  ['KarmadaControlPlaneNode: a dual-stack range, images by digest', node({ serviceClusterIpRange: '10.96.0.0/12,fd00:10:96::/112', images: { apiServer: `kube-apiserver@${DIGEST}` } })],
  ['KarmadaSchedulerEstimator: one replica, a Secret of its own', estimator({ replicas: 1, memberKubeconfigSecret: 'member-1.kubeconfig' })],
  ['KarmadaBootstrapJob: images of a mirror', job({ images: { kubectl: 'mirror.example.com:443/kubectl:v1.35.4', shell: 'mirror.example.com/library/busybox' } })],
  ['EtcdBackup: a schedule with names', backup({ schedule: '0 */6 * * MON-SAT', storageSize: Size.gibibytes(200) })],
  ['EtcdDefragmentation: ? as the day of the month', defrag({ schedule: '0 4 ? * 0' })],
  ['KarmadaNetworkPolicies: IPv4 and IPv6 networks', policies({ options: { memberClusterCidrs: ['10.0.0.0/8', '2001:db8::/32'] } })],
];

describe('standalone constructs: the table', () => {
  test.each(STANDALONE_ERRORS)('%s', (_case, build, message) => {
    // GIVEN one construct with bad props WHEN it is built THEN it throws with the exact message, and emits nothing
    const chart = Testing.chart();
    let error: Error | undefined;
    try {
      build(chart);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeDefined();
    expect(error!.message.split(LINE)).toContain(message);
    expect(Testing.synth(chart)).toEqual([]);
  });

  test.each(STANDALONE_ACCEPTED)('accepts %s', (_case, build) => {
    const chart = Testing.chart();
    build(chart);
    expect(Testing.synth(chart).length).toBeGreaterThan(0);
    expect(KarmadaWarnings.of(chart)).toEqual([]);
  });
});

describe('standalone constructs validate their own input', () => {
  test('fails on a control-plane node with no etcd', () => {
    expect(() => new KarmadaControlPlaneNode(Testing.chart(), 'n', { nodeName: 'cp-0' }))
      .toThrow("control-plane node 'cp-0' has no etcd: give localEtcdMember (stacked) or etcdServers (external)");
  });

  test('fails on a local member stacked with another node', () => {
    const chart = Testing.chart();
    const member = new EtcdMember(chart, 'm', { memberName: 'etcd-0', initialClusterMembers: ['etcd-0'], controlPlaneNode: 'cp-1' });
    expect(() => new KarmadaControlPlaneNode(chart, 'n', { nodeName: 'cp-0', localEtcdMember: member }))
      .toThrow("localEtcdMember 'etcd-0' is not stacked with control-plane node 'cp-0': create it with controlPlaneNode: 'cp-0'");
  });

  test('fails on both a local member and etcd servers', () => {
    const chart = Testing.chart();
    const member = new EtcdMember(chart, 'm', { memberName: 'etcd-0', initialClusterMembers: ['etcd-0'], controlPlaneNode: 'cp-0' });
    expect(() => new KarmadaControlPlaneNode(chart, 'n', { nodeName: 'cp-0', localEtcdMember: member, etcdServers: THREE }))
      .toThrow("control-plane node 'cp-0' has both localEtcdMember and etcdServers: give localEtcdMember for the stacked topology or etcdServers for the external one");
  });

  test('fails on an http etcd server', () => {
    expect(() => new KarmadaControlPlaneNode(Testing.chart(), 'n', { nodeName: 'cp-0', etcdServers: ['http://etcd:2379'] }))
      .toThrow("etcdServers[0] 'http://etcd:2379' uses http: karmada-apiserver must reach etcd over TLS, use 'https://etcd:2379'");
  });
});

describe('EtcdMember validates its own input', () => {
  test('fails on a member missing from its initial cluster', () => {
    expect(() => new EtcdMember(Testing.chart(), 'm', { memberName: 'etcd-3', initialClusterMembers: ['etcd-0', 'etcd-1', 'etcd-2'] }))
      .toThrow("initialClusterMembers [etcd-0, etcd-1, etcd-2] does not list memberName 'etcd-3': list every member of the cluster, this one included");
  });

  test('fails on a member name that is not a DNS-1123 label', () => {
    expect(() => new EtcdMember(Testing.chart(), 'm', { memberName: 'Etcd', initialClusterMembers: ['Etcd'] }))
      .toThrow("memberName 'Etcd' is not a DNS-1123 label that starts with a letter and has at most 52 characters: use lowercase letters, digits and '-', e.g. 'karmada-etcd-0'");
  });
});

test('EtcdMember fails on timing etcd would refuse', () => {
  expect(() => new EtcdMember(Testing.chart(), 'm', {
    memberName: 'etcd-0', initialClusterMembers: ['etcd-0'], tuning: { heartbeatInterval: Duration.millis(200), electionTimeout: Duration.millis(500) },
  })).toThrow('etcdTuning.electionTimeout (500ms) must be at least 5 times etcdTuning.heartbeatInterval (200ms) or etcd refuses to start: set it to 1000ms or more (about 2000ms is usual)');
});

test('a quota warning is given once per topology, not once per member', () => {
  const { topology } = synthTopology({ etcdTuning: { quotaBackend: Size.gibibytes(12) }, etcdStorageSize: Size.gibibytes(30) });
  expect(KarmadaWarnings.of(topology)).toEqual(['etcdTuning.quotaBackend is 12 GiB, above the 8 GiB etcd advises: a larger database slows restarts, snapshots and defragmentation']);
});

describe('pure rules', () => {
  test.each([
    ['10.96.0.0/12', true], ['fd00:10:96::/112', true], ['10.96.0.0', false], ['300.1.1.1/8', false], ['10.0.0.0/33', false], ['fd00::/129', false],
    ['::/0', true], ['1:2:3:4:5:6:7:8/128', true], ['1:2:3:4:5:6:7:8:9/64', false], ['fd00::1::2/64', false], ['fd00:12345::/64', false],
  ])('isCidr(%s) is %s', (value, expected) => {
    expect(isCidr(value)).toBe(expected);
  });

  test.each([
    ['10.96.0.0/12', []], ['0.0.0.0/0', []], ['::/0', []], ['10.96.0.0/32', []], ['FD00:10:96::/112', []],
    ['10.96.0.1/12', ['x \'10.96.0.1/12\' has host bits set: write its network address, \'10.96.0.0/12\'']],
    ['2001:db8:0:0:1::1/64', ['x \'2001:db8:0:0:1::1/64\' has host bits set: write its network address, \'2001:db8::/64\'']],
    ['fd00:10:96:0:0:0:0:1/127', ['x \'fd00:10:96:0:0:0:0:1/127\' has host bits set: write its network address, \'fd00:10:96::/127\'']],
    ['1:0:0:2:0:0:0:3/120', ['x \'1:0:0:2:0:0:0:3/120\' has host bits set: write its network address, \'1:0:0:2::/120\'']],
  ])('checkCidrHostBits(%s)', (value, expected) => {
    expect(checkCidrHostBits('x', value)).toEqual(expected);
  });

  test('a dual-stack Service range is accepted', () => {
    expect(checkServiceClusterIpRange('10.96.0.0/12,fd00:10:96::/112')).toEqual([]);
  });
});
