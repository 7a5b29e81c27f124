import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { buildExternalChart } from '../examples/external/chart';
import { buildExternalEndpointsChart, EXTERNAL_ETCD_ENDPOINTS } from '../examples/external-endpoints/chart';
import { buildStackedChart } from '../examples/stacked/chart';
import { HATopology, KarmadaLabels, KarmadaWarnings } from '../src';
import { flag, Manifest, ofKind, podLabels, podSpec } from './util';

/**
 * Every example app is synthesized by the real cdk8s CLI, exactly as its README-level command does
 * (`npx cdk8s synth` inside the example's folder), and what it writes to dist/ must be what the same chart
 * synthesizes in-process. An example is any folder of examples/ with a cdk8s.yaml.
 */

const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');
/** One `cdk8s synth` type-checks and runs the example with ts-node: a few seconds; a hang must not stall CI. */
const CLI_TIMEOUT_MS = 60_000;

interface Example {
  /** Builds the example's chart into `app`: what its main.ts runs. */
  readonly build: (app: App) => Chart;
  /** Facts a platform engineer would check in the YAML written to dist/. */
  readonly expectFacts: (objects: Manifest[]) => void;
}

/** Every example, by folder name. A folder with a cdk8s.yaml that is missing here fails the first test. */
const EXAMPLES: Record<string, Example> = {
  'stacked': {
    build: buildStackedChart,
    expectFacts: objects => {
      // 3 control-plane nodes, each with its own etcd member and 6 components.
      expect(ofKind(objects, 'StatefulSet')).toHaveLength(3);
      expect(ofKind(objects, 'Deployment')).toHaveLength(18);
      // Each apiserver dials only the member stacked on its own node.
      for (const apiServer of apiServers(objects)) {
        const node = podLabels(apiServer)[KarmadaLabels.CONTROL_PLANE_NODE];
        const member = ofKind(objects, 'StatefulSet').find(sts => podLabels(sts)[KarmadaLabels.CONTROL_PLANE_NODE] === node);
        expect(member).toBeDefined();
        expect(flag(apiServer, 'etcd-servers')).toBe(`https://${member!.metadata.name}.karmada-system.svc.cluster.local:2379`);
      }
      // No two control-plane nodes, and no two members, share a zone.
      for (const workload of [...ofKind(objects, 'StatefulSet'), ...ofKind(objects, 'Deployment')]) {
        const antiAffinity = podSpec(workload).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
        expect(antiAffinity.map((term: Manifest) => term.topologyKey)).toContain('topology.kubernetes.io/zone');
      }
      expect(entryPoint(objects).spec.type).toBe('LoadBalancer');
      // Pull mode: the load balancer's name is in the apiserver's certificate, and kube-controller-manager signs
      // karmada-agent certificates with the Karmada CA.
      const apiServerCertificate = objects.find(o => o.kind === 'Certificate' && o.metadata.name === 'karmada-apiserver-cert')!;
      expect(apiServerCertificate.spec.dnsNames).toContain('karmada.internal.example.com');
      for (const kubeControllerManager of ofKind(objects, 'Deployment').filter(d => podLabels(d)[KarmadaLabels.NAME] === 'kube-controller-manager')) {
        expect(flag(kubeControllerManager, 'controllers')).toContain('csrsigning');
      }
    },
  },
  'external': {
    build: buildExternalChart,
    expectFacts: objects => {
      const members = ofKind(objects, 'StatefulSet');
      expect(members).toHaveLength(3);
      // 6 core and 3 optional components on each of 3 nodes, and one scheduler estimator per member cluster.
      expect(ofKind(objects, 'Deployment')).toHaveLength(3 * 9 + 2);
      // Members belong to no control-plane node, and every apiserver dials all of them.
      for (const member of members) {
        expect(podLabels(member)[KarmadaLabels.CONTROL_PLANE_NODE]).toBeUndefined();
      }
      const allMembers = members.map(member => `https://${member.metadata.name}.karmada-system.svc.cluster.local:2379`).join(',');
      for (const apiServer of apiServers(objects)) {
        expect(flag(apiServer, 'etcd-servers')).toBe(allMembers);
      }
      expect(entryPoint(objects).spec.type).toBe('ClusterIP');
    },
  },
  'external-endpoints': {
    build: buildExternalEndpointsChart,
    expectFacts: objects => {
      // No etcd runs in the cluster.
      expect(ofKind(objects, 'StatefulSet')).toHaveLength(0);
      expect(ofKind(objects, 'PersistentVolumeClaim')).toHaveLength(0);
      expect(ofKind(objects, 'Deployment')).toHaveLength(18);
      // The user's own PKI: no cert-manager object, and no Secret either.
      expect(objects.filter(o => o.apiVersion === 'cert-manager.io/v1' || o.kind === 'Secret')).toEqual([]);
      // Every apiserver dials every endpoint, under its own key prefix, with the given client certificate.
      for (const apiServer of apiServers(objects)) {
        expect(flag(apiServer, 'etcd-servers')).toBe(EXTERNAL_ETCD_ENDPOINTS.join(','));
        expect(flag(apiServer, 'etcd-prefix')).toBe('/registry/karmada');
        const secrets = podSpec(apiServer).volumes.map((volume: Manifest) => volume.secret?.secretName);
        expect(secrets).toContain('karmada-external-etcd-client-cert');
      }
    },
  },
};

