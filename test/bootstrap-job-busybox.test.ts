/**
 * The bootstrap Job's init script, run by a real busybox (the Job's image is docker.io/library/busybox:1.37.0; the
 * binary here is Debian's busybox-static, trixie's 1.37 or bookworm's 1.35, from scripts/ensure-debian-tools.sh).
 *
 * The script, its volumes and what they hold are taken from the synthesized topology: the gzip ConfigMap's
 * binaryData becomes the mounted objects.yaml.gz, the bootstrap client Secret's ca.crt is the Karmada CA issued from
 * the synthesized cert-manager Certificates (test/integ/cert-manager-issuer.ts), and the emptyDir is an empty
 * directory. The script runs as `busybox sh -c <script>` with a PATH of busybox applet symlinks only, so no GNU tool
 * can stand in for an applet.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { appletDirectory, BusyboxBinary, ensureBusyboxBinary } from './integ/busybox-binary';
import { issueCertManagerPki, IssuedSecret } from './integ/cert-manager-issuer';
import { find, Manifest, podSpec, synthTopology } from './util';
import { renderKarmadaApiObjects } from '../src/private/karmada-api-render';
import { SecretNames, CA_BUNDLE_PLACEHOLDER } from '../src/private/names';

/** The tools the script calls; each must be an applet (a shell builtin such as `[` or `echo` needs none). */
const TOOLS = ['base64', 'tr', 'gunzip', 'sed', 'grep', 'rm'];

let busybox: BusyboxBinary;
let tmp: string;
let pathDir: string;

beforeAll(() => {
  busybox = ensureBusyboxBinary();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-busybox-'));
  pathDir = appletDirectory(busybox, path.join(tmp, 'path'));
  console.log(`busybox ${busybox.version} from ${busybox.path}: ${busybox.banner}`);
}, 600_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** GIVEN the default topology WHEN synthesized: its objects, the bootstrap Job and its init container. */
const { objects, topology } = synthTopology();
const job = find(objects, 'Job', objects.find(o => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/name'] === 'karmada-bootstrap')?.metadata.name);
const spec = podSpec(job);
const prepare: Manifest = spec.initContainers.find((c: Manifest) => c.name === 'prepare');

/** What the synthesized Job applies, before the CA is filled in: the topology's KarmadaApiObjects. */
const rendered = renderKarmadaApiObjects(topology.karmadaApiObjects);

interface Materialized {
  readonly root: string;
  /** mountPath → the directory that stands for it. */
  readonly dirs: ReadonlyMap<string, string>;
  /** A fresh, empty working directory the script runs in. */
  readonly cwd: string;
  /** The script with the mount paths rewritten. */
  readonly script: string;
}

/**
 * Each volume the init container mounts, as a directory under a new temp dir: a ConfigMap volume holds the
 * ConfigMap's items (binaryData decoded), a Secret volume the items of `secretFiles` (key → contents), an emptyDir
 * nothing. The script gets the mount paths rewritten to those directories.
 */
function materialize(secretFiles: Readonly<Record<string, Buffer | string>>, overrides: Readonly<Record<string, Buffer>> = {}): Materialized {
  const root = fs.mkdtempSync(path.join(tmp, 'pod-'));
  const dirs = new Map<string, string>();
  for (const [i, mount] of (prepare.volumeMounts as Manifest[]).entries()) {
    const volume: Manifest = spec.volumes.find((v: Manifest) => v.name === mount.name);
    const dir = path.join(root, `mount-${i}-${mount.name}`);
    fs.mkdirSync(dir);
    dirs.set(mount.mountPath, dir);
    if (volume.configMap) {
      const configMap = find(objects, 'ConfigMap', volume.configMap.name);
      const keys = Object.keys({ ...configMap.data, ...configMap.binaryData });
      const items: Manifest[] = volume.configMap.items ?? keys.map(key => ({ key, path: key }));
      for (const item of items) {
        const content = configMap.binaryData?.[item.key] !== undefined
          ? Buffer.from(configMap.binaryData[item.key], 'base64')
          : Buffer.from(configMap.data[item.key], 'utf8');
        fs.writeFileSync(path.join(dir, item.path), overrides[item.path] ?? content);
      }
    } else if (volume.secret) {
      expect(volume.secret.secretName).toBe(SecretNames.bootstrapClient(topology.name));
      for (const item of volume.secret.items as Manifest[]) {
        const content = secretFiles[item.key];
        if (content === undefined) throw new Error(`the test gives Secret ${volume.secret.secretName} no key ${item.key}`);
        fs.writeFileSync(path.join(dir, item.path), content, { mode: volume.secret.defaultMode ?? 0o644 });
      }
    } else if (!volume.emptyDir) {
      throw new Error(`volume ${volume.name}: ${JSON.stringify(volume)} is not a ConfigMap, Secret or emptyDir`);
    }
  }
  // The only deviation from the synthesized script: its absolute mount paths point at the directories above.
  let script: string = prepare.command[2];
  for (const [mountPath, dir] of dirs) script = script.split(`${mountPath}/`).join(`${dir}/`);
  const cwd = path.join(root, 'cwd');
  fs.mkdirSync(cwd);
  return { root, dirs, cwd, script };
}

/** Runs the script as the container would: `sh -c <script>`, here `busybox sh -c`, with busybox's applets only. */
function runScript(m: Materialized): SpawnSyncReturns<string> {
  return spawnSync(busybox.path, ['sh', '-c', m.script], { cwd: m.cwd, env: { PATH: pathDir }, encoding: 'utf8', timeout: 60_000 });
}

/**
 * Every `caBundle` field with a string value in the parsed documents (a CRD's schema also has properties named
 * caBundle: their values are schemas, objects, and are walked like any other object).
 */
function caBundles(yaml: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'caBundle' && typeof value === 'string') found.push(value);
        else walk(value);
      }
    }
  };
  for (const document of parseAllDocuments(yaml)) {
    expect(document.errors).toEqual([]);
    walk(document.toJS());
  }
  return found;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

