import { Size, SizeRoundingBehavior } from 'cdk8s';
import { ResolvedEtcdTuning } from '../etcd-tuning';
import { HostRequirements } from '../host-requirements';
import { KarmadaImages } from '../images';
import { MAX_INSTANCE_NAME_LENGTH } from './names';

/**
 * Validation rules as small pure functions. Each returns the messages it finds (empty when the input is fine).
 * Messages name the property, quote the bad value and say how to fix it; tests pin them word for word.
 */

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or at most 63 characters. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** An installation name: a DNS-1123 label short enough to prefix every object it names. */
export function checkInstanceName(property: string, value: string): string[] {
  return checkObjectName(property, value, MAX_INSTANCE_NAME_LENGTH, 'karmada');
}

/** The fewest control-plane nodes or etcd members an HA topology may have. */
export const MINIMUM_HA_COUNT = 3;
/** etcd's advice: more members make every write wait for more acknowledgements. */
export const MAXIMUM_ADVISED_ETCD_MEMBERS = 7;

/** A count that must be a whole number of at least `minimum`. */
export function checkMinimumCount(property: string, value: number, minimum: number = MINIMUM_HA_COUNT): string[] {
  if (!Number.isInteger(value)) {
    return [`${property} must be a whole number, got ${value}: set ${property} to ${minimum} or more`];
  }
  if (value < minimum) {
    return [`${property} must be at least ${minimum} for high availability, got ${value}: set ${property} to ${minimum} or more`];
  }
  return [];
}

/** Warnings for a legal but unwise etcd member count. */
export function warnEtcdMemberCount(property: string, members: number): string[] {
  if (!Number.isInteger(members) || members < MINIMUM_HA_COUNT) return [];
  const tolerated = Math.floor((members - 1) / 2);
  if (members % 2 === 0) {
    return [`${property} is ${members}, an even number: ${members} members survive ${tolerated} failure${tolerated === 1 ? '' : 's'}, no more than ${members - 1} do, and every write waits for one more member: use ${members - 1} or ${members + 1}`];
  }
  if (members > MAXIMUM_ADVISED_ETCD_MEMBERS) {
    return [`${property} is ${members}: every write waits for ${tolerated + 1} members and etcd advises at most ${MAXIMUM_ADVISED_ETCD_MEMBERS}: use 5 or 7`];
  }
  return [];
}

/**
 * External etcd: whether the host labels keep control-plane nodes off the members' hosts by themselves. Pod
 * anti-affinity alone only keeps them off hosts where a member runs *now*: while a member is down (a drain, a
 * reboot), a control-plane node whose own host is unavailable may be scheduled onto the member's host, and the
 * member, held there by its local volume, then stays Pending. Disjoint label sets (one key, two values) rule it out.
 */
export function warnExternalEtcdHostsNotDisjoint(controlPlaneHostLabels?: Record<string, string>, etcdHostLabels?: Record<string, string>): string[] {
  const disjoint = Object.entries(etcdHostLabels ?? {}).some(([key, value]) =>
    controlPlaneHostLabels?.[key] !== undefined && controlPlaneHostLabels[key] !== value);
  if (disjoint) return [];
  return ['etcd is external but controlPlaneHosts and etcdHosts do not keep their hosts apart by label: while an etcd member is down (a drain, a reboot), a control-plane node whose own host is unavailable can be scheduled onto the member\'s host, and the member, held there by its volume, then stays Pending; give both the same label key with different values, e.g. controlPlaneHosts: { nodeLabels: { \'karmada.io/host-role\': \'control-plane\' } } and etcdHosts: { nodeLabels: { \'karmada.io/host-role\': \'etcd\' } }'];
}

/**
 * A name that becomes part of Service, workload and label values: a DNS-1123 label that starts with a letter
 * (a Service name must) and leaves room for the suffixes the library adds.
 */
export function checkObjectName(property: string, value: string, maxLength: number, example: string): string[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !DNS_LABEL.test(value)) {
    return [`${property} '${value}' is not a DNS-1123 label that starts with a letter and has at most ${maxLength} characters: use lowercase letters, digits and '-', e.g. '${example}'`];
  }
  return [];
}

