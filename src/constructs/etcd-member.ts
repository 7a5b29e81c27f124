import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEFAULT_ETCD_STORAGE_SIZE, EtcdTuning, resolveEtcdTuning } from '../etcd-tuning';
import { HostRequirements } from '../host-requirements';
import { InstallationProps, resolveInstallation } from '../installation';
import { EtcdPorts } from '../ports';

import { serviceHostName } from '../private/dns';
import { applyHostRequirements, zoneSpreadConstraint } from '../private/host-placement';
import { DEFAULT_ETCD_IMAGE } from '../private/image-defaults';
import { MAX_CONTROL_PLANE_NODE_NAME_LENGTH, SecretNames } from '../private/names';
import { WORKLOAD_CONTAINER_PROPS, WORKLOAD_POD_PROPS, mountSecret, shapeWorkload } from '../private/pod-defaults';
import { checkPriorityClassName, checkResources, resolveEtcdPriorityClassName } from '../private/resources-and-priority';
import {
  allEtcdMembersSelector, dropConstructPathLabel, etcdMemberPodLabels, etcdMemberSelector, selectAllControlPlaneNodes, selectControlPlaneNode,
  selectOtherControlPlaneNodes, selectOtherEtcdMembers,
} from '../private/selectors';
import {
  checkDnsDomain, checkEtcdImage, checkEtcdTuning, checkHostRequirements, checkInstanceName, checkMinZones, checkNamespace, checkObjectName,
  checkSecretName, checkSubdomainName, checkTopologyKey, checkUnique, checkWholeGibibytes,
} from '../private/validation';

/** The longest member name: its StatefulSet name plus a revision hash must fit a 63-character label value. */
export const MAX_ETCD_MEMBER_NAME_LENGTH = 52;

/** Where an etcd member's files live inside its container. */
const ETCD_DATA_MOUNT = '/var/lib/etcd';
const ETCD_DATA_DIR = `${ETCD_DATA_MOUNT}/data`;
const ETCD_SERVER_PKI = '/etc/etcd/pki/server';
const ETCD_PEER_PKI = '/etc/etcd/pki/peer';

/**
 * Props of one etcd member.
 */
export interface EtcdMemberProps extends InstallationProps {
  /**
   * The member's name: its etcd `--name`, its StatefulSet and its headless Service. A DNS-1123 label.
   */
  readonly memberName: string;
  /**
   * The names of every member of the cluster, this one included, as they bootstrap together
   * (`--initial-cluster`). All members must share the namespace and cluster domain.
   */
  readonly initialClusterMembers: string[];
  /**
   * The token that keeps this cluster's bootstrap apart from other etcd clusters (`--initial-cluster-token`).
   * @default - `<instance>-etcd`
   */
  readonly clusterToken?: string;
  /**
   * Container image. The synthesized flags are those of etcd 3.6: a tag that names an older version is refused.
   * @default 'registry.k8s.io/etcd:3.6.6-0'
   */
  readonly image?: string;
  /**
   * Performance and retention settings.
   * @default - etcd's defaults for timing, an 8 GiB quota, periodic compaction keeping 1h
   */
  readonly tuning?: EtcdTuning;
  /**
   * Size of the member's persistent volume claim. Keep it well above the backend quota.
   * @default Size.gibibytes(20)
   */
  readonly storageSize?: Size;
  /**
   * Storage class of the member's persistent volume claim. Use SSD-backed storage: WAL fsync latency bounds etcd.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;
  /**
   * Secret with the member's serving certificate for clients (keys `tls.crt`, `tls.key`, and `ca.crt`: the CA
   * that signs client certificates). Its SANs must cover `<memberName>.<namespace>.svc.<clusterDomain>`.
   * @default - `<memberName>-server-cert`
   */
  readonly serverCertificateSecret?: string;
  /**
   * Secret with the member's peer certificate (keys `tls.crt`, `tls.key`, and `ca.crt`: the CA that signs peer
   * certificates). Used as server and client certificate between members.
   * @default - `<memberName>-peer-cert`
   */
  readonly peerCertificateSecret?: string;
  /**
   * Stacked topology: the control-plane node whose host this member shares. The member is labelled with it and
   * required to run on the same host as that node's components.
   * @default - not stacked: the member is not tied to any control-plane node
   */
  readonly controlPlaneNode?: string;
  /**
   * The failure domain no two members (and, when stacked, no two control-plane nodes) may share.
   * @default kplus.Topology.HOSTNAME
   */
  readonly failureDomain?: kplus.Topology;
  /**
   * External topology: keep this member off every host that runs a control-plane node.
   * @default false
   */
  readonly avoidControlPlaneHosts?: boolean;
  /**
   * Which hosts may run the member.
   * @default - any host
   */
  readonly hosts?: HostRequirements;
  /**
   * Spread the installation's members over zones (`topology.kubernetes.io/zone`, a topology spread constraint): no
   * zone holds more than one member above any other, and at least this many zones are used (`minDomains`); a member
   * that would break either stays Pending rather than doubling up. Only for members that are not stacked: a stacked
   * member follows its control-plane node.
   * @default - no zone spreading
   */
  readonly minZones?: number;
  /**
   * Resources of the etcd container.
   * @default - requests 500m CPU and 1Gi memory, limit 8Gi memory, no CPU limit (throttling stalls heartbeats)
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * The member's PriorityClass; `''` sets none. On some managed clusters (GKE), pods with `system-node-critical`
   * outside `kube-system` need a ResourceQuota in their namespace that allows that class.
   * @default 'system-node-critical'
   */
  readonly priorityClassName?: string;
}