/** The folders of examples/ that hold a cdk8s app, sorted. */
function discoverExamples(): string[] {
  return fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter(entry => entry.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, entry.name, 'cdk8s.yaml')))
    .map(entry => entry.name)
    .sort();
}

interface CliSynth {
  readonly result: SpawnSyncReturns<string>;
  /** dist/ after the run: YAML file name to its text. */
  readonly files: Record<string, string>;
}

const cliRuns = new Map<string, CliSynth>();

/** WHEN `npx cdk8s synth` runs inside the example's folder (once per example, shared by its tests). */
function cliSynth(name: string): CliSynth {
  const cached = cliRuns.get(name);
  if (cached) return cached;
  const cwd = path.join(EXAMPLES_DIR, name);
  // Warnings must reach stderr, whatever the caller's environment says.
  const env = { ...process.env };
  delete env.CDK8S_KARMADA_SILENCE_WARNINGS;
  const result = spawnSync('npx', ['cdk8s', 'synth', '--no-check-upgrade'], { cwd, env, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  const dist = path.join(cwd, 'dist');
  const files: Record<string, string> = {};
  if (fs.existsSync(dist)) {
    for (const file of fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).sort()) {
      files[file] = fs.readFileSync(path.join(dist, file), 'utf8');
    }
  }
  const run = { result, files };
  cliRuns.set(name, run);
  return run;
}

/** Why a CLI run failed, with its output; undefined when it exited 0. */
function cliFailure({ result }: CliSynth): string | undefined {
  if (result.status === 0) return undefined;
  const reason = result.error ? `${result.error.message}` : `exit status ${result.status}, signal ${result.signal}`;
  return `cdk8s synth failed (${reason})\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/**
 * Parse a multi-document YAML file. Kubernetes reads manifests as YAML 1.1 (and cdk8s writes 1.1); most other
 * tools read YAML 1.2. Both readings must agree, or the file means different things to kubectl and to, say, a
 * policy checker.
 */
function parseManifests(text: string): Manifest[] {
  const read = (version: '1.1' | '1.2') => parseAllDocuments(text, { version }).map(document => {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors.map(e => e.message).join('; ')}`);
    return document.toJS() as Manifest;
  });
  const asKubernetes = read('1.1');
  expect(read('1.2')).toEqual(asKubernetes);
  return asKubernetes;
}

/** The objects the example's chart synthesizes in-process. */
function inProcessSynth(name: string): { chart: Chart; objects: Manifest[] } {
  const app = Testing.app();
  const chart = EXAMPLES[name].build(app);
  return { chart, objects: Testing.synth(chart) };
}

function apiServers(objects: Manifest[]): Manifest[] {
  const found = ofKind(objects, 'Deployment').filter(d => podLabels(d)[KarmadaLabels.NAME] === 'karmada-apiserver');
  expect(found.length).toBeGreaterThanOrEqual(3);
  return found;
}