/** A namespace name: a DNS-1123 label. */
export function checkNamespace(property: string, value: string): string[] {
  if (value.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    return [`${property} '${value}' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. 'karmada-system'`];
  }
  return [];
}

/** Namespaces the host cluster's own pods live in. */
const SHARED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];

/**
 * The installation's namespace must be its own when the library labels the Namespace (restricted Pod Security) or
 * denies all traffic in it (the default-deny NetworkPolicy selects every pod of the namespace).
 * `labelsProperty` names the prop that makes the library label it, when it does; `policiesFix` says how to do
 * without the policies, when the library creates them.
 */
export function checkOwnNamespace(namespace: string, labelsProperty: string | undefined, policiesFix: string | undefined): string[] {
  if (!SHARED_NAMESPACES.includes(namespace)) return [];
  const errors: string[] = [];
  if (labelsProperty !== undefined) {
    errors.push(`namespace '${namespace}' is shared with the host cluster's own pods, and ${labelsProperty} would label it for the restricted Pod Security profile, which refuses their privileged pods: use a namespace of its own, e.g. 'karmada-system', or set ${labelsProperty} to false`);
  }
  if (policiesFix !== undefined) {
    errors.push(`namespace '${namespace}' is shared with the host cluster's own pods, and the default-deny NetworkPolicy would cut them off (cluster DNS among them): use a namespace of its own, e.g. 'karmada-system', or ${policiesFix}`);
  }
  return errors;
}

/** A DNS domain such as the cluster domain. */
export function checkDnsDomain(property: string, value: string): string[] {
  if (value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    return [`${property} '${value}' is not a DNS domain: use the cluster's DNS domain, e.g. 'cluster.local'`];
  }
  return [];
}

/** A Secret name: a DNS-1123 subdomain. */
export function checkSecretName(property: string, value: string): string[] {
  if (value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    return [`${property} '${value}' is not a valid Secret name (a DNS-1123 subdomain): use lowercase letters, digits, '-' and '.', e.g. 'karmada-etcd-client-cert'`];
  }
  return [];
}

/** Names (or other values) that must all differ; `fix` replaces the advice to rename, e.g. for URLs or zones. */
export function checkUnique(property: string, values: string[], what: string, fix?: string): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) duplicates.add(value);
    seen.add(value);
  }
  return [...duplicates].map(duplicate =>
    `${property} contains '${duplicate}' more than once: ${fix ?? `give every ${what} a name of its own`}`);
}

/** An explicit name list must agree with an explicit count. */
export function checkNamesMatchCount(namesProperty: string, names: string[], countProperty: string, count: number): string[] {
  if (names.length !== count) {
    return [`${namesProperty} lists ${names.length} name${names.length === 1 ? '' : 's'} but ${countProperty} is ${count}: drop ${countProperty} or list exactly ${count} names`];
  }
  return [];
}

