import * as kplus from 'cdk8s-plus-28';
import { Component, Ports } from './names';
import { ControlPlaneComponent } from '../components/component-spec';
import { componentsThat } from '../components/registry';
import { OptionalKarmadaComponents } from '../karmada-components';
import {
  componentSelector, componentsPodSelector, ETCD_COMPONENT, etcdMemberSelector, installationPodSelector, namespaceNameSelector,
} from './selectors';
import { checkCidrHostBits, checkLabels, checkNamespace, isCidr, isIpAddress } from './validation';
import { EtcdPorts } from '../ports';

/** Where member clusters' apiservers live when the user does not say: anywhere. */
export const DEFAULT_MEMBER_CLUSTER_CIDRS = ['0.0.0.0/0', '::/0'];
/** The cluster DNS pods: CoreDNS and kube-dns both carry this label in `kube-system`. */
export const DEFAULT_DNS_NAMESPACE = 'kube-system';
export const DEFAULT_DNS_POD_LABELS: Record<string, string> = { 'k8s-app': 'kube-dns' };
/** Every address, IPv4 and IPv6. */
const ANYWHERE = ['0.0.0.0/0', '::/0'];

/**
 * The ports that serve only metrics (and health) wherever they are open: etcd's 2381, the Karmada components' 8080,
 * kube-controller-manager's 10257. The aggregated API servers serve `/metrics` on their API port (8443), which stays
 * reserved to karmada-apiserver.
 */
export const METRICS_PORTS = [EtcdPorts.METRICS, Ports.KARMADA_METRICS, Ports.KUBE_CONTROLLER_MANAGER];

/** Everything the rule set depends on; the switches say which optional components run. */
export interface NetworkPolicyPlanInput extends OptionalKarmadaComponents {
  readonly instance: string;
  readonly stacked: boolean;
  /** The control-plane nodes, in order (stacked: node i runs beside member i). */
  readonly controlPlaneNodeNames: string[];
  /** The etcd members the library runs, in order; empty when etcd lives outside the cluster. */
  readonly etcdMemberNames: string[];
  /** The etcd client URLs outside the cluster; empty otherwise. */
  readonly externalEtcdEndpoints: string[];
  /** The entry point is a NodePort or LoadBalancer Service: clients outside the host cluster dial it. */
  readonly apiServerExposedOutsideCluster: boolean;
  readonly schedulerEstimators: boolean;
  readonly bootstrapJob: boolean;
  readonly etcdBackup: boolean;
  readonly etcdDefrag: boolean;
  readonly memberClusterCidrs: string[];
  readonly dnsNamespace: string;
  readonly dnsPodLabels: Record<string, string>;
  readonly metricsScraper?: { readonly namespaceLabels: Record<string, string>; readonly podLabels?: Record<string, string> };
}

/** One NetworkPolicy: its name and spec. */
export interface PlannedNetworkPolicy {
  readonly name: string;
  readonly spec: kplus.k8s.NetworkPolicySpec;
}

/** The checks of the user's network-policy options; every message names the property and the fix. */
export function checkNetworkPolicyOptions(options: {
  memberClusterCidrs?: string[];
  dnsNamespace?: string;
  dnsPodLabels?: Record<string, string>;
  metricsScraper?: { namespaceLabels: Record<string, string>; podLabels?: Record<string, string> };
}): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const cidrs = options.memberClusterCidrs;
  if (cidrs !== undefined) {
    errors.push(...cidrs.flatMap(cidr => isCidr(cidr)
      ? checkCidrHostBits('networkPolicies.memberClusterCidrs entry', cidr)
      : [`networkPolicies.memberClusterCidrs entry '${cidr}' is not a CIDR: write it as e.g. '10.0.0.0/8' or '2001:db8::/32'`]));
    if (cidrs.length === 0) {
      warnings.push('networkPolicies.memberClusterCidrs is empty: karmada-controller-manager, karmada-search, karmada-metrics-adapter, the cluster proxy and the scheduler estimators cannot reach any member cluster; list the CIDRs of the member clusters\' apiservers');
    }
  }
  if (options.dnsNamespace !== undefined) errors.push(...checkNamespace('networkPolicies.dnsNamespace', options.dnsNamespace));
  errors.push(...checkLabels('networkPolicies.dnsPodLabels', options.dnsPodLabels));
  if (options.dnsPodLabels !== undefined && Object.keys(options.dnsPodLabels).length === 0) {
    errors.push('networkPolicies.dnsPodLabels is empty: it would admit DNS traffic to every pod of the DNS namespace; give the DNS pods\' labels, e.g. { \'k8s-app\': \'kube-dns\' }');
  }
  if (options.metricsScraper !== undefined) {
    errors.push(...checkLabels('networkPolicies.metricsScraper.namespaceLabels', options.metricsScraper.namespaceLabels));
    errors.push(...checkLabels('networkPolicies.metricsScraper.podLabels', options.metricsScraper.podLabels));
    if (Object.keys(options.metricsScraper.namespaceLabels).length === 0) {
      errors.push('networkPolicies.metricsScraper.namespaceLabels is empty: it would admit the scraper\'s pod labels in every namespace; give the scraper namespace\'s labels, e.g. { \'kubernetes.io/metadata.name\': \'monitoring\' }');
    }
  }
  return { errors, warnings };
}

