import { ResolvedEtcdTuning } from './etcd-tuning';
import { MAX_INSTANCE_NAME_LENGTH } from './identities';

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

/** Names that must all differ. */
export function checkUnique(property: string, values: string[], what: string): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) duplicates.add(value);
    seen.add(value);
  }
  return [...duplicates].map(duplicate =>
    `${property} contains '${duplicate}' more than once: give every ${what} a name of its own`);
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
  if (!Number.isInteger(electionMillis) || electionMillis < 5 * heartbeatMillis) {
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

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(\d{1,3})$/;

/** An IPv4 or IPv6 CIDR such as '10.96.0.0/12'. */
export function isCidr(value: string): boolean {
  const v4 = IPV4_CIDR.exec(value);
  if (v4) return v4.slice(1, 5).every(octet => Number(octet) <= 255) && Number(v4[5]) <= 32;
  const v6 = IPV6_CIDR.exec(value);
  return v6 !== null && Number(v6[1]) <= 128;
}

/** The Service IP range of the Karmada API. */
export function checkServiceClusterIpRange(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').every(isCidr) ? []
    : [`serviceClusterIpRange '${value}' is not a CIDR (or two, IPv4 and IPv6, separated by a comma): use e.g. '10.96.0.0/12'`];
}

/** Source ranges only apply to a LoadBalancer, and must be CIDRs. */
export function checkSourceRanges(serviceType: string, ranges: string[] | undefined): string[] {
  if (ranges === undefined) return [];
  if (serviceType !== 'LoadBalancer') {
    return [`apiServerService.loadBalancerSourceRanges is set but apiServerService.type is ${serviceType}: use ServiceType.LOAD_BALANCER, or drop loadBalancerSourceRanges`];
  }
  return ranges.filter(range => !isCidr(range)).map(range =>
    `apiServerService.loadBalancerSourceRanges entry '${range}' is not a CIDR: write it as e.g. '10.0.0.0/8'`);
}

/** A NodePort is only meaningful for NodePort and LoadBalancer Services, in the default range. */
export function checkNodePort(serviceType: string, nodePort: number | undefined): string[] {
  if (nodePort === undefined) return [];
  if (serviceType !== 'NodePort' && serviceType !== 'LoadBalancer') {
    return [`apiServerService.nodePort is set (${nodePort}) but apiServerService.type is ${serviceType}: use ServiceType.NODE_PORT or ServiceType.LOAD_BALANCER, or drop nodePort`];
  }
  if (!Number.isInteger(nodePort) || nodePort < 30000 || nodePort > 32767) {
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
export function checkCertificateDnsName(property: string, value: string): string[] {
  const labels = value.split('.');
  const valid = value.length <= 253 && labels.every((label, index) =>
    (index === 0 && label === '*' && labels.length > 2) || /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(label));
  return valid ? [] : [`${property} '${value}' is not a DNS name: use lowercase labels separated by dots, e.g. 'karmada.example.com'`];
}

/** An IPv4 or IPv6 address (no prefix length). */
export function checkIpAddress(property: string, value: string): string[] {
  return isIpAddress(value) ? [] : [`${property} '${value}' is not an IP address: write e.g. '203.0.113.10' or '2001:db8::10', without a prefix length`];
}

/** True for an IPv4 or IPv6 address. */
export function isIpAddress(value: string): boolean {
  if (/^(\d{1,3})(\.\d{1,3}){3}$/.test(value)) return value.split('.').every(octet => Number(octet) <= 255);
  return value.includes(':') && isCidr(`${value}/128`);
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