/** An etcd client endpoint outside the cluster: `https://host:port`, no path. */
export function checkEtcdEndpoint(property: string, value: string): string[] {
  if (/^http:\/\//i.test(value)) {
    return [`${property} '${value}' uses http: karmada-apiserver must reach etcd over TLS, use '${value.replace(/^http:/i, 'https:')}'`];
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${property} '${value}' is not a URL: write each endpoint as 'https://<host>:<port>', e.g. 'https://etcd-0.example.com:2379'`];
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.port === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    return [`${property} '${value}' is not of the form 'https://<host>:<port>': write it e.g. as 'https://etcd-0.example.com:2379'`];
  }
  if (url.port === '0') {
    return [`${property} '${value}' has port 0, on which nothing can be reached: give the port etcd serves clients on, e.g. 'https://etcd-0.example.com:2379'`];
  }
  return [];
}

/** The etcd key prefix under which karmada-apiserver stores its objects. */
export function checkKeyPrefix(property: string, value: string): string[] {
  if (!value.startsWith('/') || value.length < 2 || value.endsWith('/') || /\s/.test(value)) {
    return [`${property} '${value}' is not an etcd key prefix: start it with '/', do not end it with '/', e.g. '/registry/karmada'`];
  }
  return [];
}

/** A node label key used as a failure domain. */
export function checkTopologyKey(property: string, key: string): string[] {
  if (key.trim().length === 0) {
    return [`${property} is an empty topology key: use Topology.HOSTNAME, Topology.ZONE or Topology.custom('<node label key>')`];
  }
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
    return [`${property} '${key}' is not a node label key: use Topology.HOSTNAME, Topology.ZONE or Topology.custom() with a key such as 'topology.kubernetes.io/zone'`];
  }
  return [];
}

/** Pod or namespace labels the user gives for a selector. */
export function checkLabels(property: string, labels: Record<string, string> | undefined): string[] {
  return Object.entries(labels ?? {}).flatMap(([key, value]) => [
    ...(LABEL_KEY.test(key) && key.length <= 317 ? [] : [`${property} key '${key}' is not a label key: use e.g. 'app.kubernetes.io/name'`]),
    ...(LABEL_VALUE.test(value) ? [] : [`${property} value '${value}' of '${key}' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`]),
  ]);
}

/** Node labels a host must carry: valid label keys and values. */
export function checkNodeLabels(property: string, labels: Record<string, string> | undefined): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (checkTopologyKey(property, key).length > 0) {
      errors.push(`${property} key '${key}' is not a label key: use e.g. 'node-role.kubernetes.io/control-plane'`);
    } else if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      errors.push(`${property} value '${value}' of '${key}' is not a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
  }
  return errors;
}

/** etcd refuses an election timeout below 5 heartbeats; both must be whole, positive milliseconds. */
export function checkEtcdTiming(heartbeatMillis: number, electionMillis: number): string[] {
  if (!Number.isInteger(heartbeatMillis) || heartbeatMillis < 1) {
    return [`etcdTuning.heartbeatInterval must be a whole number of milliseconds of at least 1, got ${heartbeatMillis}ms: use e.g. Duration.millis(100)`];
  }
  if (!Number.isInteger(electionMillis)) {
    return [`etcdTuning.electionTimeout must be a whole number of milliseconds, got ${electionMillis}ms: use e.g. Duration.millis(1000)`];
  }
  if (electionMillis < 5 * heartbeatMillis) {
    return [`etcdTuning.electionTimeout (${electionMillis}ms) must be at least 5 times etcdTuning.heartbeatInterval (${heartbeatMillis}ms) or etcd refuses to start: set it to ${5 * heartbeatMillis}ms or more (about ${10 * heartbeatMillis}ms is usual)`];
  }
  if (electionMillis > 50000) {
    return [`etcdTuning.electionTimeout (${electionMillis}ms) is above etcd's maximum of 50000ms: lower it`];
  }
  return [];
}

/** The backend quota must be positive; above 8 GiB is legal but against etcd's advice. */
export function checkEtcdQuota(quotaBytes: number): { errors: string[]; warnings: string[] } {
  const gib = quotaBytes / 1024 ** 3;
  if (!(quotaBytes > 0)) {
    return { errors: [`etcdTuning.quotaBackend must be more than 0, got ${quotaBytes} bytes: use e.g. Size.gibibytes(8)`], warnings: [] };
  }
  if (!Number.isInteger(quotaBytes)) {
    return { errors: [`etcdTuning.quotaBackend must be a whole number of bytes, got ${quotaBytes} bytes: use e.g. Size.gibibytes(8)`], warnings: [] };
  }
  if (gib > 8) {
    return { errors: [], warnings: [`etcdTuning.quotaBackend is ${gib} GiB, above the 8 GiB etcd advises: a larger database slows restarts, snapshots and defragmentation`] };
  }
  return { errors: [], warnings: [] };
}

/** A positive whole number such as the snapshot count. */
export function checkPositiveInteger(property: string, value: number): string[] {
  if (!Number.isInteger(value) || value < 1) {
    return [`${property} must be a whole number of at least 1, got ${value}`];
  }
  return [];
}

