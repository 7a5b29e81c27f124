/**
 * etcd failover, measured on the synthesized members run by {@link EtcdTestCluster}: a client writes steadily through
 * a member that survives, the leader is killed with SIGKILL, and the failover time is the time from the kill to the
 * first write *issued after the kill* that etcd acknowledges. Used by bench/etcd-failover.ts (many runs, medians)
 * and test/etcd-failover.test.ts (one run, function only). No timing is asserted here.
 */
import { performance } from 'perf_hooks';
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { EtcdBinary } from './etcd-binary';
import { EtcdGatewayClient } from './etcd-client';
import { parseEtcdArgs } from './etcd-flags';
import { EtcdTestCluster, sleep, within } from './etcd-harness';
import { synthesizedEtcdMembers } from './etcd-members';
import { Component, SecretNames } from '../../src/private/names';

/** The per-request timeout of the writer: short, so that a write stuck on the dead leader is retried soon. */
export const WRITE_TIMEOUT_MS = 150;
/** Generous bounds: a run that exceeds one fails, it never measures. */
const FAILOVER_TIMEOUT_MS = 30_000;
const HEALTHY_TIMEOUT_MS = 30_000;
/** Writes acknowledged, and time spent writing, before the kill. */
const WRITES_BEFORE_KILL = 10;
const STEADY_MS_BEFORE_KILL = 300;

/** A topology to run: what to synthesize and where its members listen. */
export interface FailoverTopology {
  /** A short name, e.g. `stacked-3`. */
  readonly name: string;
  /** Member i listens on 127.0.0.<firstAddress + i>. */
  readonly firstAddress: number;
  readonly build: (scope: Construct) => void;
}

/** The prepared cluster and the election timing its synthesized flags give. */
export interface FailoverCluster {
  readonly cluster: EtcdTestCluster;
  /** `--heartbeat-interval` of the synthesized members (etcd's default 100 when absent), ms. */
  readonly heartbeatIntervalMs: number;
  /** `--election-timeout` of the synthesized members (etcd's default 1000 when absent), ms. */
  readonly electionTimeoutMs: number;
}

/** One measurement. */
export interface FailoverMeasurement {
  readonly run: string;
  /** The leader that was killed. */
  readonly killed: string;
  /** The surviving member the writes went through. */
  readonly writer: string;
  /** The leader every survivor agreed on after the failover. */
  readonly newLeader: string;
  /** From the SIGKILL to the acknowledgement of the first write issued after it, ms. */
  readonly failoverMs: number;
  /** How long that first acknowledged write took, ms (part of failoverMs). */
  readonly firstWriteLatencyMs: number;
  /** Writes acknowledged before the kill. */
  readonly acknowledgedBeforeKill: number;
  /** Writes that failed or timed out between the kill and the first acknowledged one. */
  readonly failedWrites: number;
  /** Every write acknowledged in this run (before and after the kill). */
  readonly acknowledged: number;
  /** Acknowledged keys missing or different, read linearizably from the writer after the failover (must be empty). */
  readonly lostOnWriter: readonly string[];
  /** The same, read linearizably through the restarted member once the cluster is healthy again (must be empty). */
  readonly lostOnRestarted: readonly string[];
  /** Keys whose write was never acknowledged that hold a value nobody wrote (must be empty). */
  readonly corrupted: readonly string[];
  /** From the restart of the killed member until all members agree on a leader and it serves a linearizable read, ms. */
  readonly recoveryMs: number;
}

function flagMillis(args: readonly string[], name: string, fallback: number): number {
  const value = parseEtcdArgs(args).find(f => f.name === name)?.value;
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1) throw new Error(`--${name}=${value} is not a whole number of milliseconds`);
  return ms;
}

/** Synthesizes `topology` and prepares its etcd members (not started); the client is karmada-apiserver's. */
export function prepareFailoverCluster(topology: FailoverTopology, binary: EtcdBinary, runDir: string): FailoverCluster {
  const chart = Testing.chart();
  topology.build(chart);
  const manifests = Testing.synth(chart);
  const members = synthesizedEtcdMembers(manifests);
  const cluster = EtcdTestCluster.prepare({
    name: topology.name,
    members,
    binary,
    runDir,
    firstAddress: topology.firstAddress,
    manifests,
    clientSecretName: SecretNames.etcdClient('karmada', Component.API_SERVER),
  });
  const timings = members.map(m => ({
    heartbeat: flagMillis(m.args, 'heartbeat-interval', 100),
    election: flagMillis(m.args, 'election-timeout', 1000),
  }));
  if (timings.some(t => t.heartbeat !== timings[0].heartbeat || t.election !== timings[0].election)) {
    throw new Error(`the members of ${topology.name} do not share one election timing: ${JSON.stringify(timings)}`);
  }
  return { cluster, heartbeatIntervalMs: timings[0].heartbeat, electionTimeoutMs: timings[0].election };
}

/** Starts every member and waits until all agree on a leader. */
export async function startHealthy(cluster: EtcdTestCluster): Promise<void> {
  await cluster.start();
  await cluster.waitForLeader({ members: cluster.members.map(m => m.name), timeoutMs: HEALTHY_TIMEOUT_MS });
}

interface Write {
  readonly key: string;
  readonly value: string;
  readonly startedAt: number;
  readonly ackedAt?: number;
}