function tcp(...ports: number[]): kplus.k8s.NetworkPolicyPort[] {
  return ports.map(port => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(port) }));
}

function pods(selector: kplus.k8s.LabelSelector): kplus.k8s.NetworkPolicyPeer {
  return { podSelector: selector };
}

function cidrPeers(cidrs: string[]): kplus.k8s.NetworkPolicyPeer[] {
  return cidrs.map(cidr => ({ ipBlock: { cidr } }));
}

/**
 * Egress rules to etcd endpoints outside the cluster. An IP literal becomes an ipBlock of that one address; a host
 * name resolves to addresses nobody knows at synth time, so its port is opened to every destination.
 */
export function externalEtcdEgress(endpoints: string[]): kplus.k8s.NetworkPolicyEgressRule[] {
  const anywherePorts = new Set<number>();
  const addressesByPort = new Map<number, string[]>();
  for (const endpoint of endpoints) {
    const url = new URL(endpoint);
    const port = Number(url.port);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIpAddress(host)) {
      const cidr = host.includes(':') ? `${host}/128` : `${host}/32`;
      const addresses = addressesByPort.get(port) ?? [];
      if (!addresses.includes(cidr)) addresses.push(cidr);
      addressesByPort.set(port, addresses);
    } else {
      anywherePorts.add(port);
    }
  }
  const rules: kplus.k8s.NetworkPolicyEgressRule[] = [];
  for (const [port, addresses] of addressesByPort) {
    if (!anywherePorts.has(port)) rules.push({ to: cidrPeers(addresses), ports: tcp(port) });
  }
  if (anywherePorts.size > 0) rules.push({ ports: tcp(...[...anywherePorts].sort((a, b) => a - b)) });
  return rules;
}

/**
 * The installation's NetworkPolicies. The namespace denies every connection in and out; each further policy opens
 * one path, on both ends (the client's egress and the server's ingress), so a connection passes only where both
 * ends agree.
 */
