import * as kplus from 'cdk8s-plus-28';
import { HostRequirements } from '../host-requirements';

/** Require the workload's pods on hosts that carry the labels, and let them tolerate the taints. */
export function applyHostRequirements(workload: kplus.Workload, hosts: HostRequirements | undefined): void {
  const labels = Object.entries(hosts?.nodeLabels ?? {});
  if (labels.length > 0) {
    workload.scheduling.attract(kplus.Node.labeled(...labels.map(([key, value]) => kplus.NodeLabelQuery.is(key, value))));
  }
  for (const taint of hosts?.tolerations ?? []) {
    workload.scheduling.tolerate(kplus.Node.tainted(taint));
  }
}

/** The zone label every cloud provider sets on nodes. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/**
 * A hard topology spread over zones for the pods `selector` picks: at most one more in any zone than in any other,
 * over at least `minZones` zones; only nodes the pods may run on (affinity and taints) count as zones.
 */
export function zoneSpreadConstraint(selector: Record<string, string>, minZones: number): kplus.k8s.TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey: ZONE_LABEL,
    whenUnsatisfiable: 'DoNotSchedule',
    minDomains: minZones,
    labelSelector: { matchLabels: selector },
    nodeAffinityPolicy: 'Honor',
    nodeTaintsPolicy: 'Honor',
  };
}
