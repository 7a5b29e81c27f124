import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { EtcdCompactionMode, EtcdTuning } from '../etcd-tuning';

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