/** Auto-compaction retention in the form its mode takes. */
export function checkCompactionRetention(mode: string, retention: string): string[] {
  const ok = mode === 'revision' ? /^[1-9][0-9]*$/.test(retention) : /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/.test(retention) || /^[1-9][0-9]*$/.test(retention);
  if (!ok) {
    return [mode === 'revision'
      ? `etcdTuning.autoCompactionRetention '${retention}' is not a revision count: with EtcdCompactionMode.REVISION give a whole number such as '10000'`
      : `etcdTuning.autoCompactionRetention '${retention}' is not a duration: with EtcdCompactionMode.PERIODIC give e.g. '1h' or '30m'`];
  }
  return [];
}

/** The 4 octets of an IPv4 address, or undefined. */
function parseIpv4(address: string): number[] | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return undefined;
  const octets = address.split('.').map(Number);
  return octets.every(octet => octet <= 255) ? octets : undefined;
}

/** The 8 groups of an IPv6 address (at most one '::', 1 to 4 hex digits a group), or undefined. */
function parseIpv6(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string) => part === '' ? [] : part.split(':');
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  const given = [...head, ...tail];
  if (!given.every(group => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  if (halves.length === 1 ? given.length !== 8 : given.length > 7) return undefined;
  const zeros = new Array(8 - given.length).fill('0');
  return [...head, ...(halves.length === 2 ? zeros : []), ...tail].map(group => parseInt(group, 16));
}

/** An IPv6 address in its short form: lowercase, the longest run of two or more zero groups as '::'. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map(group => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** A parsed CIDR: its family, the address as written, its prefix length and its network address. */
interface ParsedCidr {
  readonly family: 'IPv4' | 'IPv6';
  readonly prefix: number;
  /** The CIDR with every host bit cleared, e.g. '10.96.0.0/12' for '10.96.0.1/12'. */
  readonly network: string;
}

/** Parse an IPv4 or IPv6 CIDR, or undefined when it is none. */
function parseCidr(value: string): ParsedCidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!match) return undefined;
  const prefix = Number(match[2]);
  const v4 = parseIpv4(match[1]);
  const v6 = v4 ? undefined : parseIpv6(match[1]);
  const bits = v4 ? 8 : 16;
  const parts = v4 ?? v6;
  if (!parts || prefix > parts.length * bits) return undefined;
  const masked = parts.map((part, index) => {
    const kept = Math.min(Math.max(prefix - index * bits, 0), bits);
    const hostSpan = 2 ** (bits - kept);
    return Math.floor(part / hostSpan) * hostSpan;
  });
  const address = v4 ? masked.join('.') : formatIpv6(masked);
  return { family: v4 ? 'IPv4' : 'IPv6', prefix, network: `${address}/${prefix}` };
}

/** An IPv4 or IPv6 CIDR such as '10.96.0.0/12' (host bits may be set). */
export function isCidr(value: string): boolean {
  return parseCidr(value) !== undefined;
}

/**
 * A CIDR must name its network: with host bits set (`10.96.0.1/12`) Kubernetes and the library would read the same
 * text differently (kube-apiserver uses the network, the library would count from the address written).
 */
export function checkCidrHostBits(property: string, value: string): string[] {
  const parsed = parseCidr(value);
  if (!parsed) return [];
  const [address] = value.split('/');
  const [network] = parsed.network.split('/');
  const same = parsed.family === 'IPv4' ? address === network : formatIpv6(parseIpv6(address)!) === network;
  return same ? [] : [`${property} '${value}' has host bits set: write its network address, '${parsed.network}'`];
}

/** The Service IP range of the Karmada API: one CIDR, or an IPv4 and an IPv6 CIDR separated by a comma. */
export function checkServiceClusterIpRange(value: string | undefined, property: string = 'serviceClusterIpRange'): string[] {
  if (value === undefined) return [];
  const ranges = value.split(',');
  if (!ranges.every(isCidr)) {
    return [`${property} '${value}' is not a CIDR (or two, IPv4 and IPv6, separated by a comma): use e.g. '10.96.0.0/12'`];
  }
  const families = ranges.map(range => parseCidr(range)!.family);
  if (ranges.length > 2 || (ranges.length === 2 && families[0] === families[1])) {
    return [`${property} '${value}' lists ${ranges.length} ranges of which ${ranges.length > 2 ? 'some share a family' : `both are ${families[0]}`}: give one range, or one IPv4 and one IPv6 range, e.g. '10.96.0.0/12,fd00:10:96::/112'`];
  }
  return ranges.flatMap(range => checkCidrHostBits(property, range));
}

