import { Duration } from 'cdk8s';

/**
 * How the components that run one active instance elect it (karmada-controller-manager, karmada-scheduler,
 * karmada-descheduler, kube-controller-manager): every instance competes for a Lease in the Karmada API, the holder
 * renews it, the others wait for it to expire. The defaults are those of Kubernetes and Karmada.
 *
 * Rules (the components refuse to start otherwise): `leaseDuration` > `renewDeadline` > 1.2 × `retryPeriod`, all
 * positive; `leaseDuration` in whole seconds (the Lease records whole seconds), the others in whole milliseconds.
 */
export interface LeaderElectionOptions {
  /**
   * How long a standby waits, after it last saw the Lease renewed, before it takes the lease over
   * (`--leader-elect-lease-duration`). The largest part of the failover time. Whole seconds.
   * @default Duration.seconds(15)
   */
  readonly leaseDuration?: Duration;
  /**
   * How long the leader keeps trying to renew before it gives up leading and exits (`--leader-elect-renew-deadline`).
   * Shorter than `leaseDuration`, so that a leader cut off from the apiserver stops before a standby can take over.
   * @default Duration.seconds(10)
   */
  readonly renewDeadline?: Duration;
  /**
   * How often the leader renews and each standby checks the Lease (`--leader-elect-retry-period`); a standby waits
   * up to 2.2 times this between checks (client-go adds up to 120% jitter).
   * @default Duration.seconds(2)
   */
  readonly retryPeriod?: Duration;
}

/** What leader election settings imply. */
export class LeaderElection {
  /**
   * The longest time, in seconds, from the death of a leader that does not release its Lease (a crash, a lost node,
   * a network partition) until a standby holds the Lease: `leaseDuration + 2 × 2.2 × retryPeriod`
   * (23.8 s with the defaults). Throws on settings the components would refuse.
   *
   * Derivation (client-go's leader election): a standby does not compare clocks; it times the lease from the moment
   * *it* last saw the Lease change, and checks the Lease every `retryPeriod` plus up to 120% jitter, i.e. at gaps of
   * up to 2.2 × `retryPeriod`. In the worst case the leader renews just before it dies, the standby sees that renewal
   * one full gap later (2.2 × retryPeriod), the lease then runs `leaseDuration` from that moment, and the standby's
   * first check after the expiry comes one more full gap later (2.2 × retryPeriod). The shortest failover is just
   * above `leaseDuration - retryPeriod` (the leader died a full retry period after its last renewal and the standby
   * saw it at once). The newly elected leader then starts its controllers; that start-up time is not included.
   */
  public static failoverSeconds(options: LeaderElectionOptions = {}): number {
    return worstCaseFailoverMillis(resolveCheckedLeaderElection(options)) / 1000;
  }

  private constructor() {}
}

// How the library works these out (not exported from the package's index).

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
