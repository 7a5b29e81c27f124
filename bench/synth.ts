/**
 * What synthesis costs. First, whole processes, as `cdk8s synth` runs an app: the README's default app and an app
 * with every option switched on, each against a one-Deployment cdk8s-plus app (the floor), in paired rounds. Then
 * in-process synthesis of an HA control plane against the part of it that is only YAML serialization.
 * Run: `npx projen bench` (it compiles the library first); see bench/README.md.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import * as ts from 'typescript';
import { EtcdTopology, HATopology } from '../src';

/** The sizes measured: control-plane nodes of a stacked topology (odd, so no even-member warning). */
const SIZES = [3, 5, 7];
const WARMUP = positiveInteger('BENCH_WARMUP', 5);
const ITERATIONS = positiveInteger('BENCH_ITERATIONS', 30);
const RESULTS_FILE = path.join(__dirname, 'results', 'synth.json');
/** Fresh processes timed for the first synthesis (what one `cdk8s synth` pays: nothing is cached yet). */
const FIRST_SYNTH_PROCESSES = positiveInteger('BENCH_FIRST_SYNTH_PROCESSES', 5);
const COMPILED_LIBRARY = path.join(__dirname, '..', 'lib', 'index.js');
/** Rounds of whole-process runs: each round runs the floor and every app once, in an order that rotates. */
const PROCESS_ROUNDS = positiveInteger('BENCH_PROCESS_ROUNDS', 21);
/** Where the apps are compiled to and run (inside the repository, so `cdk8s` and `cdk8s-plus-28` resolve). */
const APPS_DIR = path.join(__dirname, 'results', 'apps');

/** An app timed as a whole process: `node <file>` in a folder of its own, which writes `dist/*.k8s.yaml`. */
interface ProcessApp {
  readonly name: string;
  readonly description: string;
  /** TypeScript source; imports of the library (`cdk8s-karmada` or `../../src`) run the compiled library. */
  readonly source: string;
}

interface ProcessResult {
  readonly name: string;
  readonly description: string;
  readonly objects: number;
  readonly medianMs: number;
  /** medianMs over the floor's medianMs. */
  readonly ratioToFloor: number;
  /** The median over rounds of this app's time over the floor's time in the same round. */
  readonly pairedRatioMedian: number;
  /** CPU time (user + system, every thread) the process reported at exit: less moved by other work than wall time. */
  readonly cpuMedianMs: number;
  /** The median over rounds of this app's CPU time over the floor's in the same round. */
  readonly cpuPairedRatioMedian: number;
}

/** The first ```ts block of the README: the usage example a new user copies. */
function readmeDefaultApp(): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const match = /^```ts\n([\s\S]*?)^```$/m.exec(readme);
  if (!match || !match[1].includes("from 'cdk8s-karmada'")) throw new Error('the README\'s first ts block is not an app that imports cdk8s-karmada');
  return match[1];
}

const PROCESS_APPS: ProcessApp[] = [
  { name: 'floor', description: 'one cdk8s-plus Deployment', source: fs.readFileSync(path.join(__dirname, 'apps', 'floor.ts'), 'utf8') },
  { name: 'default', description: 'the README\'s usage example (stacked 3, defaults)', source: readmeDefaultApp() },
  { name: 'all-options', description: 'stacked 3, every option switched on (bench/apps/all-options.ts)', source: fs.readFileSync(path.join(__dirname, 'apps', 'all-options.ts'), 'utf8') },
];

/** Appended to each compiled app: its CPU time at exit, on stderr (`process.cpuUsage()` counts every thread). */
const CPU_REPORT = '\nprocess.on(\'exit\', () => { const u = process.cpuUsage(); process.stderr.write(`\\nbench-cpu-ms ${(u.user + u.system) / 1000}\\n`); });\n';

