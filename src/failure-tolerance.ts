import { EtcdPlacement } from './etcd-topology';

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
