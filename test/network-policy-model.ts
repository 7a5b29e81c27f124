/**
 * An evaluator of Kubernetes NetworkPolicy (networking.k8s.io/v1) semantics, written from the API reference:
 *
 * - A pod is isolated for ingress (egress) iff some policy in its namespace selects it and lists `Ingress`
 *   (`Egress`) in its policyTypes (absent policyTypes: Ingress, plus Egress when the policy has egress rules).
 * - A connection is allowed iff the source may send it (not isolated for egress, or some egress rule of a policy
 *   selecting it admits the destination and port) AND the destination may receive it (likewise for ingress).
 * - A rule admits a port when it lists no ports or one of its ports matches (protocol defaults to TCP; `endPort`
 *   makes a range). It admits a peer when it lists no peers or one of them matches.
 * - A peer with only podSelector matches pods of the policy's namespace; with only namespaceSelector, every pod of
 *   the matching namespaces; with both, pods matching both; an ipBlock matches addresses in its CIDR and not in
 *   `except`. Pod addresses are not matched by ipBlocks: the API reference leaves that implementation-defined, so
 *   this model takes the strict reading by default (in-cluster pods are reached through pod and namespace
 *   selectors) and the lenient one (ipBlocks match pod addresses too, as Calico does) on request.
 * - Addresses outside the cluster have no policies: they send and receive whatever the pods' policies allow.
 */

/** A label selector (matchLabels and matchExpressions); an empty one selects everything. */
export interface Selector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** A pod (one pod template stands for all its replicas) or an address outside the cluster. */
export interface Endpoint {
  /** A readable name for failure messages. */
  readonly name: string;
  /** Pods only. */
  readonly namespace?: string;
  readonly namespaceLabels?: Record<string, string>;
  readonly labels?: Record<string, string>;
  /** Addresses outside the cluster only. */
  readonly ip?: string;
  /** Pods only: the pod's address, matched by ipBlocks only under the lenient reading. */
  readonly podIp?: string;
  /** The ports it listens on (pods: the containers' ports). */
  readonly ports: Array<{ port: number; protocol: string }>;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** True when `labels` satisfy `selector`. */
export function selectorMatches(selector: Selector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In': if (!has || !values.includes(labels[expression.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[expression.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unknown selector operator ${expression.operator}`);
    }
  }
  return true;
}

/** An IPv4 or IPv6 address as a bit string. */
function addressBits(address: string): string {
  if (address.includes(':')) {
    const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
    if (groups.length !== 8) throw new Error(`bad IPv6 address ${address}`);
    return groups.map(group => parseInt(group, 16).toString(2).padStart(16, '0')).join('');
  }
  const octets = address.split('.').map(Number);
  if (octets.length !== 4) throw new Error(`bad IPv4 address ${address}`);
  return octets.map(octet => octet.toString(2).padStart(8, '0')).join('');
}

/** True when `address` lies in `cidr` (same family only). */
export function cidrContains(cidr: string, address: string): boolean {
  const [network, prefix] = cidr.split('/');
  if (network.includes(':') !== address.includes(':')) return false;
  const length = Number(prefix);
  return addressBits(network).slice(0, length) === addressBits(address).slice(0, length);
}

function peerMatches(peer: any, policyNamespace: string, other: Endpoint, ipBlocksMatchPods: boolean): boolean {
  if (peer.ipBlock) {
    const address = other.ip ?? (ipBlocksMatchPods ? other.podIp : undefined);
    if (address === undefined) return false;
    return cidrContains(peer.ipBlock.cidr, address) && !(peer.ipBlock.except ?? []).some((cidr: string) => cidrContains(cidr, address));
  }
  if (other.namespace === undefined) return false;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, other.namespaceLabels ?? {})) return false;
  } else if (other.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? selectorMatches(peer.podSelector, other.labels ?? {}) : true;
}

