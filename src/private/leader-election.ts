import { Duration } from 'cdk8s';
import type { LeaderElectionOptions } from '../leader-election';

/** client-go's `leaderelection.JitterFactor`: a standby waits `retryPeriod × (1 + up to 1.2)` between checks. */
export const LEADER_ELECTION_JITTER_FACTOR = 1.2;

/** Leader election settings with every default filled in, in milliseconds. */
export interface ResolvedLeaderElection {
  readonly leaseDurationMillis: number;
  readonly renewDeadlineMillis: number;
  readonly retryPeriodMillis: number;
}

/** The Kubernetes (and Karmada) defaults: 15 s / 10 s / 2 s. */
export const DEFAULT_LEADER_ELECTION: ResolvedLeaderElection = {
  leaseDurationMillis: 15_000,
  renewDeadlineMillis: 10_000,
  retryPeriodMillis: 2_000,
};

/** Milliseconds, possibly fractional (checked later), of a Duration. */
function millis(duration: Duration | undefined, fallback: number): number {
  return duration === undefined ? fallback : duration.toMilliseconds({ integral: false });
}

/** Fill the defaults of partial settings (no checks: see {@link checkLeaderElection}). */
export function resolveLeaderElection(options: LeaderElectionOptions = {}): ResolvedLeaderElection {
  return {
    leaseDurationMillis: millis(options.leaseDuration, DEFAULT_LEADER_ELECTION.leaseDurationMillis),
    renewDeadlineMillis: millis(options.renewDeadline, DEFAULT_LEADER_ELECTION.renewDeadlineMillis),
    retryPeriodMillis: millis(options.retryPeriod, DEFAULT_LEADER_ELECTION.retryPeriodMillis),
  };
}

/** A duration as a Go duration flag value: `15s` when whole seconds, else `1500ms`. */
export function goDuration(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000}s` : `${milliseconds}ms`;
}

/**
 * The rules client-go's `NewLeaderElector` enforces (a component with other settings exits at start), plus the one
 * it does not: the Lease records `leaseDuration` in whole seconds (truncated), and standbys wait what it records.
 */
export function checkLeaderElection(settings: ResolvedLeaderElection): string[] {
  const { leaseDurationMillis: lease, renewDeadlineMillis: renew, retryPeriodMillis: retry } = settings;
  const errors: string[] = [];
  if (!Number.isInteger(lease / 1000) || lease < 1000) {
    errors.push(`leaderElection.leaseDuration must be a whole number of seconds of at least 1s, got ${lease}ms: the Lease records whole seconds and standbys wait what it records; use e.g. Duration.seconds(15)`);
  }
  if (!Number.isInteger(renew) || renew < 1) {
    errors.push(`leaderElection.renewDeadline must be a whole number of milliseconds of at least 1ms, got ${renew}ms: use e.g. Duration.seconds(10)`);
  }
  if (!Number.isInteger(retry) || retry < 1) {
    errors.push(`leaderElection.retryPeriod must be a whole number of milliseconds of at least 1ms, got ${retry}ms: use e.g. Duration.seconds(2)`);
  }
  if (errors.length > 0) return errors;
  if (lease <= renew) {
    errors.push(`leaderElection.leaseDuration (${goDuration(lease)}) must be greater than leaderElection.renewDeadline (${goDuration(renew)}) or the components refuse to start: lengthen the lease or shorten the renew deadline`);
  }
  // client-go: renewDeadline <= time.Duration(JitterFactor * retryPeriod) is refused; 5 × renew <= 6 × retry in integers.
  if (5 * renew <= 6 * retry) {
    errors.push(`leaderElection.renewDeadline (${goDuration(renew)}) must be greater than ${LEADER_ELECTION_JITTER_FACTOR} times leaderElection.retryPeriod (${goDuration(retry)}) or the components refuse to start: set the renew deadline above ${goDuration(6 * retry / 5)} or shorten the retry period`);
  }
  return errors;
}

/** Fill the defaults and check; throws with every problem listed. */
export function resolveCheckedLeaderElection(options: LeaderElectionOptions | undefined): ResolvedLeaderElection {
  const resolved = resolveLeaderElection(options);
  const errors = checkLeaderElection(resolved);
  if (errors.length > 0) {
    throw new Error(errors.join('\n'));
  }
  return resolved;
}

/**
 * The worst-case failover after a leader dies without releasing its Lease, in milliseconds:
 * `leaseDuration + 2 × (1 + JitterFactor) × retryPeriod` (derivation: `LeaderElection.failoverSeconds`).
 */
export function worstCaseFailoverMillis(settings: ResolvedLeaderElection): number {
  // (1 + 1.2) × 2 = 4.4 = 44 / 10, in integers so that 15 s and 2 s give exactly 23800 ms.
  return settings.leaseDurationMillis + Math.round(44 * settings.retryPeriodMillis / 10);
}

/** The leader-election timing flags every electing component gets (the same names in Karmada and kube-*). */
export function leaderElectionTimingArgs(settings: ResolvedLeaderElection): string[] {
  return [
    `--leader-elect-lease-duration=${goDuration(settings.leaseDurationMillis)}`,
    `--leader-elect-renew-deadline=${goDuration(settings.renewDeadlineMillis)}`,
    `--leader-elect-retry-period=${goDuration(settings.retryPeriodMillis)}`,
  ];
}
