import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';

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

// How the library resolves these settings (not exported from the package's index).

/** The default size of an etcd member's volume: well above twice the default 8 GiB quota. */
export const DEFAULT_ETCD_STORAGE_SIZE = Size.gibibytes(20);

/** An EtcdTuning with every default filled in, in the units etcd's flags take. */
export interface ResolvedEtcdTuning {
  readonly heartbeatIntervalMillis: number;
  readonly electionTimeoutMillis: number;
  readonly quotaBackendBytes: number;
  readonly snapshotCount: number;
  readonly autoCompactionMode: EtcdCompactionMode;
  readonly autoCompactionRetention: string;
}

/** Bytes of a size, possibly fractional (checked later, with the property named). */
export function sizeBytes(size: Size): number {
  return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
}

/** Fill the defaults of a partial tuning (no checks, and no throw on fractions: see checkEtcdTuning). */
export function resolveEtcdTuning(tuning: EtcdTuning = {}): ResolvedEtcdTuning {
  return {
    heartbeatIntervalMillis: (tuning.heartbeatInterval ?? Duration.millis(100)).toMilliseconds({ integral: false }),
    electionTimeoutMillis: (tuning.electionTimeout ?? Duration.millis(1000)).toMilliseconds({ integral: false }),
    quotaBackendBytes: sizeBytes(tuning.quotaBackend ?? Size.gibibytes(8)),
    snapshotCount: tuning.snapshotCount ?? 10000,
    autoCompactionMode: tuning.autoCompactionMode ?? EtcdCompactionMode.PERIODIC,
    autoCompactionRetention: tuning.autoCompactionRetention ?? '1h',
  };
}