/**
 * One voting etcd member: a single-replica StatefulSet with a persistent volume claim, a headless Service that
 * gives it a stable DNS name (and publishes it before the member is ready, so peers can bootstrap), client and
 * peer TLS with client-certificate authentication on both, and metrics and health on a port of their own.
 *
 * @example
 * // Three external members, each on a host of its own, away from the control-plane hosts.
 * const members = ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'];
 * members.forEach((memberName, i) => new EtcdMember(chart, `etcd-${i}`, {
 *   memberName,
 *   initialClusterMembers: members,
 *   storageSize: Size.gibibytes(20),
 *   avoidControlPlaneHosts: true,
 * }));
 */
export class EtcdMember extends Construct {
  /** The member's name. */
  public readonly memberName: string;
  /** The installation the member belongs to (label `app.kubernetes.io/instance`). */
  public readonly instance: string;
  /** The namespace of its objects. */
  public readonly namespace: string;
  /** The member's stable DNS name. */
  public readonly hostName: string;
  /** The URL clients dial: `https://<hostName>:2379`. */
  public readonly clientUrl: string;
  /** The URL peers dial: `https://<hostName>:2380`. */
  public readonly peerUrl: string;
  /** The control-plane node this member is stacked with, if any. */
  public readonly controlPlaneNode?: string;
  /** The member's StatefulSet. */
  public readonly statefulSet: kplus.StatefulSet;
  /** The member's headless Service. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: EtcdMemberProps) {
    super(scope, id);
    const { instance, namespace, clusterDomain } = resolveInstallation(this, props);
    const tuning = resolveEtcdTuning(props.tuning);
    const failureDomain = props.failureDomain ?? kplus.Topology.HOSTNAME;

    const errors = [
      ...checkObjectName('memberName', props.memberName, MAX_ETCD_MEMBER_NAME_LENGTH, 'karmada-etcd-0'),
      ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
      ...(props.namespace !== undefined ? checkNamespace('namespace', props.namespace) : []),
      ...checkDnsDomain('clusterDomain', clusterDomain),
      ...props.initialClusterMembers.flatMap((member, index) => member === props.memberName ? []
        : checkObjectName(`initialClusterMembers[${index}]`, member, MAX_ETCD_MEMBER_NAME_LENGTH, `${instance}-etcd-${index}`)),
      ...checkUnique('initialClusterMembers', props.initialClusterMembers, 'etcd member'),
      ...(props.clusterToken !== undefined && !/^[^\s,=]+$/.test(props.clusterToken) ? [`clusterToken '${props.clusterToken}' is empty or has whitespace, ',' or '=': give a word of its own to this cluster, e.g. '${instance}-etcd'`] : []),
      ...(props.image !== undefined ? checkEtcdImage('image', props.image) : []),
      ...checkWholeGibibytes('storageSize', props.storageSize, 'Size.gibibytes(20)'),
      ...(props.storageClassName !== undefined ? checkSubdomainName('storageClassName', props.storageClassName, 'StorageClass', 'fast-ssd') : []),
      ...(props.serverCertificateSecret !== undefined ? checkSecretName('serverCertificateSecret', props.serverCertificateSecret) : []),
      ...(props.peerCertificateSecret !== undefined ? checkSecretName('peerCertificateSecret', props.peerCertificateSecret) : []),
      ...(props.controlPlaneNode !== undefined ? checkObjectName('controlPlaneNode', props.controlPlaneNode, MAX_CONTROL_PLANE_NODE_NAME_LENGTH, 'karmada-cp-0') : []),
      ...checkTopologyKey('failureDomain', failureDomain.key),
      ...checkHostRequirements('hosts', props.hosts),
      ...(props.avoidControlPlaneHosts && props.controlPlaneNode !== undefined ? [`avoidControlPlaneHosts is set on a member stacked with control-plane node '${props.controlPlaneNode}': it would have to share that node's host and keep off it, and would stay Pending; drop avoidControlPlaneHosts (stacked) or controlPlaneNode (external)`] : []),
      ...(props.minZones !== undefined ? checkMinZones(props.minZones, props.controlPlaneNode) : []),
      ...(props.initialClusterMembers.includes(props.memberName) ? [] : [`initialClusterMembers [${props.initialClusterMembers.join(', ')}] does not list memberName '${props.memberName}': list every member of the cluster, this one included`]),
      // Warnings about legal tuning are HATopology's to give, once; a member only refuses what etcd would refuse.
      ...checkEtcdTuning(tuning).errors,
      ...checkResources('resources', props.resources),
      ...checkPriorityClassName('priorityClassName', props.priorityClassName),
    ];
    if (errors.length > 0) throw new Error(errors.join('\n'));
    this.memberName = props.memberName;
    this.instance = instance;
    this.namespace = namespace;
    this.controlPlaneNode = props.controlPlaneNode;
    this.hostName = serviceHostName(this.memberName, this.namespace, clusterDomain);
    this.clientUrl = `https://${this.hostName}:${EtcdPorts.CLIENT}`;
    this.peerUrl = `https://${this.hostName}:${EtcdPorts.PEER}`;

    const initialCluster = props.initialClusterMembers
      .map(member => `${member}=https://${serviceHostName(member, this.namespace, clusterDomain)}:${EtcdPorts.PEER}`)
      .join(',');

    const selector = etcdMemberSelector(instance, this.memberName);
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.memberName, namespace: this.namespace, labels: selector },
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: kplus.Pods.select(this, 'Pods', { labels: selector }),
      ports: [
        { name: 'client', port: EtcdPorts.CLIENT, targetPort: EtcdPorts.CLIENT },
        { name: 'peer', port: EtcdPorts.PEER, targetPort: EtcdPorts.PEER },
        { name: 'metrics', port: EtcdPorts.METRICS, targetPort: EtcdPorts.METRICS },
      ],
    });

    this.statefulSet = new kplus.StatefulSet(this, 'Resource', {
      metadata: { name: this.memberName, namespace: this.namespace, labels: selector },
      podMetadata: { labels: etcdMemberPodLabels(instance, this.memberName, props.controlPlaneNode) },
      replicas: 1,
      service: this.service,
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      // Every member is its own StatefulSet, so a RollingUpdate would restart all members at once on one
      // `kubectl apply` and lose quorum. OnDelete stages the change; members are rolled one at a time
      // (scripts/roll-etcd-members.sh), each only after the previous one is Ready again.
      strategy: kplus.StatefulSetUpdateStrategy.onDelete(),
      ...WORKLOAD_POD_PROPS,
    });
    shapeWorkload(this.statefulSet, selector, resolveEtcdPriorityClassName(props.priorityClassName));
    dropConstructPathLabel(ApiObject.of(this.service), '/spec/selector');

    const etcd = this.statefulSet.addContainer({
      ...WORKLOAD_CONTAINER_PROPS,
      name: 'etcd',
      image: props.image ?? DEFAULT_ETCD_IMAGE,
      command: ['etcd'],
      args: [
        `--name=${this.memberName}`,
        `--data-dir=${ETCD_DATA_DIR}`,
        `--listen-client-urls=https://$(POD_IP):${EtcdPorts.CLIENT}`,
        `--advertise-client-urls=${this.clientUrl}`,
        `--listen-peer-urls=https://$(POD_IP):${EtcdPorts.PEER}`,
        `--initial-advertise-peer-urls=${this.peerUrl}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        `--initial-cluster-token=${props.clusterToken ?? `${instance}-etcd`}`,
        '--client-cert-auth=true',
        `--trusted-ca-file=${ETCD_SERVER_PKI}/ca.crt`,
        `--cert-file=${ETCD_SERVER_PKI}/tls.crt`,
        `--key-file=${ETCD_SERVER_PKI}/tls.key`,
        '--peer-client-cert-auth=true',
        `--peer-trusted-ca-file=${ETCD_PEER_PKI}/ca.crt`,
        `--peer-cert-file=${ETCD_PEER_PKI}/tls.crt`,
        `--peer-key-file=${ETCD_PEER_PKI}/tls.key`,
        '--tls-min-version=TLS1.3',
        `--listen-metrics-urls=http://$(POD_IP):${EtcdPorts.METRICS}`,
        `--heartbeat-interval=${tuning.heartbeatIntervalMillis}`,
        `--election-timeout=${tuning.electionTimeoutMillis}`,
        `--quota-backend-bytes=${tuning.quotaBackendBytes}`,
        `--snapshot-count=${tuning.snapshotCount}`,
        `--auto-compaction-mode=${tuning.autoCompactionMode}`,
        `--auto-compaction-retention=${tuning.autoCompactionRetention}`,
        '--feature-gates=InitialCorruptCheck=true',
        '--watch-progress-notify-interval=5s',
        '--logger=zap',
        '--log-level=info',
      ],
      ports: [
        { name: 'client', number: EtcdPorts.CLIENT },
        { name: 'peer', number: EtcdPorts.PEER },
        { name: 'metrics', number: EtcdPorts.METRICS },
      ],
      // /livez answers while a member waits for its peers, so neither startup nor liveness kills a bootstrapping
      // member; /readyz needs a quorum (linearizable read), so an isolated member leaves its clients' endpoints.
      startup: kplus.Probe.fromHttpGet('/livez', {
        port: EtcdPorts.METRICS, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 30,
      }),
      liveness: kplus.Probe.fromHttpGet('/livez', {
        port: EtcdPorts.METRICS, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(15), failureThreshold: 8,
      }),
      readiness: kplus.Probe.fromHttpGet('/readyz', {
        port: EtcdPorts.METRICS, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(5), failureThreshold: 3,
      }),
      resources: props.resources ?? {
        cpu: { request: kplus.Cpu.millis(500) },
        memory: { request: Size.gibibytes(1), limit: Size.gibibytes(8) },
      },
    });
    mountSecret(this, 'ServerCert', etcd, props.serverCertificateSecret ?? SecretNames.etcdServer(this.memberName), ETCD_SERVER_PKI);
    mountSecret(this, 'PeerCert', etcd, props.peerCertificateSecret ?? SecretNames.etcdPeer(this.memberName), ETCD_PEER_PKI);

    // The data volume comes from a claim template (cdk8s-plus has no API for it): typed values, or the field is dropped.
    const statefulSetObject = ApiObject.of(this.statefulSet);
    statefulSetObject.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates', [{
      metadata: { name: 'data' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
        resources: { requests: { storage: kplus.k8s.Quantity.fromString(`${(props.storageSize ?? DEFAULT_ETCD_STORAGE_SIZE).toGibibytes()}Gi`) } },
      },
    }]));
    statefulSetObject.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'data', mountPath: ETCD_DATA_MOUNT }));

    // Placement: members never share a failure domain; stacked members stay with their node; external ones keep off
    // control-plane hosts.
    this.statefulSet.scheduling.separate(selectOtherEtcdMembers(this, 'OtherMembers', instance, this.memberName), { topology: failureDomain });
    if (props.controlPlaneNode) {
      this.statefulSet.scheduling.colocate(selectControlPlaneNode(this, 'OwnNode', instance, props.controlPlaneNode), { topology: kplus.Topology.HOSTNAME });
      this.statefulSet.scheduling.separate(selectOtherControlPlaneNodes(this, 'OtherNodes', instance, props.controlPlaneNode), { topology: failureDomain });
    }
    applyHostRequirements(this.statefulSet, props.hosts);
    if (props.minZones !== undefined) {
      statefulSetObject.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        zoneSpreadConstraint(allEtcdMembersSelector(instance), props.minZones),
      ]));
    }
    if (props.avoidControlPlaneHosts) {
      this.statefulSet.scheduling.separate(selectAllControlPlaneNodes(this, 'ControlPlaneHosts', instance), { topology: kplus.Topology.HOSTNAME });
    }
  }
}
