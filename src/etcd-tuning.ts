import { Duration, Size } from 'cdk8s';

/** How etcd compacts its key history on its own (kube-apiserver also compacts every 5 minutes). */
export enum EtcdCompactionMode {
  /** Keep `autoCompactionRetention` worth of history (a duration such as `1h`). */
  PERIODIC = 'periodic',
  /** Keep the last `autoCompactionRetention` revisions (a number such as `10000`). */
  REVISION = 'revision',
}

/**
 * The etcd settings operators tune. The defaults follow etcd's tuning guide and kubeadm.
 * @see https://etcd.io/docs/v3.6/tuning/
 */
export interface EtcdTuning {
  /**
   * How often the leader sends heartbeats. Set it near the round-trip time between members.
   * @default Duration.millis(100)
   */
  readonly heartbeatInterval?: Duration;
  /**
   * How long a follower waits without a heartbeat before it calls an election. At least 5 times the heartbeat
   * interval (etcd refuses less); about 10 times is usual.
   * @default Duration.millis(1000)
   */
  readonly electionTimeout?: Duration;
  /**
   * The backend database size at which etcd raises a NOSPACE alarm and refuses writes. etcd suggests at most 8 GiB.
   * @default Size.gibibytes(8)
   */
  readonly quotaBackend?: Size;
  /**
   * Committed transactions between two snapshots of the raft log to disk.
   * @default 10000
   */
  readonly snapshotCount?: number;
  /**
   * Auto-compaction mode.
   * @default EtcdCompactionMode.PERIODIC
   */
  readonly autoCompactionMode?: EtcdCompactionMode;
  /**
   * Auto-compaction retention: a duration such as `1h` for PERIODIC, a revision count such as `10000` for REVISION.
   * @default '1h'
   */
  readonly autoCompactionRetention?: string;
}