/** Source ranges only apply to a LoadBalancer, and must be CIDRs. */
export function checkSourceRanges(serviceType: string, ranges: string[] | undefined): string[] {
  if (ranges === undefined) return [];
  if (serviceType !== 'LoadBalancer') {
    return [`apiServerService.loadBalancerSourceRanges is set but apiServerService.type is ${serviceType}: use ServiceType.LOAD_BALANCER, or drop loadBalancerSourceRanges`];
  }
  return ranges.flatMap(range => isCidr(range)
    ? checkCidrHostBits('apiServerService.loadBalancerSourceRanges entry', range)
    : [`apiServerService.loadBalancerSourceRanges entry '${range}' is not a CIDR: write it as e.g. '10.0.0.0/8'`]);
}

/** A NodePort is only meaningful for NodePort and LoadBalancer Services, in the default range. */
export function checkNodePort(serviceType: string, nodePort: number | undefined): string[] {
  if (nodePort === undefined) return [];
  if (serviceType !== 'NodePort' && serviceType !== 'LoadBalancer') {
    return [`apiServerService.nodePort is set (${nodePort}) but apiServerService.type is ${serviceType}: use ServiceType.NODE_PORT or ServiceType.LOAD_BALANCER, or drop nodePort`];
  }
  if (!Number.isInteger(nodePort)) {
    return [`apiServerService.nodePort must be a whole number, got ${nodePort}: pick a port in the default NodePort range 30000-32767`];
  }
  if (nodePort < 30000 || nodePort > 32767) {
    return [`apiServerService.nodePort ${nodePort} is outside the default NodePort range 30000-32767: pick a port in that range`];
  }
  return [];
}

/** Zone facts the user gave: a hard zone separation needs a zone per replica; fewer than 3 zones is fragile. */
export function checkZones(zones: string[] | undefined, failureDomainKey: string,
  controlPlaneNodes: number, etcdMembers: number): { errors: string[]; warnings: string[] } {
  if (zones === undefined) return { errors: [], warnings: [] };
  const distinct = new Set(zones).size;
  const errors: string[] = [];
  const warnings: string[] = [];
  zones.forEach((zone, index) => {
    if (zone === '' || !LABEL_VALUE.test(zone)) {
      errors.push(`zones[${index}] '${zone}' is not a value a node's topology.kubernetes.io/zone label can have, so no node would match and its pods would stay Pending: use 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, as the host cluster's nodes are labelled, e.g. 'eu-west-1a'`);
    }
  });
  errors.push(...checkUnique('zones', zones, 'zone', 'list every zone once'));
  if (distinct === 0) {
    errors.push('zones is empty: list the zones of the host cluster\'s nodes, or leave zones unset');
  }
  const needed = Math.max(controlPlaneNodes, etcdMembers);
  if (failureDomainKey === 'topology.kubernetes.io/zone' && distinct > 0 && distinct < needed) {
    errors.push(`failureDomain is topology.kubernetes.io/zone, which needs a zone for each of ${needed} replicas, but zones lists ${distinct}: list at least ${needed} zones or use Topology.HOSTNAME`);
  }
  if (distinct === 1) {
    warnings.push(`zones lists one zone ('${zones[0]}'): losing that zone stops the whole control plane; spread the hosts over at least 3 zones`);
  } else if (distinct === 2) {
    warnings.push('zones lists 2 zones: the zone that holds most etcd members takes quorum with it when it fails; spread the hosts over at least 3 zones');
  }
  return { errors, warnings };
}

/** Every check of a resolved etcd tuning. */
export function checkEtcdTuning(tuning: ResolvedEtcdTuning): { errors: string[]; warnings: string[] } {
  const quota = checkEtcdQuota(tuning.quotaBackendBytes);
  return {
    errors: [
      ...checkEtcdTiming(tuning.heartbeatIntervalMillis, tuning.electionTimeoutMillis),
      ...quota.errors,
      ...checkPositiveInteger('etcdTuning.snapshotCount', tuning.snapshotCount),
      ...checkCompactionRetention(tuning.autoCompactionMode, tuning.autoCompactionRetention),
    ],
    warnings: quota.warnings,
  };
}