let pki: Map<string, IssuedSecret>;
/** The Karmada CA, as cert-manager writes it into the bootstrap client Secret's ca.crt. */
let caPem: string;

describe('the bootstrap Job\'s init script, run by busybox', () => {
  beforeAll(() => {
    pki = issueCertManagerPki(objects, { dir: path.join(tmp, 'pki') });
    caPem = fs.readFileSync(pki.get(SecretNames.bootstrapClient(topology.name))!.caFile, 'utf8');
  });

  test('GIVEN the synthesized Job THEN its init container runs the shell image as `sh -c`, and the script touches only paths under its mounts', () => {
    expect(prepare.image).toBe('docker.io/library/busybox:1.37.0');
    expect(prepare.command.slice(0, 2)).toEqual(['sh', '-c']);
    const mountPaths: string[] = prepare.volumeMounts.map((m: Manifest) => m.mountPath);
    const absolutePaths: string[] = prepare.command[2].match(/(?<![\w.])\/[\w./-]+/g) ?? [];
    expect(absolutePaths.length).toBeGreaterThan(0);
    expect(absolutePaths.filter(p => !mountPaths.some(m => p.startsWith(`${m}/`)))).toEqual([]);
    // Only /work is writable in the pod (readOnlyRootFilesystem; the other mounts are read-only).
    expect(prepare.volumeMounts.filter((m: Manifest) => !m.readOnly).map((m: Manifest) => m.mountPath)).toEqual(['/work']);
    expect(prepare.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('GIVEN a PATH of busybox applets only THEN every tool the script calls is a busybox applet', () => {
    expect(fs.readdirSync(pathDir).every(name => fs.readlinkSync(path.join(pathDir, name)) === busybox.path)).toBe(true);
    expect(busybox.applets).toEqual(expect.arrayContaining(TOOLS));
    const which = spawnSync(busybox.path, ['sh', '-c', `for t in ${TOOLS.join(' ')}; do command -v "$t"; done`], { env: { PATH: pathDir }, encoding: 'utf8' });
    expect(which.status).toBe(0);
    // An applet resolves either to its symlink or, where the shell runs applets itself, to its bare name.
    for (const [i, line] of which.stdout.trim().split('\n').entries()) expect([path.join(pathDir, TOOLS[i]), TOOLS[i]]).toContain(line);
  });

  test.each([
    ['the Karmada CA that cert-manager writes into ca.crt', () => caPem],
    ['a bundle of two CAs (the Karmada and the etcd CA): a longer replacement', () => caPem + fs.readFileSync(pki.get(`${topology.name}-etcd-ca`)!.certFile, 'utf8')],
  ])('GIVEN %s WHEN busybox runs the script THEN it writes the objects with the base64 of the CA in every caBundle, and nothing else', (_what, ca) => {
    // GIVEN
    const pem = ca();
    const m = materialize({ 'ca.crt': pem });
    const work = m.dirs.get('/work')!;
    const inputs = [...m.dirs].filter(([mountPath]) => mountPath !== '/work').map(([, dir]) => dir);
    const before = inputs.map(dir => fs.readdirSync(dir).map(f => fs.readFileSync(path.join(dir, f))));

    // WHEN
    const started = Date.now();
    const run = runScript(m);
    const elapsedMs = Date.now() - started;

    // THEN it succeeds, silently
    expect({ status: run.status, signal: run.signal, stderr: run.stderr, error: run.error?.message })
      .toEqual({ status: 0, signal: null, stderr: '', error: undefined });
    expect(run.stdout).toBe('');
    // The objects, with the placeholder replaced by the CA's base64 on one line; exactly what the construct renders
    // when given that CA bundle itself.
    const caBase64 = Buffer.from(pem, 'utf8').toString('base64');
    expect(caBase64).not.toMatch(/\s/);
    const written = fs.readFileSync(path.join(work, 'objects.yaml'), 'utf8');
    expect(occurrences(rendered, CA_BUNDLE_PLACEHOLDER)).toBeGreaterThan(0);
    expect(written).not.toContain(CA_BUNDLE_PLACEHOLDER);
    expect(written === rendered.split(CA_BUNDLE_PLACEHOLDER).join(caBase64)).toBe(true);
    expect(written === renderKarmadaApiObjects({ ...topology.karmadaApiObjects, caBundle: caBase64 })).toBe(true);
    // Every caBundle field, parsed, decodes to exactly the CA PEM.
    const bundles = caBundles(written);
    expect(bundles.length).toBe(occurrences(rendered, CA_BUNDLE_PLACEHOLDER));
    expect(bundles.filter(b => b !== caBase64).length).toBe(0);
    expect(bundles.filter(b => Buffer.from(b, 'base64').toString('utf8') !== pem).length).toBe(0);
    // It wrote only /work/objects.yaml (its temporary file removed), and left its inputs and working directory alone.
    expect(fs.readdirSync(work)).toEqual(['objects.yaml']);
    expect(fs.readdirSync(m.cwd)).toEqual([]);
    expect(inputs.map(dir => fs.readdirSync(dir).map(f => fs.readFileSync(path.join(dir, f))))).toEqual(before);
    console.log(`busybox ${busybox.version}: ${bundles.length} caBundle fields filled with ${caBase64.length} characters of base64 in ${elapsedMs} ms`);
  });

  test('GIVEN an empty ca.crt WHEN busybox runs the script THEN it fails with its message and writes no objects', () => {
    const m = materialize({ 'ca.crt': '' });
    const run = runScript(m);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`${m.dirs.get('/etc/karmada/ca')}/ca.crt is empty\n`);
    expect(fs.readdirSync(m.dirs.get('/work')!)).toEqual([]);
  });

  const gz = Buffer.from(find(objects, 'ConfigMap', `${topology.name}-karmada-api-objects`).binaryData['objects.yaml.gz'], 'base64');
  /** `gz` with the byte at `index` replaced by 255 minus itself (every bit inverted). */
  const inverted = (index: number) => {
    const copy = Buffer.from(gz);
    copy[index] = 255 - copy[index];
    return copy;
  };
  const flipped = inverted(Math.floor(gz.length / 2));
  // The trailer is CRC-32 then the length, 4 bytes each.
  const badCrc = inverted(gz.length - 8);
  test.each([
    ['truncated to half', gz.subarray(0, Math.floor(gz.length / 2))],
    ['with a byte of the deflate data inverted', flipped],
    ['with a wrong CRC-32 in its trailer', badCrc],
    ['not gzip at all', Buffer.from('objects: not compressed\n')],
  ])('GIVEN objects.yaml.gz %s WHEN busybox runs the script THEN it fails and writes no objects', (_what, bytes) => {
    const m = materialize({ 'ca.crt': caPem }, { 'objects.yaml.gz': bytes });
    const run = runScript(m);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: expect.any(Number), stderr: expect.stringMatching(/\S/) });
    expect(run.status).not.toBe(0);
    expect(fs.existsSync(path.join(m.dirs.get('/work')!, 'objects.yaml'))).toBe(false);
    console.log(`busybox ${busybox.version} gunzip, objects.yaml.gz ${_what}: exit ${run.status}, ${JSON.stringify(run.stderr.trim())}`);
  });
});