/** The HA entry point: the apiserver Service that is not any one node's. */
function entryPoint(objects: Manifest[]): Manifest {
  const found = ofKind(objects, 'Service').filter(s => s.metadata.name === 'karmada-apiserver');
  expect(found).toHaveLength(1);
  return found[0];
}

/** The line each example prints, pinned: what its topology needs and survives. */
const EXPECTED_FAILURE_TOLERANCE: Record<string, string> = {
  'stacked': 'stacked etcd, 3 control-plane nodes each with its etcd member: needs 3 hosts in 3 zones; survives 1 host failure and 1 zone failure (etcd quorum 2 of 3, at least 1 of 3 apiservers)',
  'external': 'external etcd, 3 control-plane nodes and 3 etcd members: needs 6 hosts; survives 1 host failure; zones not given, so one zone failure may stop it (etcd quorum 2 of 3, at least 1 of 3 apiservers)',
  'external-endpoints': 'etcd outside the cluster, 3 control-plane nodes: needs 3 hosts; survives 2 host failures; zones not given, so one zone failure may stop it (at least 1 of 3 apiservers; the outside etcd\'s own tolerance not counted)',
};

const discovered = discoverExamples();

test('GIVEN examples/ WHEN looking for cdk8s apps THEN every one is known to this test, and every known one exists', () => {
  // A new example needs an entry in EXAMPLES (how to build it in-process, and what to check in its YAML).
  expect(discovered).toEqual(Object.keys(EXAMPLES).sort());
});

describe.each(discovered)('example %s', name => {
  test('GIVEN its folder WHEN `npx cdk8s synth --no-check-upgrade` runs there THEN it exits 0, writes YAML to dist/ and prints no library warning', () => {
    const run = cliSynth(name);
    expect(cliFailure(run)).toBeUndefined();
    expect(Object.keys(run.files).length).toBeGreaterThan(0);
    expect(run.result.stderr).not.toContain('[cdk8s-karmada] warning');
  });

  test('GIVEN its folder WHEN `npx cdk8s synth` runs there THEN it prints the failure-tolerance line of its topology', () => {
    const run = cliSynth(name);
    expect(cliFailure(run)).toBeUndefined();
    const topology = inProcessSynth(name).chart.node.findChild('Karmada') as HATopology;
    expect(run.result.stderr).toContain(`failure tolerance: ${topology.failureTolerance.summary}\n`);
    expect(run.result.stderr).toContain(`failure tolerance: ${EXPECTED_FAILURE_TOLERANCE[name]}\n`);
  });

  test('GIVEN the YAML the CLI wrote WHEN parsed THEN it is one file, equal to the same chart synthesized in-process', () => {
    const run = cliSynth(name);
    expect(cliFailure(run)).toBeUndefined();
    const { chart, objects: expected } = inProcessSynth(name);
    expect(Object.keys(run.files)).toEqual([`${chart.node.id}.k8s.yaml`]);
    const written = parseManifests(run.files[`${chart.node.id}.k8s.yaml`] ?? '');
    expect(written.length).toBeGreaterThan(0);
    expect(written).toEqual(expected);
  });

  test('GIVEN the example\'s chart WHEN built THEN it records no warning (examples show safe choices)', () => {
    const { chart } = inProcessSynth(name);
    expect(KarmadaWarnings.of(chart)).toEqual([]);
  });

  test('GIVEN the YAML the CLI wrote THEN every object is in karmada-system, and the topology is the one the example describes', () => {
    const run = cliSynth(name);
    expect(cliFailure(run)).toBeUndefined();
    const objects = Object.values(run.files).flatMap(parseManifests);
    // ... but the Namespace itself, which comes first so one apply creates it before its objects
    expect(objects[0]).toEqual(expect.objectContaining({ kind: 'Namespace', metadata: expect.objectContaining({ name: 'karmada-system' }) }));
    expect(objects.slice(1).filter(o => o.metadata?.namespace !== 'karmada-system').map(o => `${o.kind}/${o.metadata?.name}`)).toEqual([]);
    EXAMPLES[name]?.expectFacts(objects);
  });
});