/**
 * The volume must hold the backend database up to its quota, plus the WAL, snapshots and the copy a
 * defragmentation writes: below the quota it fills before etcd's NOSPACE alarm; below twice the quota it may.
 */
export function checkEtcdStorage(storageBytes: number, quotaBytes: number): { errors: string[]; warnings: string[] } {
  const gib = (bytes: number) => `${Math.round((bytes / 1024 ** 3) * 100) / 100} GiB`;
  if (storageBytes <= quotaBytes) {
    return { errors: [`etcdStorageSize (${gib(storageBytes)}) is not above etcdTuning.quotaBackend (${gib(quotaBytes)}): the volume fills before etcd's quota alarm; give at least ${gib(2 * quotaBytes)}`], warnings: [] };
  }
  if (storageBytes < 2 * quotaBytes) {
    return { errors: [], warnings: [`etcdStorageSize (${gib(storageBytes)}) is less than twice etcdTuning.quotaBackend (${gib(quotaBytes)}): WAL, snapshots and a defragmentation copy may fill the volume first; give at least ${gib(2 * quotaBytes)}`] };
  }
  return { errors: [], warnings: [] };
}

/** A DNS name a certificate may carry: lowercase labels, optionally one leading wildcard label. */
export function checkCertificateDnsName(property: string, value: string, ipAddressProperty?: string): string[] {
  if (ipAddressProperty !== undefined && isIpAddress(value)) {
    return [`${property} '${value}' is an IP address, which a certificate carries as an IP address, not as a DNS name: list it in ${ipAddressProperty}`];
  }
  const labels = value.split('.');
  const valid = value.length <= 253 && labels.every((label, index) =>
    (index === 0 && label === '*' && labels.length > 2) || /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(label));
  return valid ? [] : [`${property} '${value}' is not a DNS name: use lowercase labels separated by dots, e.g. 'karmada.example.com'`];
}

/** An IPv4 or IPv6 address (no prefix length). */
export function checkIpAddress(property: string, value: string, dnsNameProperty?: string): string[] {
  if (dnsNameProperty !== undefined && !isIpAddress(value) && checkCertificateDnsName(property, value).length === 0 && /[a-z]/.test(value)) {
    return [`${property} '${value}' is a DNS name, not an IP address: list it in ${dnsNameProperty}`];
  }
  return isIpAddress(value) ? [] : [`${property} '${value}' is not an IP address: write e.g. '203.0.113.10' or '2001:db8::10', without a prefix length`];
}

/** True for an IPv4 or IPv6 address. */
export function isIpAddress(value: string): boolean {
  return parseIpv4(value) !== undefined || parseIpv6(value) !== undefined;
}

