/**
 * How long in-process synthesis of an HA control plane takes, against the part of it that is only YAML
 * serialization. Run: `npx ts-node bench/synth.ts` (or `npx projen bench`); see bench/README.md.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { EtcdTopology, HATopology } from '../src';

/** The sizes measured: control-plane nodes of a stacked topology (odd, so no even-member warning). */
const SIZES = [3, 5, 7];
const WARMUP = positiveInteger('BENCH_WARMUP', 5);
const ITERATIONS = positiveInteger('BENCH_ITERATIONS', 30);
const RESULTS_FILE = path.join(__dirname, 'results', 'synth.json');
/** Fresh processes timed for the first synthesis (what one `cdk8s synth` pays: nothing is cached yet). */
const FIRST_SYNTH_PROCESSES = positiveInteger('BENCH_FIRST_SYNTH_PROCESSES', 5);
const COMPILED_LIBRARY = path.join(__dirname, '..', 'lib', 'index.js');

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

function main(): void {
  // Warnings go to stderr on every synthesis; none is expected for these sizes, and none may pollute the timing.
  process.env.CDK8S_KARMADA_SILENCE_WARNINGS = '1';

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

  const environment = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
  };
  console.log(`cdk8s-karmada synthesis benchmark: stacked topology, median of ${ITERATIONS} runs after ${WARMUP} warm-up runs`);
  console.log(`Node ${environment.node}, ${environment.platform}, ${environment.cpus} CPUs (${environment.cpuModel})\n`);
  const header = ['nodes', 'objects', 'YAML KiB', 'synth ms', 'serialize ms', 'synth/serialize', 'first synth ms'];
  const rows = results.map(r => [
    String(r.controlPlaneNodes), String(r.objects), (r.yamlBytes / 1024).toFixed(1),
    r.synthMedianMs.toFixed(2), r.serializeMedianMs.toFixed(2), `${r.ratio.toFixed(2)}x`,
    r.firstSynthMedianMs === undefined ? 'n/a (no lib/)' : r.firstSynthMedianMs.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column])).join('  ');
  console.log(line(header));
  rows.forEach(row => console.log(line(row)));

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const report = { benchmark: 'synth', date: new Date().toISOString(), warmup: WARMUP, iterations: ITERATIONS, environment, results };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nfirst synth: the first synthesis in each of ${FIRST_SYNTH_PROCESSES} fresh processes (compiled lib/), median`);
  console.log(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

main();
