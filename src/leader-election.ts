import { Duration } from 'cdk8s';
import { resolveCheckedLeaderElection, worstCaseFailoverMillis } from './private/leader-election';

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