/** An https URL of a host and at most a port (no path, query or credentials): an endpoint clients dial. */
export function checkHttpsUrl(property: string, value: string, example: string): string[] {
  const fix = `write it as 'https://<host>[:<port>]', e.g. '${example}'`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${property} '${value}' is not a URL: ${fix}`];
  }
  if (url.protocol !== 'https:') {
    return [`${property} '${value}' is not an https URL: its clients verify karmada-apiserver with the Karmada CA, ${fix}`];
  }
  if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return [`${property} '${value}' has a path, query or credentials: ${fix}`];
  }
  if (url.port === '0') {
    return [`${property} '${value}' has port 0, on which nothing can be reached: ${fix}`];
  }
  return [];
}

/** A member spread over zones: at least one zone, and never a stacked member (it follows its node). */
export function checkMinZones(minZones: number, controlPlaneNode: string | undefined): string[] {
  const errors: string[] = [];
  if (!Number.isInteger(minZones) || minZones < 1) {
    errors.push(`minZones is ${minZones}: give a whole number of zones, at least 1`);
  }
  if (controlPlaneNode !== undefined) {
    errors.push(`minZones is set on a member stacked with control-plane node '${controlPlaneNode}': a stacked member follows its node; drop minZones`);
  }
  return errors;
}

/** A qualified name, as annotation and label keys are: an optional DNS-subdomain prefix and '/', then a name. */
export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  return prefixOk && name.length <= 63 && LABEL_NAME.test(name);
}

/** Annotation keys: qualified names (the values may be any text). */
export function checkAnnotationKeys(property: string, annotations: Record<string, string> | undefined): string[] {
  return Object.keys(annotations ?? {}).filter(key => !isQualifiedName(key)).map(key =>
    `${property} key '${key}' is not an annotation key (an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): write it e.g. as 'service.beta.kubernetes.io/aws-load-balancer-internal'`);
}

/** The name of an object such as a StorageClass or an Issuer: a DNS-1123 subdomain. */
export function checkSubdomainName(property: string, value: string, what: string, example: string): string[] {
  if (value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    return [`${property} '${value}' is not a valid ${what} name (a DNS-1123 subdomain): use lowercase letters, digits, '-' and '.', e.g. '${example}'`];
  }
  return [];
}

/** Which hosts may run pods: valid node label keys and values, and tolerations of valid taint keys and values. */
export function checkHostRequirements(property: string, hosts: HostRequirements | undefined): string[] {
  if (hosts === undefined) return [];
  const errors = checkNodeLabels(`${property}.nodeLabels`, hosts.nodeLabels);
  (hosts.tolerations ?? []).forEach((query, index) => {
    const toleration = query._toKube();
    if (toleration.key !== undefined && !isQualifiedName(toleration.key)) {
      errors.push(`${property}.tolerations[${index}] key '${toleration.key}' is not a taint key: use e.g. 'node-role.kubernetes.io/control-plane'`);
    }
    if (toleration.value !== undefined && !LABEL_VALUE.test(toleration.value)) {
      errors.push(`${property}.tolerations[${index}] value '${toleration.value}' is not a taint value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
  });
  return errors;
}

/**
 * A size the library writes in whole GiB (`<n>Gi`): a volume's size. cdk8s cannot write any other amount there and
 * would fail without naming the property.
 */
export function checkWholeGibibytes(property: string, size: Size | undefined, example: string): string[] {
  if (size === undefined) return [];
  const gib = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!(gib >= 1) || !Number.isInteger(gib)) {
    return [`${property} must be a whole number of GiB of at least 1, got ${Math.round(gib * 1000) / 1000} GiB: use e.g. ${example}`];
  }
  return [];
}

// The container image reference grammar (a name, then an optional tag, then an optional digest), written out from
// its published description. A name is an optional registry host and '/', then lowercase path components separated
// by '/'. As container runtimes read it, the first component is a host only when it has a '.' or a ':' or is
// 'localhost'; the grammar would also take a bare upper-case word (`Karmada/...`) as a host, which is a typo far more
// often than a registry, so such a word is read as part of the (lowercase) repository.
const IMAGE_DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IMAGE_DOMAIN = new RegExp(`^(?:${IMAGE_DOMAIN_COMPONENT}(?:\\.${IMAGE_DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`);
const IMAGE_PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** The parts of an image reference: host (if any), repository path, tag and digest (undefined when absent). */
function splitImageReference(value: string): { domain?: string; path: string; tag?: string; digest?: string } {
  const at = value.indexOf('@');
  const name = at >= 0 ? value.slice(0, at) : value;
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : undefined;
  const hasDomain = first !== undefined && (/[.:]/.test(first) || first === 'localhost' || first.startsWith('['));
  const rest = hasDomain ? name.slice(slash + 1) : name;
  const colon = rest.lastIndexOf(':');
  return {
    domain: hasDomain ? first : undefined,
    path: colon >= 0 ? rest.slice(0, colon) : rest,
    tag: colon >= 0 ? rest.slice(colon + 1) : undefined,
    digest,
  };
}

