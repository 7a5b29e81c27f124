import { EtcdPlacement, EtcdTopology } from './etcd-topology';

/**
 * What a topology needs and which failures it survives, worked out before anything is deployed
 * (`HATopology.failureTolerance`).
 *
 * "Survives" means: after the failure, etcd keeps a quorum and at least one karmada-apiserver is up, so the Karmada
 * API still reads and writes. Every count is a worst case: the failed hosts or zones are the ones that hurt most.
 */
export interface FailureToleranceReport {
  /** Where etcd runs. */
  readonly placement: EtcdPlacement;
  /** How many control-plane nodes (apiservers). */
  readonly controlPlaneNodes: number;
  /** How many etcd members the library runs (0 when etcd lives outside the cluster). */
  readonly etcdMembers: number;
  /** How many members etcd needs to accept writes (0 when etcd lives outside the cluster: not known here). */
  readonly etcdQuorum: number;
  /** How many hosts the placement rules need. */
  readonly hostsRequired: number;
  /** How many zones the placement rules need (1 when nothing asks for zones). */
  readonly zonesRequired: number;
  /** How many host failures, any of them, the control plane survives. */
  readonly hostFailuresTolerated: number;
  /**
   * How many zone failures, any of them, the control plane survives. 0 when the zones are not known: nothing then
   * keeps the scheduler from putting every host in one zone.
   */
  readonly zoneFailuresTolerated: number;
  /** The zones the hosts are spread over, when known. */
  readonly zones: string[];
  /** One line for people: what the topology needs and survives. */
  readonly summary: string;
}

// How the library works these out (not exported from the package's index).

/** What the report is worked out from: the resolved topology and how it is placed. */
export interface FailureToleranceInput {
  readonly placement: EtcdPlacement;
  readonly controlPlaneNodes: number;
  /** Members the library runs (0 with external endpoints). */
  readonly etcdMembers: number;
  /** The zones given (duplicates ignored), when known. */
  readonly zones?: string[];
  /** No two control-plane nodes, and no two members, share a zone (`failureDomain: Topology.ZONE`). */
  readonly failureDomainIsZone: boolean;
}

/** The votes etcd needs to commit: a majority of the members. */
export function etcdQuorum(members: number): number {
  return Math.floor(members / 2) + 1;
}

/**
 * How `count` replicas land on `zones` zones when spread as evenly as possible (round-robin pinning of control-plane
 * nodes, or a topology spread constraint with maxSkew 1 over every zone): per zone, largest first.
 */
export function evenSpread(count: number, zones: number): number[] {
  return Array.from({ length: zones }, (_, zone) => Math.floor(count / zones) + (zone < count % zones ? 1 : 0));
}

/** The most zones, any of them, that can fail while at most `tolerable` of the replicas in `perZone` are lost. */
export function zonesThatMayFail(perZone: number[], tolerable: number): number {
  const largestFirst = [...perZone].sort((a, b) => b - a);
  let lost = 0;
  let zones = 0;
  for (const replicas of largestFirst) {
    if (lost + replicas > tolerable) break;
    lost += replicas;
    zones++;
  }
  return zones;
}

/** Work out the report. Pure. */
export function reportFailureTolerance(input: FailureToleranceInput): FailureToleranceReport {
  const nodes = input.controlPlaneNodes;
  const traits = EtcdTopology._traitsOf(input.placement);
  const inCluster = traits.runsMembers;
  const members = inCluster ? input.etcdMembers : 0;
  const quorum = inCluster ? etcdQuorum(members) : 0;
  const apiServerLossTolerable = nodes - 1;
  const memberLossTolerable = inCluster ? members - quorum : Number.POSITIVE_INFINITY;

  const hostsRequired = traits.membersOnOwnHosts ? nodes + members : nodes;
  const hostFailuresTolerated = Math.min(apiServerLossTolerable, memberLossTolerable);

  const zones = [...new Set(input.zones ?? [])];
  let zonesRequired = 1;
  let zoneFailuresTolerated = 0;
  if (input.failureDomainIsZone) {
    // One node and one member per zone at most (an external member may share a zone with a node).
    zonesRequired = Math.max(nodes, members);
    zoneFailuresTolerated = hostFailuresTolerated;
  } else if (zones.length > 0) {
    const nodesPerZone = evenSpread(nodes, zones.length).filter(count => count > 0);
    const membersPerZone = inCluster ? evenSpread(members, zones.length).filter(count => count > 0) : [];
    zonesRequired = Math.max(nodesPerZone.length, membersPerZone.length);
    zoneFailuresTolerated = Math.min(
      zonesThatMayFail(nodesPerZone, apiServerLossTolerable),
      inCluster ? zonesThatMayFail(membersPerZone, memberLossTolerable) : Number.POSITIVE_INFINITY,
    );
  }

  const zonesKnown = input.failureDomainIsZone || zones.length > 0;
  const what = traits.describe(plural(nodes, 'control-plane node'), plural(members, 'etcd member'));
  const needs = `needs ${plural(hostsRequired, 'host')}${zonesKnown ? ` in ${plural(zonesRequired, 'zone')}` : ''}`;
  const survives = zonesKnown
    ? `survives ${plural(hostFailuresTolerated, 'host failure')} and ${plural(zoneFailuresTolerated, 'zone failure')}`
    : `survives ${plural(hostFailuresTolerated, 'host failure')}; zones not given, so one zone failure may stop it`;
  const why = inCluster
    ? `etcd quorum ${quorum} of ${members}, at least 1 of ${nodes} apiservers`
    : `at least 1 of ${nodes} apiservers; the outside etcd's own tolerance not counted`;
  return {
    placement: input.placement,
    controlPlaneNodes: nodes,
    etcdMembers: members,
    etcdQuorum: quorum,
    hostsRequired,
    zonesRequired,
    hostFailuresTolerated,
    zoneFailuresTolerated,
    zones,
    summary: `${what}: ${needs}; ${survives} (${why})`,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
