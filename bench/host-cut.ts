/**
 * Host-cut failover of a real Karmada from the synthesized YAML: the stacked 3 topology runs on pod-runner hosts
 * (every program real, built from its Go module; see test/cluster/README.md), a client writes ConfigMaps through the
 * entry-point Service, and in each run the host whose pods hold the component Leases is cut off (links down, then its
 * processes killed), kept off for a while and brought back, the plane Ready again before the next run. Prints every
 * run and the medians of: the cut to the first acknowledged write, the longest time without one, and the cut to each
 * new leader, with the leaders' median against the configured lease (15 s) and LeaderElection.failoverSeconds();
 * writes bench/results/host-cut.json.
 * Run: `npx projen bench-host-cut` (or `npx ts-node --project test/tsconfig.json bench/host-cut.ts`); see bench/README.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LeaderElection } from '../src';
import { cutHost, HostCutMeasurement, hostHoldingLeases } from '../test/cluster/failover';
import { KarmadaPlane, startKarmadaPlane, stopKarmadaPlane } from '../test/cluster/karmada';
import { waitForPlane } from '../test/cluster/plane';
import { SCENARIOS } from '../test/cluster/scenarios';

const RUNS = Number(process.env.BENCH_HOST_CUT_RUNS ?? 5);
const SCENARIO = process.env.BENCH_HOST_CUT_SCENARIO ?? 'stacked 3, no zones';
const RESULTS_FILE = path.join(__dirname, 'results', 'host-cut.json');
/** The synthesized default lease (LeaderElectionOptions.leaseDuration). */
const LEASE_MS = 15_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`BENCH_HOST_CUT_RUNS must be a whole number of at least 1, got '${process.env.BENCH_HOST_CUT_RUNS}'`);
  const factory = SCENARIOS[SCENARIO];
  if (!factory) throw new Error(`no scenario '${SCENARIO}' (there are: ${Object.keys(SCENARIOS).join('; ')})`);
  let plane: KarmadaPlane | undefined;
  const measurements: HostCutMeasurement[] = [];
  try {
    plane = await startKarmadaPlane(factory(), { name: `bench-host-cut-${factory().name}` });
    for (let run = 1; run <= RUNS; run++) {
      const started = plane;
      const host = await hostHoldingLeases(started);
      const measurement = await cutHost(started, host, { waitReady: () => waitForPlane(started.cluster, started.scenario, 300_000) });
      measurements.push(measurement);
      console.log(`run ${run}/${RUNS}: cut ${host} (held ${measurement.held.join(', ')}): first acknowledged write ${measurement.firstAcknowledgedWriteMs} ms, `
        + `longest gap ${measurement.longestWriteGapMs} ms, leaders moved ${JSON.stringify(measurement.leaderMovedMs)}, `
        + `${measurement.writesAcknowledged} writes acknowledged, ${measurement.acknowledgedWritesLost} lost, rejoined in ${measurement.rejoinedMs} ms`);
      if (measurement.acknowledgedWritesLost > 0) throw new Error(`run ${run}: ${measurement.acknowledgedWritesLost} acknowledged writes lost`);
    }
  } finally {
    await stopKarmadaPlane(plane);
  }
  const leaderMoves = measurements.flatMap(m => Object.values(m.leaderMovedMs));
  const failoverBoundMs = LeaderElection.failoverSeconds() * 1000;
  const result = {
    benchmark: 'host-cut',
    date: new Date().toISOString(),
    scenario: SCENARIO,
    runs: RUNS,
    environment: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
    leaseMs: LEASE_MS,
    failoverBoundMs,
    firstAcknowledgedWriteMedianMs: median(measurements.map(m => m.firstAcknowledgedWriteMs)),
    longestWriteGapMedianMs: median(measurements.map(m => m.longestWriteGapMs)),
    leaderMovedMedianMs: median(leaderMoves),
    leaderMovedMaxMs: Math.max(...leaderMoves),
    leaderMovedMedianToLease: Math.round(median(leaderMoves) / LEASE_MS * 100) / 100,
    leaderMovedMedianToBound: Math.round(median(leaderMoves) / failoverBoundMs * 100) / 100,
    acknowledgedWritesLost: measurements.reduce((sum, m) => sum + m.acknowledgedWritesLost, 0),
    rejoinedMedianMs: median(measurements.map(m => m.rejoinedMs)),
    measurements,
  };
  console.log(`\n${SCENARIO}, ${RUNS} runs: first acknowledged write median ${result.firstAcknowledgedWriteMedianMs} ms, longest gap median `
    + `${result.longestWriteGapMedianMs} ms; new leader median ${result.leaderMovedMedianMs} ms (max ${result.leaderMovedMaxMs} ms) = `
    + `${result.leaderMovedMedianToLease} x the ${LEASE_MS / 1000} s lease, ${result.leaderMovedMedianToBound} x failoverSeconds() (${failoverBoundMs / 1000} s); `
    + `acknowledged writes lost: ${result.acknowledgedWritesLost}`);
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2));
  console.log(`written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

main().then(() => process.exit(0), error => {
  console.error(error);
  process.exit(1);
});
