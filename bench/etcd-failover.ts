/**
 * etcd failover time with the synthesized election settings: the members of a synthesized topology run as local etcd
 * processes (test/integ/etcd-harness.ts; etcd built from its Go module at the image's version by
 * scripts/build-components.sh etcd, or `$ETCD_BIN`; the synthesized flags byte for byte), a client writes steadily through a surviving member, the leader is killed
 * with SIGKILL, and each run times the kill to the first acknowledged write. Prints every run, the median, min/max and
 * the median's ratio to `--election-timeout`; writes bench/results/etcd-failover.json.
 * Run: `npx ts-node --project test/tsconfig.json bench/etcd-failover.ts` (or `npx projen bench-failover`); see
 * bench/README.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EtcdTopology, HATopology } from '../src';
import { EtcdBinary, ensureEtcdBinary } from '../test/integ/etcd-binary';
import { FailoverMeasurement, FailoverTopology, WRITE_TIMEOUT_MS, measureFailover, median, prepareFailoverCluster, startHealthy } from '../test/integ/etcd-failover';
import { createRunDirectory } from '../test/integ/etcd-harness';

const RUNS = positiveInteger('BENCH_FAILOVER_RUNS', 7);
const WARMUP = positiveInteger('BENCH_FAILOVER_WARMUP', 1, 0);
const RESULTS_FILE = path.join(__dirname, 'results', 'etcd-failover.json');

/**
 * 127.0.0.73-75 and 127.0.0.75-79: apart from every test's members (test/etcd-failover.test.ts uses 70-72), so the
 * bench can run beside the tests; the two topologies run one after the other, so they may share 75.
 */
const TOPOLOGIES: FailoverTopology[] = [
  {
    name: 'stacked-3',
    firstAddress: 73,
    build: scope => new HATopology(scope, 'karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes: 3 }),
  },
  {
    name: 'external-5',
    firstAddress: 75,
    build: scope => new HATopology(scope, 'karmada', { etcd: EtcdTopology.external({ members: 5 }), controlPlaneNodes: 3 }),
  },
];

interface TopologyResult {
  readonly topology: string;
  readonly members: number;
  readonly heartbeatIntervalMs: number;
  readonly electionTimeoutMs: number;
  readonly runs: number;
  readonly failoverMedianMs: number;
  readonly failoverMinMs: number;
  readonly failoverMaxMs: number;
  /** failoverMedianMs / electionTimeoutMs. */
  readonly ratioToElectionTimeout: number;
  readonly measurements: readonly FailoverMeasurement[];
}

function positiveInteger(variable: string, fallback: number, minimum = 1): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${variable} must be a whole number of at least ${minimum}, got '${raw}'`);
  return value;
}

/** Every check of a run; a run that loses a write or keeps the old leader is a failure, not a data point. */
function checkRun(m: FailoverMeasurement): void {
  const problems = [
    ...(m.newLeader === m.killed ? [`the new leader is the killed member ${m.killed}`] : []),
    ...m.lostOnWriter.map(k => `lost on ${m.writer}: ${k}`),
    ...m.lostOnRestarted.map(k => `lost on ${m.killed} after its restart: ${k}`),
    ...m.corrupted.map(k => `foreign value: ${k}`),
  ];
  if (problems.length > 0) throw new Error(`run ${m.run}:\n  ${problems.slice(0, 20).join('\n  ')}`);
}

async function benchTopology(topology: FailoverTopology, binary: EtcdBinary, runDir: string): Promise<TopologyResult> {
  const { cluster, heartbeatIntervalMs, electionTimeoutMs } = prepareFailoverCluster(topology, binary, runDir);
  const members = cluster.members.length;
  console.log(`\n${topology.name}: ${members} members on ${cluster.members.map(m => m.address).join(', ')}; `
    + `synthesized --heartbeat-interval=${heartbeatIntervalMs} --election-timeout=${electionTimeoutMs}`);
  const measurements: FailoverMeasurement[] = [];
  try {
    await cluster.withDiagnostics('start', () => startHealthy(cluster));
    const header = ['run', 'killed', 'writer', 'new leader', 'failover ms', 'x election', 'failed writes', 'recovery ms'];
    console.log(header.join('  '));
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const run = i < WARMUP ? `warmup-${i + 1}` : `run-${i - WARMUP + 1}`;
      const m = await cluster.withDiagnostics(run, () => measureFailover(cluster, `${topology.name}-${run}`));
      checkRun(m);
      console.log([run, m.killed, m.writer, m.newLeader, m.failoverMs.toFixed(0), (m.failoverMs / electionTimeoutMs).toFixed(2),
        String(m.failedWrites), m.recoveryMs.toFixed(0)].join('  ') + (i < WARMUP ? '  (warm-up, not counted)' : ''));
      if (i >= WARMUP) measurements.push({ ...m, run });
    }
  } finally {
    await cluster.stop();
  }
  const failovers = measurements.map(m => m.failoverMs);
  const result: TopologyResult = {
    topology: topology.name,
    members,
    heartbeatIntervalMs,
    electionTimeoutMs,
    runs: measurements.length,
    failoverMedianMs: Math.round(median(failovers)),
    failoverMinMs: Math.round(Math.min(...failovers)),
    failoverMaxMs: Math.round(Math.max(...failovers)),
    ratioToElectionTimeout: Number((median(failovers) / electionTimeoutMs).toFixed(2)),
    measurements: measurements.map(m => ({
      ...m, failoverMs: Math.round(m.failoverMs), firstWriteLatencyMs: Math.round(m.firstWriteLatencyMs), recoveryMs: Math.round(m.recoveryMs),
    })),
  };
  console.log(`${topology.name}: failover median ${result.failoverMedianMs} ms (min ${result.failoverMinMs}, max ${result.failoverMaxMs}) over `
    + `${result.runs} runs = ${result.ratioToElectionTimeout} x the election timeout (${electionTimeoutMs} ms)`);
  return result;
}

async function main(): Promise<void> {
  process.env.CDK8S_KARMADA_SILENCE_WARNINGS = '1';
  const binary = ensureEtcdBinary();
  const only = process.env.BENCH_FAILOVER_TOPOLOGIES?.split(',').filter(Boolean);
  const topologies = only ? TOPOLOGIES.filter(t => only.includes(t.name)) : TOPOLOGIES;
  if (topologies.length === 0) throw new Error(`BENCH_FAILOVER_TOPOLOGIES names none of ${TOPOLOGIES.map(t => t.name).join(', ')}`);
  const runDir = createRunDirectory();
  console.log(`etcd failover benchmark: etcd ${binary.version} (${binary.path}, ${binary.source}); ${WARMUP} warm-up + ${RUNS} runs per topology; `
    + `writes through a surviving member, ${WRITE_TIMEOUT_MS} ms per-request timeout; run directory ${runDir}`);
  const results: TopologyResult[] = [];
  let failed = false;
  try {
    for (const topology of topologies) results.push(await benchTopology(topology, binary, runDir));
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (!failed && process.env.ETCD_TEST_KEEP_RUN !== '1') fs.rmSync(runDir, { recursive: true, force: true });
    else console.log(`kept the run directory (logs, flags, certificates): ${runDir}`);
  }
  const environment = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    etcd: binary.version,
    loadAverage: os.loadavg().map(l => Number(l.toFixed(2))),
  };
  const report = {
    benchmark: 'etcd-failover',
    date: new Date().toISOString(),
    warmup: WARMUP,
    runs: RUNS,
    writeTimeoutMs: WRITE_TIMEOUT_MS,
    environment,
    results,
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

main().then(() => process.exit(0), error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