/** Compile an app to plain JavaScript in a folder of its own; returns the folder. */
function compileApp(app: ProcessApp): string {
  const dir = path.join(APPS_DIR, app.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const source = app.source.replace(/from '(cdk8s-karmada|\.\.\/\.\.\/src)'/g, `from ${JSON.stringify(COMPILED_LIBRARY)}`);
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  fs.writeFileSync(path.join(dir, 'main.js'), outputText + CPU_REPORT);
  return dir;
}

/** Run `node main.js` in the app's folder: milliseconds of the whole process, from spawn to exit, and its CPU time. */
function runProcess(dir: string): { wallMs: number; cpuMs: number } {
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8', env: process.env });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${dir}/main.js exited with ${run.status}: ${run.stderr}`);
  const cpu = /^bench-cpu-ms (\S+)$/m.exec(run.stderr);
  if (!cpu) throw new Error(`${dir}/main.js reported no CPU time: ${run.stderr}`);
  return { wallMs, cpuMs: Number(cpu[1]) };
}

/** Objects in the YAML an app wrote. */
function objectsWritten(dir: string): number {
  const out = path.join(dir, 'dist');
  return fs.readdirSync(out).filter(file => file.endsWith('.k8s.yaml'))
    .reduce((sum, file) => sum + (fs.readFileSync(path.join(out, file), 'utf8').match(/^kind: /gm) ?? []).length, 0);
}

/**
 * Whole processes, paired: one untimed round, then `PROCESS_ROUNDS` rounds that each run every app once (the order
 * rotates from round to round, so drift in the machine's load falls on each app alike). Ratios are against the floor.
 */
function wholeProcesses(): ProcessResult[] {
  const dirs = PROCESS_APPS.map(compileApp);
  dirs.forEach(runProcess);
  const samples: number[][] = PROCESS_APPS.map(() => []);
  const cpuSamples: number[][] = PROCESS_APPS.map(() => []);
  for (let r = 0; r < PROCESS_ROUNDS; r++) {
    for (let k = 0; k < PROCESS_APPS.length; k++) {
      const index = (r + k) % PROCESS_APPS.length;
      const { wallMs, cpuMs } = runProcess(dirs[index]);
      samples[index].push(wallMs);
      cpuSamples[index].push(cpuMs);
    }
  }
  const floor = median(samples[0]);
  return PROCESS_APPS.map((app, index) => ({
    name: app.name,
    description: app.description,
    objects: objectsWritten(dirs[index]),
    medianMs: round(median(samples[index]), 1),
    ratioToFloor: round(median(samples[index]) / floor, 2),
    pairedRatioMedian: round(median(samples[index].map((ms, r) => ms / samples[0][r])), 2),
    cpuMedianMs: round(median(cpuSamples[index]), 1),
    cpuPairedRatioMedian: round(median(cpuSamples[index].map((ms, r) => ms / cpuSamples[0][r])), 2),
  }));
}

interface SizeResult {
  readonly controlPlaneNodes: number;
  readonly objects: number;
  readonly yamlBytes: number;
  readonly synthMedianMs: number;
  readonly serializeMedianMs: number;
  /** synthMedianMs / serializeMedianMs: how many serializations one full synthesis costs. */
  readonly ratio: number;
  /** The first synthesis in a fresh process (median over processes), module loading excluded; undefined without lib/. */
  readonly firstSynthMedianMs?: number;
}

/**
 * The first synthesis in a fresh Node process, timed inside it (module loading excluded), median over processes.
 * It uses the compiled library (lib/, from `npx projen compile`): compiling TypeScript would swamp the figure.
 */
function firstSynthesis(controlPlaneNodes: number): number | undefined {
  if (!fs.existsSync(COMPILED_LIBRARY)) return undefined;
  const script = `
    const { App, Chart } = require('cdk8s');
    const { EtcdTopology, HATopology } = require(${JSON.stringify(COMPILED_LIBRARY)});
    const start = process.hrtime.bigint();
    const app = new App();
    new HATopology(new Chart(app, 'bench'), 'Karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes: ${controlPlaneNodes} });
    app.synthYaml();
    process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));`;
  const samples = Array.from({ length: FIRST_SYNTH_PROCESSES }, () => Number(execFileSync(process.execPath, ['-e', script], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, CDK8S_KARMADA_SILENCE_WARNINGS: '1' },
    encoding: 'utf8',
  })));
  return median(samples);
}