export function planNetworkPolicies(input: NetworkPolicyPlanInput): PlannedNetworkPolicy[] {
  const i = input.instance;
  const select = (components: string[], node?: string) => componentsPodSelector(i, components, node);
  const optional = (on: boolean, component: string) => (on ? [component] : []);
  // The roles of the running components, from the registry: who dials etcd, karmada-apiserver, the estimators and
  // the member clusters, and whom karmada-apiserver dials.
  const that = (capability: (component: ControlPlaneComponent) => boolean) => componentsThat(input, capability);
  const etcdClientsOfNode = that(component => component.etcdClient);
  const servedComponents = that(component => component.serving !== undefined && component.serving !== 'apiserver');
  const estimatorClients = that(component => component.dialsEstimators === true);
  const karmadaApiClients = [...that(component => component.karmadaApiClient), ...optional(input.bootstrapJob, Component.BOOTSTRAP)];
  const memberClusterClients = [
    ...that(component => component.dialsMemberClusters === true),
    ...optional(input.schedulerEstimators, Component.SCHEDULER_ESTIMATOR),
  ];
  const inClusterEtcd = input.etcdMemberNames.length > 0;
  const maintenance = inClusterEtcd
    ? [...optional(input.etcdBackup, Component.ETCD_BACKUP), ...optional(input.etcdDefrag, Component.ETCD_DEFRAG)] : [];
  const apiServers = pods({ matchLabels: componentSelector(i, Component.API_SERVER) });
  const etcdMembers = pods({ matchLabels: componentSelector(i, ETCD_COMPONENT) });

  const policies: PlannedNetworkPolicy[] = [
    { name: `${i}-default-deny`, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    {
      name: `${i}-dns`,
      spec: {
        podSelector: installationPodSelector(i),
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: namespaceNameSelector(input.dnsNamespace), podSelector: { matchLabels: { ...input.dnsPodLabels } } }],
          ports: [{ protocol: 'UDP', port: kplus.k8s.IntOrString.fromNumber(53) }, ...tcp(53)],
        }],
      },
    },
  ];

  if (inClusterEtcd) {
    policies.push({
      name: `${i}-etcd-peers`,
      spec: {
        podSelector: { matchLabels: componentSelector(i, ETCD_COMPONENT) },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [etcdMembers], ports: tcp(EtcdPorts.PEER) }],
        egress: [{ to: [etcdMembers], ports: tcp(EtcdPorts.PEER) }],
      },
    });
    input.etcdMemberNames.forEach((member, index) => {
      const self = pods({ matchLabels: etcdMemberSelector(i, member) });
      const clients = input.stacked ? select(etcdClientsOfNode, input.controlPlaneNodeNames[index]) : select(etcdClientsOfNode);
      policies.push({
        name: `${member}-clients`,
        spec: {
          podSelector: { matchLabels: etcdMemberSelector(i, member) },
          policyTypes: ['Ingress', 'Egress'],
          // The member's own gRPC gateway dials its client URL.
          ingress: [{ from: [pods(clients), ...(maintenance.length > 0 ? [pods(select(maintenance))] : []), self], ports: tcp(EtcdPorts.CLIENT) }],
          egress: [{ to: [self], ports: tcp(EtcdPorts.CLIENT) }],
        },
      });
    });
  }

  // The etcd clients' side: stacked, each node's clients reach only their own member.
  if (input.stacked) {
    input.controlPlaneNodeNames.forEach((node, index) => policies.push({
      name: `${node}-etcd-clients`,
      spec: {
        podSelector: select(etcdClientsOfNode, node),
        policyTypes: ['Egress'],
        egress: [{ to: [pods({ matchLabels: etcdMemberSelector(i, input.etcdMemberNames[index]) })], ports: tcp(EtcdPorts.CLIENT) }],
      },
    }));
  } else {
    policies.push({
      name: `${i}-etcd-clients`,
      spec: {
        podSelector: select(etcdClientsOfNode),
        policyTypes: ['Egress'],
        egress: inClusterEtcd ? [{ to: [etcdMembers], ports: tcp(EtcdPorts.CLIENT) }] : externalEtcdEgress(input.externalEtcdEndpoints),
      },
    });
  }
  if (maintenance.length > 0) {
    policies.push({
      name: `${i}-etcd-maintenance`,
      spec: { podSelector: select(maintenance), policyTypes: ['Egress'], egress: [{ to: [etcdMembers], ports: tcp(EtcdPorts.CLIENT) }] },
    });
  }

  // karmada-apiserver: admitted from every pod of the host cluster; from anywhere when exposed outside it. A
  // LoadBalancer's loadBalancerSourceRanges filter at the load balancer, and with externalTrafficPolicy Cluster the
  // client addresses are SNATed to node addresses, so an ipBlock of client CIDRs would not match here.
  policies.push({
    name: `${i}-apiserver`,
    spec: {
      podSelector: { matchLabels: componentSelector(i, Component.API_SERVER) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{ namespaceSelector: {} }, ...(input.apiServerExposedOutsideCluster ? cidrPeers(ANYWHERE) : [])],
        ports: tcp(Ports.API_SERVER),
      }],
      egress: [{ to: [pods(select(servedComponents))], ports: tcp(Ports.EXTENSION_SERVER) }],
    },
  });
  policies.push({
    name: `${i}-apiserver-clients`,
    spec: { podSelector: select(karmadaApiClients), policyTypes: ['Egress'], egress: [{ to: [apiServers], ports: tcp(Ports.API_SERVER) }] },
  });
  policies.push({
    name: `${i}-served-components`,
    spec: { podSelector: select(servedComponents), policyTypes: ['Ingress'], ingress: [{ from: [apiServers], ports: tcp(Ports.EXTENSION_SERVER) }] },
  });

  if (input.schedulerEstimators) {
    const estimators = { matchLabels: componentSelector(i, Component.SCHEDULER_ESTIMATOR) };
    policies.push({
      name: `${i}-scheduler-estimators`,
      spec: { podSelector: estimators, policyTypes: ['Ingress'], ingress: [{ from: [pods(select(estimatorClients))], ports: tcp(Ports.SCHEDULER_ESTIMATOR) }] },
    });
    policies.push({
      name: `${i}-estimator-clients`,
      spec: { podSelector: select(estimatorClients), policyTypes: ['Egress'], egress: [{ to: [pods(estimators)], ports: tcp(Ports.SCHEDULER_ESTIMATOR) }] },
    });
  }

  if (input.memberClusterCidrs.length > 0) {
    policies.push({
      name: `${i}-member-clusters`,
      spec: { podSelector: select(memberClusterClients), policyTypes: ['Egress'], egress: [{ to: cidrPeers(input.memberClusterCidrs) }] },
    });
  }

  if (input.metricsScraper) {
    policies.push({
      name: `${i}-metrics-scraper`,
      spec: {
        podSelector: installationPodSelector(i),
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{
            namespaceSelector: { matchLabels: { ...input.metricsScraper.namespaceLabels } },
            ...(input.metricsScraper.podLabels ? { podSelector: { matchLabels: { ...input.metricsScraper.podLabels } } } : {}),
          }],
          ports: tcp(...METRICS_PORTS),
        }],
      },
    });
  }
  return policies;
}