function portMatches(rulePorts: any[] | undefined, port: number, protocol: Protocol): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some(rulePort => {
    if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
    if (rulePort.port === undefined) return true;
    if (typeof rulePort.port !== 'number') throw new Error(`named port ${rulePort.port} is not modelled`);
    return rulePort.endPort === undefined ? rulePort.port === port : port >= rulePort.port && port <= rulePort.endPort;
  });
}

function policyTypes(policy: any): string[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

/** Evaluates connections against a set of NetworkPolicy objects. */
export class NetworkPolicyModel {
  /**
   * @param ipBlocksMatchPods the lenient reading some implementations take (Calico): an ipBlock matches a pod's
   * address too. The default is the strict reading.
   */
  constructor(private readonly policies: any[], private readonly ipBlocksMatchPods: boolean = false) {
    for (const policy of policies) {
      if (policy.apiVersion !== 'networking.k8s.io/v1' || policy.kind !== 'NetworkPolicy') throw new Error(`not a NetworkPolicy: ${policy.kind}`);
    }
  }

  /** The policies that select `pod` and govern `direction`. */
  public governing(pod: Endpoint, direction: 'Ingress' | 'Egress'): any[] {
    if (pod.namespace === undefined) return [];
    return this.policies.filter(policy => (policy.metadata.namespace === pod.namespace)
      && selectorMatches(policy.spec.podSelector, pod.labels ?? {}) && policyTypes(policy).includes(direction));
  }

  /** May `source` open a connection to `destination` on `port`/`protocol`? */
  public allowed(source: Endpoint, destination: Endpoint, port: number, protocol: Protocol): boolean {
    return this.egressAllowed(source, destination, port, protocol) && this.ingressAllowed(source, destination, port, protocol);
  }

  private egressAllowed(source: Endpoint, destination: Endpoint, port: number, protocol: Protocol): boolean {
    return this.directionAllowed(source, 'Egress', destination, port, protocol);
  }

  private ingressAllowed(source: Endpoint, destination: Endpoint, port: number, protocol: Protocol): boolean {
    return this.directionAllowed(destination, 'Ingress', source, port, protocol);
  }

  /** Does `pod` admit a connection with `other` in `direction`: not isolated, or some rule of a governing policy admits it? */
  private directionAllowed(pod: Endpoint, direction: 'Ingress' | 'Egress', other: Endpoint, port: number, protocol: Protocol): boolean {
    const policies = this.governing(pod, direction);
    if (policies.length === 0) return true;
    return policies.some(policy => (direction === 'Ingress' ? policy.spec.ingress ?? [] : policy.spec.egress ?? []).some((rule: any) => {
      const peers: any[] | undefined = direction === 'Ingress' ? rule.from : rule.to;
      return portMatches(rule.ports, port, protocol)
        && (!peers || peers.length === 0 || peers.some(peer => peerMatches(peer, policy.metadata.namespace, other, this.ipBlocksMatchPods)));
    }));
  }
}

/** Every pod template of the synthesized workloads (Deployments, StatefulSets, Jobs, CronJobs), as endpoints. */
export function podEndpoints(objects: any[], namespaceLabels: (namespace: string) => Record<string, string>): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const object of objects) {
    const template = object.kind === 'CronJob' ? object.spec.jobTemplate.spec.template
      : ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(object.kind) ? object.spec.template : undefined;
    if (!template) continue;
    const namespace = object.metadata.namespace;
    endpoints.push({
      name: `${object.kind}/${object.metadata.name}`,
      namespace,
      podIp: `10.244.${Math.floor(endpoints.length / 250)}.${(endpoints.length % 250) + 1}`,
      namespaceLabels: namespaceLabels(namespace),
      labels: template.metadata?.labels ?? {},
      ports: template.spec.containers.flatMap((container: any) => (container.ports ?? [])
        .map((port: any) => ({ port: port.containerPort, protocol: port.protocol ?? 'TCP' }))),
    });
  }
  return endpoints;
}