/** Full synthesis, as an app does it: constructs, validation, resolution, JSON and YAML. */
function synthesize(controlPlaneNodes: number): { yaml: string; objects: unknown[] } {
  const app = new App();
  const chart = new Chart(app, 'bench');
  new HATopology(chart, 'Karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes });
  const yaml = app.synthYaml();
  return { yaml, objects: chart.toJson() };
}

/** Milliseconds per run of `run`, `ITERATIONS` times after `WARMUP` untimed runs. */
function time(run: () => void): number[] {
  for (let i = 0; i < WARMUP; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function positiveInteger(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${variable} must be a positive integer, got '${raw}'`);
  return value;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** A table; the columns in `leftAligned` are text, the others numbers. */
function printTable(header: string[], rows: string[][], leftAligned: number[] = [0]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column].length)));
  const pad = (cell: string, column: number) => (leftAligned.includes(column) ? cell.padEnd(widths[column]) : cell.padStart(widths[column]));
  const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  console.log(line(header));
  rows.forEach(row => console.log(line(row)));
}

function main(): void {
  // Warnings go to stderr on every synthesis; none is expected for these sizes, and none may pollute the timing.
  process.env.CDK8S_KARMADA_SILENCE_WARNINGS = '1';
  if (!fs.existsSync(COMPILED_LIBRARY)) throw new Error(`${COMPILED_LIBRARY} is missing: run \`npx projen compile\` first (\`npx projen bench\` does)`);

  const environment = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
  };
  const loadBefore = os.loadavg()[0];
  const processes = wholeProcesses();
  const loadAfter = os.loadavg()[0];
  console.log(`cdk8s-karmada synthesis benchmark, Node ${environment.node}, ${environment.platform}, ${environment.cpus} CPUs (${environment.cpuModel})\n`);
  console.log(`Whole processes (\`node main.js\`, compiled), median of ${PROCESS_ROUNDS} paired rounds; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
  printTable(['app', 'objects', 'median ms', 'x floor', 'paired x floor', 'CPU ms', 'CPU paired x floor', 'what'], processes.map(p => [
    p.name, String(p.objects), p.medianMs.toFixed(1), `${p.ratioToFloor.toFixed(2)}x`, `${p.pairedRatioMedian.toFixed(2)}x`,
    p.cpuMedianMs.toFixed(1), `${p.cpuPairedRatioMedian.toFixed(2)}x`, p.description,
  ]), [0, 7]);
  console.log('');

  const results: SizeResult[] = SIZES.map(controlPlaneNodes => {
    const reference = synthesize(controlPlaneNodes);
    // The serialization timed below must produce exactly what synthesis wrote, or the ratio compares unlike work.
    if (Yaml.stringify(...reference.objects) !== reference.yaml) {
      throw new Error(`serializing the synthesized objects of ${controlPlaneNodes} nodes does not reproduce the synthesized YAML`);
    }
    const synth = median(time(() => synthesize(controlPlaneNodes)));
    const serialize = median(time(() => Yaml.stringify(...reference.objects)));
    const first = firstSynthesis(controlPlaneNodes);
    return {
      controlPlaneNodes,
      objects: reference.objects.length,
      yamlBytes: Buffer.byteLength(reference.yaml),
      synthMedianMs: round(synth, 3),
      serializeMedianMs: round(serialize, 3),
      ratio: round(synth / serialize, 2),
      firstSynthMedianMs: first === undefined ? undefined : round(first, 1),
    };
  });

  console.log(`In process: stacked topology, median of ${ITERATIONS} runs after ${WARMUP} warm-up runs`);
  const header = ['nodes', 'objects', 'YAML KiB', 'synth ms', 'serialize ms', 'synth/serialize', 'first synth ms'];
  const rows = results.map(r => [
    String(r.controlPlaneNodes), String(r.objects), (r.yamlBytes / 1024).toFixed(1),
    r.synthMedianMs.toFixed(2), r.serializeMedianMs.toFixed(2), `${r.ratio.toFixed(2)}x`,
    r.firstSynthMedianMs === undefined ? 'n/a (no lib/)' : r.firstSynthMedianMs.toFixed(1),
  ]);
  printTable(header, rows);

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const report = {
    benchmark: 'synth',
    date: new Date().toISOString(),
    environment,
    wholeProcesses: { rounds: PROCESS_ROUNDS, loadAverage: { before: round(loadBefore, 2), after: round(loadAfter, 2) }, results: processes },
    inProcess: { warmup: WARMUP, iterations: ITERATIONS, results },
  };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nfirst synth: the first synthesis in each of ${FIRST_SYNTH_PROCESSES} fresh processes (compiled lib/), median`);
  console.log(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

main();
