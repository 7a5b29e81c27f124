/**
 * MODEL (not kube-scheduler; the real one runs in test/real-cluster-*.test.ts). A small model of the Kubernetes
 * scheduler's *required* inter-pod (anti-)affinity rules, enough to prove that a
 * synthesized placement is feasible, that forbidden placements are refused, and that a rolling update's surge pod
 * fits. It follows kube-scheduler's InterPodAffinity plugin: a required affinity term is met by a matching pod in
 * the same topology domain, or, when no pod anywhere matches, by the incoming pod matching its own term; a required
 * anti-affinity term of the incoming pod, or of an already placed pod (symmetry), forbids sharing the domain.
 * It also follows the NodeAffinity plugin (required node selector terms) and the PodTopologySpread plugin for hard
 * constraints (`DoNotSchedule`, `minDomains`, `nodeAffinityPolicy: Honor`): a host without the topology key is out,
 * and skew = matching pods in the host's domain + 1 if the pod matches itself - the minimum over eligible domains
 * (0 while fewer than minDomains domains exist) may not exceed maxSkew.
 */
import { Manifest } from './util';

export interface Host {
  readonly name: string;
  readonly labels: Record<string, string>;
}

export interface ScheduledPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly affinity: Manifest;
  readonly topologySpreadConstraints?: Manifest[];
  readonly host: string;
}

interface Term {
  labelSelector: Manifest;
  topologyKey: string;
  namespaces?: string[];
}

/** A pod of a workload (the template's labels and affinity). */
export function podOf(workload: Manifest, name: string = workload.metadata.name): Omit<ScheduledPod, 'host'> {
  return {
    name,
    namespace: workload.metadata.namespace,
    labels: workload.spec.template.metadata.labels,
    affinity: workload.spec.template.spec.affinity ?? {},
    topologySpreadConstraints: workload.spec.template.spec.topologySpreadConstraints,
  };
}

export function selectorMatches(selector: Manifest, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expression.key);
    const value = labels[expression.key];
    switch (expression.operator) {
      case 'In': if (!has || !expression.values.includes(value)) return false; break;
      case 'NotIn': if (has && expression.values.includes(value)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unknown operator ${expression.operator}`);
    }
  }
  return true;
}

function termMatchesPod(term: Term, owner: { namespace: string }, pod: { namespace: string; labels: Record<string, string> }): boolean {
  const namespaces = term.namespaces && term.namespaces.length > 0 ? term.namespaces : [owner.namespace];
  return namespaces.includes(pod.namespace) && selectorMatches(term.labelSelector, pod.labels);
}

function sameDomain(hosts: Host[], a: string, b: string, topologyKey: string): boolean {
  const hostA = hosts.find(h => h.name === a)!;
  const hostB = hosts.find(h => h.name === b)!;
  const valueA = hostA.labels[topologyKey];
  return valueA !== undefined && valueA === hostB.labels[topologyKey];
}

/** The host's labels meet the pod's required node affinity (any one of its node selector terms). */
function nodeAffinityAdmits(pod: Omit<ScheduledPod, 'host'>, host: Host): boolean {
  const terms: Manifest[] = pod.affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.length === 0 || terms.some(term => selectorMatches({ matchExpressions: term.matchExpressions ?? [] }, host.labels));
}

/** Why a hard topology spread constraint keeps `pod` off `host`, or undefined. */
function spreadViolation(pod: Omit<ScheduledPod, 'host'>, host: Host, placed: ScheduledPod[], hosts: Host[]): string | undefined {
  for (const constraint of pod.topologySpreadConstraints ?? []) {
    if (constraint.whenUnsatisfiable !== 'DoNotSchedule') continue;
    const key: string = constraint.topologyKey;
    if (host.labels[key] === undefined) return `${host.name} has no ${key}`;
    const eligible = hosts.filter(h => h.labels[key] !== undefined && nodeAffinityAdmits(pod, h));
    const domains = [...new Set(eligible.map(h => h.labels[key]))];
    const counts = new Map(domains.map(domain => [domain, 0]));
    for (const other of placed) {
      const otherHost = hosts.find(h => h.name === other.host)!;
      const domain = otherHost.labels[key];
      if (counts.has(domain) && other.namespace === pod.namespace && selectorMatches(constraint.labelSelector, other.labels)) {
        counts.set(domain, counts.get(domain)! + 1);
      }
    }
    const minimum = domains.length < (constraint.minDomains ?? 1) ? 0 : Math.min(...counts.values());
    const self = selectorMatches(constraint.labelSelector, pod.labels) ? 1 : 0;
    const skew = (counts.get(host.labels[key]) ?? 0) + self - minimum;
    if (skew > constraint.maxSkew) return `spread over ${key}: skew ${skew} on ${host.name}`;
  }
  return undefined;
}

/** Why `pod` cannot go on `host` given the pods already placed, or undefined when it can. */
export function whyUnschedulable(pod: Omit<ScheduledPod, 'host'>, host: string, placed: ScheduledPod[], hosts: Host[]): string | undefined {
  const hostObject = hosts.find(h => h.name === host)!;
  if (!nodeAffinityAdmits(pod, hostObject)) return `node affinity keeps ${pod.name} off ${host}`;
  const spread = spreadViolation(pod, hostObject, placed, hosts);
  if (spread) return spread;
  const affinityTerms: Term[] = pod.affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  for (const term of affinityTerms) {
    const matching = placed.filter(p => termMatchesPod(term, pod, p));
    if (matching.length === 0) {
      if (!termMatchesPod(term, pod, pod)) return `affinity ${JSON.stringify(term.labelSelector)}: no matching pod exists`;
      continue;
    }
    if (!matching.some(p => sameDomain(hosts, p.host, host, term.topologyKey))) {
      return `affinity ${JSON.stringify(term.labelSelector)} not met on ${host}`;
    }
  }
  const antiAffinityTerms: Term[] = pod.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  for (const term of antiAffinityTerms) {
    const clash = placed.find(p => termMatchesPod(term, pod, p) && sameDomain(hosts, p.host, host, term.topologyKey));
    if (clash) return `anti-affinity of ${pod.name} repels ${clash.name} on ${host}`;
  }
  for (const existing of placed) {
    const terms: Term[] = existing.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    for (const term of terms) {
      if (termMatchesPod(term, existing, pod) && sameDomain(hosts, existing.host, host, term.topologyKey)) {
        return `anti-affinity of ${existing.name} repels ${pod.name} on ${host}`;
      }
    }
  }
  return undefined;
}

/**
 * Place pods one by one on a host that admits each (`choose` picks among the feasible hosts: the first by default,
 * as a scorer that prefers low-numbered hosts would); returns the placement or the first pod that fits nowhere.
 */
export function scheduleInOrder(pods: Omit<ScheduledPod, 'host'>[], hosts: Host[],
  choose: (feasible: Host[]) => Host = feasible => feasible[0]): { placed: ScheduledPod[]; unschedulable?: string } {
  const placed: ScheduledPod[] = [];
  for (const pod of pods) {
    const feasible = hosts.filter(h => whyUnschedulable(pod, h.name, placed, hosts) === undefined);
    if (feasible.length === 0) return { placed, unschedulable: pod.name };
    placed.push({ ...pod, host: choose(feasible).name });
  }
  return { placed };
}

/** `count` hosts, spread round-robin over `zones`. */
export function makeHosts(count: number, zones: string[] = ['zone-a', 'zone-b', 'zone-c']): Host[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `host-${index}`,
    labels: {
      'kubernetes.io/hostname': `host-${index}`,
      'topology.kubernetes.io/zone': zones[index % zones.length],
    },
  }));
}