/** A container image reference: `[host[:port]/]path[:tag][@digest]`, the path in lowercase. */
export function checkImageReference(property: string, value: string): string[] {
  const fix = 'write it as \'[host[:port]/]repository[:tag][@sha256:<digest>]\', e.g. \'registry.example.com/karmada/karmada-scheduler:v1.18.2\'';
  if (value.trim() === '') {
    return [`${property} is empty: ${fix}`];
  }
  if (/\s/.test(value)) {
    return [`${property} '${value}' contains whitespace: ${fix}`];
  }
  const { domain, path, tag, digest } = splitImageReference(value);
  const valid = (domain === undefined || IMAGE_DOMAIN.test(domain)) && (tag === undefined || IMAGE_TAG.test(tag))
    && (digest === undefined || IMAGE_DIGEST.test(digest)) && (domain ?? '').length + 1 + path.length <= 255;
  if (valid && !IMAGE_PATH.test(path) && IMAGE_PATH.test(path.toLowerCase())) {
    const lower = `${domain !== undefined ? `${domain}/` : ''}${path.toLowerCase()}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
    return [`${property} '${value}' has upper-case letters in its repository '${path}': repositories are lowercase, write '${lower}'`];
  }
  if (!valid || !IMAGE_PATH.test(path)) {
    return [`${property} '${value}' is not an image reference: ${fix}`];
  }
  return [];
}

/** The oldest etcd whose flags the library writes (e.g. `--feature-gates=InitialCorruptCheck=true`, new in 3.6). */
export const MINIMUM_ETCD_VERSION: readonly [number, number] = [3, 6];

/**
 * The etcd image: an image reference whose tag, when it names a version (`3.6.6-0`, `v3.6.6`), is etcd 3.6 or later.
 * Tags that name no version (`latest`, a digest alone) cannot be checked and are accepted.
 */
export function checkEtcdImage(property: string, value: string): string[] {
  const reference = checkImageReference(property, value);
  if (reference.length > 0) return reference;
  const version = /^v?(\d+)\.(\d+)(?:[.-]|$)/.exec(splitImageReference(value).tag ?? '');
  if (!version) return [];
  const [major, minor] = [Number(version[1]), Number(version[2])];
  const [minMajor, minMinor] = MINIMUM_ETCD_VERSION;
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    return [`${property} '${value}' is etcd ${major}.${minor}, but the library writes the flags of etcd ${minMajor}.${minMinor} (e.g. --feature-gates=InitialCorruptCheck=true), which etcd ${major}.${minor} refuses at start: use an image of etcd ${minMajor}.${minMinor} or later, e.g. tag '3.6.6-0'`];
  }
  return [];
}

/** Every image of a KarmadaImages, under `property` (e.g. `images`). */
export function checkImages(property: string, images: KarmadaImages | undefined): string[] {
  return Object.entries(images ?? {}).flatMap(([field, image]) =>
    image === undefined ? [] : checkImageReference(`${property}.${field}`, image));
}

/** A member cluster's name as Karmada accepts it: a DNS-1123 label short enough for its execution space `karmada-es-<name>`. */
export function checkClusterName(property: string, value: string, maxLength: number): string[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    return [`${property} '${value}' is not a Karmada cluster name (a DNS-1123 label of at most ${maxLength} characters): use lowercase letters, digits and '-', e.g. 'member-1'`];
  }
  return [];
}

/** A member cluster's kube-apiserver URL as Karmada dials it: https, a host, and at most a port and a path. */
export function checkMemberApiEndpoint(property: string, value: string): string[] {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.hostname === '' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return [`${property} '${value}' is not the https URL of the member's kube-apiserver (no query or credentials): write it e.g. as 'https://member-1.example.com:6443'`];
  }
  return [];
}

const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The base64 of a PEM certificate (bundle), as a Secret's `caBundle` or a kubeconfig's `certificate-authority-data`. */
export function checkBase64Certificate(property: string, value: string): string[] {
  const pem = BASE64_TEXT.test(value) ? Buffer.from(value, 'base64').toString('latin1') : '';
  if (value.length === 0 || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    return [`${property} is not the base64 of a PEM certificate: give the member cluster's CA certificate in base64, e.g. the output of base64 -w0 ca.crt`];
  }
  return [];
}

/** A secret value the user passes explicitly (a token, a kubeconfig): not empty. */
export function checkNotEmpty(property: string, value: string, fix: string): string[] {
  if (typeof value !== 'string' || value.trim().length === 0) {
    return [`${property} is empty: ${fix}`];
  }
  return [];
}