/** Sequential writes through one client until stopped; each with a short timeout, retried at once on failure. */
class SteadyWriter {
  public readonly writes: Write[] = [];
  /** performance.now() of the SIGKILL. */
  public killedAt: number | undefined;
  public firstAckAfterKill: Write | undefined;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly client: EtcdGatewayClient, private readonly prefix: string) {
    this.done = this.loop();
  }

  public acknowledged(): Write[] {
    return this.writes.filter(w => w.ackedAt !== undefined);
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async loop(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const key = `${this.prefix}${String(i).padStart(6, '0')}`;
      const value = `${i}-${Math.random().toString(36).slice(2, 10)}`;
      const startedAt = performance.now();
      try {
        await this.client.put(key, value, { timeoutMs: WRITE_TIMEOUT_MS });
        const write = { key, value, startedAt, ackedAt: performance.now() };
        this.writes.push(write);
        if (this.killedAt !== undefined && startedAt >= this.killedAt && !this.firstAckAfterKill) this.firstAckAfterKill = write;
      } catch {
        this.writes.push({ key, value, startedAt });
        // A refusal that comes back at once (e.g. no leader yet) is retried after a short pause, not in a hot loop.
        if (performance.now() - startedAt < 10) await sleep(10);
      }
    }
  }
}

/** Acknowledged keys that `stored` lacks or holds with another value; and unacknowledged keys with a foreign value. */
function compare(writes: readonly Write[], stored: ReadonlyMap<string, string>): { lost: string[]; corrupted: string[] } {
  const lost: string[] = [];
  const corrupted: string[] = [];
  for (const w of writes) {
    const read = stored.get(w.key);
    if (w.ackedAt !== undefined && read !== w.value) lost.push(`${w.key}: wrote ${w.value}, read ${read ?? '(missing)'}`);
    if (w.ackedAt === undefined && read !== undefined && read !== w.value) corrupted.push(`${w.key}: read ${read}`);
  }
  return { lost, corrupted };
}

/**
 * One failover: find the leader, write steadily through another member, SIGKILL the leader, time the first write
 * issued after the kill that is acknowledged; check the survivors agree on a new leader and every acknowledged write
 * is readable; restart the killed member and wait until the cluster is whole and serves it linearizable reads.
 */
export async function measureFailover(cluster: EtcdTestCluster, run: string): Promise<FailoverMeasurement> {
  const all = cluster.members.map(m => m.name);
  const { leader } = await cluster.waitForLeader({ members: all, timeoutMs: HEALTHY_TIMEOUT_MS });
  const survivors = all.filter(n => n !== leader);
  const writerMember = survivors[0];
  const prefix = `/bench/failover/${run}/`;
  const writer = new SteadyWriter(cluster.client(writerMember, WRITE_TIMEOUT_MS), prefix);
  let stopped = false;
  try {
    const steadySince = performance.now();
    for (let waited = 0; writer.acknowledged().length < WRITES_BEFORE_KILL || performance.now() - steadySince < STEADY_MS_BEFORE_KILL; waited++) {
      if (waited > 1_000) throw new Error(`only ${writer.acknowledged().length} writes acknowledged through ${writerMember} before the kill`);
      await sleep(10);
    }
    const acknowledgedBeforeKill = writer.acknowledged().length;
    // No JavaScript runs between taking the time and sending the signal (kill sends it before its first await).
    writer.killedAt = performance.now();
    const killing = cluster.kill(leader, 'SIGKILL');
    for (let polls = 0; !writer.firstAckAfterKill; polls++) {
      if (performance.now() - writer.killedAt > FAILOVER_TIMEOUT_MS || polls > FAILOVER_TIMEOUT_MS / 5) {
        throw new Error(`no write through ${writerMember} acknowledged within ${FAILOVER_TIMEOUT_MS} ms of killing the leader ${leader}`);
      }
      await sleep(5);
    }
    await killing;
    await writer.stop();
    stopped = true;
    const first = writer.firstAckAfterKill!;
    const failedWrites = writer.writes.filter(w => w.startedAt >= writer.killedAt! && w.startedAt < first.startedAt).length;

    const { leader: newLeader } = await cluster.waitForLeader({ members: survivors, notLeader: leader, timeoutMs: HEALTHY_TIMEOUT_MS });
    const onWriter = compare(writer.writes, await cluster.client(writerMember).getPrefix(prefix, { timeoutMs: 10_000 }));

    const restartedAt = performance.now();
    await cluster.restart(leader);
    await cluster.waitForLeader({ members: all, timeoutMs: HEALTHY_TIMEOUT_MS });
    const onRestarted = compare(writer.writes, await readWhenServing(cluster, leader, prefix));
    const recoveryMs = performance.now() - restartedAt;

    return {
      run,
      killed: leader,
      writer: writerMember,
      newLeader,
      failoverMs: first.ackedAt! - writer.killedAt,
      firstWriteLatencyMs: first.ackedAt! - first.startedAt,
      acknowledgedBeforeKill,
      failedWrites,
      acknowledged: writer.acknowledged().length,
      lostOnWriter: onWriter.lost,
      lostOnRestarted: onRestarted.lost,
      corrupted: [...new Set([...onWriter.corrupted, ...onRestarted.corrupted])],
      recoveryMs,
    };
  } finally {
    if (!stopped) await within(writer.stop(), 5_000);
  }
}

/** A linearizable read of `prefix` through `member`, retried until it answers (a restarted member catches up first). */
async function readWhenServing(cluster: EtcdTestCluster, member: string, prefix: string): Promise<Map<string, string>> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await cluster.client(member).getPrefix(prefix, { timeoutMs: 5_000 });
    } catch (error) {
      if (performance.now() - started > HEALTHY_TIMEOUT_MS || attempt > 300) {
        throw new Error(`restarted member ${member} serves no linearizable read within ${HEALTHY_TIMEOUT_MS} ms: ${(error as Error).message}`);
      }
      cluster.assertNoUnexpectedExit();
      await sleep(100);
    }
  }
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
