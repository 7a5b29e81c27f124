import { Duration, Size } from 'cdk8s';
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

/** Fill the defaults of a partial tuning. */
export function resolveEtcdTuning(tuning: EtcdTuning = {}): ResolvedEtcdTuning {
  return {
    heartbeatIntervalMillis: (tuning.heartbeatInterval ?? Duration.millis(100)).toMilliseconds(),
    electionTimeoutMillis: (tuning.electionTimeout ?? Duration.millis(1000)).toMilliseconds(),
    quotaBackendBytes: (tuning.quotaBackend ?? Size.gibibytes(8)).toMebibytes() * 1024 * 1024,
    snapshotCount: tuning.snapshotCount ?? 10000,
    autoCompactionMode: tuning.autoCompactionMode ?? EtcdCompactionMode.PERIODIC,
    autoCompactionRetention: tuning.autoCompactionRetention ?? '1h',
  };
}
