/**
 * Builds what the library reads at synth time instead of parsing and serializing Karmada's CRDs on every synth
 * (`npx projen precompute-crds`; `test/precomputed-crds.test.ts` fails when the committed files differ from what this
 * builds):
 *
 * * `assets/precomputed/karmada-crds.json`: the CRDs and patches of `assets/karmada-crds/`, in kustomization order,
 *   parsed by cdk8s's own `Yaml.load` (what the library did at synth time before).
 * * `assets/precomputed/karmada-api-objects.json`: each CRD's YAML as `KarmadaApiObjects` renders it, with two
 *   sentinels for the installation's name and namespace;
 * * `assets/precomputed/default-installation.json`: the gzip of the default installation's whole text, by its props.
 *
 * Run from the repository root: `npx ts-node --project test/tsconfig.json scripts/precompute-crds.ts`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Chart, Yaml } from 'cdk8s';
import { KarmadaApiObjects } from '../src/constructs/karmada-api-objects';
import { KarmadaBootstrapJob } from '../src/constructs/karmada-bootstrap-job';
import {
  PRECOMPUTED_DEFAULT_FILE, PRECOMPUTED_RENDER_FILE, PrecomputedDefault, PrecomputedRender, renderKarmadaApiObjects, renderKey,
} from '../src/private/karmada-api-render';
import { CrdSources, KARMADA_CRDS_DIR, PRECOMPUTED_CRDS_FILE, renderOptions } from '../src/private/karmada-crds';

type Json = Record<string, any>;

/** Stand-ins for the installation's name and namespace: valid names that occur nowhere in the CRDs. */
export const INSTANCE_SENTINEL = 'zzkarmadainstancezz';
export const NAMESPACE_SENTINEL = 'zzkarmadanamespacezz';

/** Every YAML file under the CRD folder, relative to it, sorted. */
function yamlFiles(dir: string = KARMADA_CRDS_DIR, prefix: string = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(entry => entry.isDirectory()
      ? yamlFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : entry.name.endsWith('.yaml') ? [`${prefix}${entry.name}`] : []);
}

/** The kustomization's CRDs and patches, parsed with cdk8s's `Yaml.load` (one call: it runs a child process). */
export function parseCrdSources(): CrdSources {
  const files = yamlFiles();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-karmada-crds-'));
  let documents: Json[];
  try {
    const joined = path.join(dir, 'all.yaml');
    fs.writeFileSync(joined, files.map(file => fs.readFileSync(path.join(KARMADA_CRDS_DIR, file), 'utf8')).join('\n---\n'));
    documents = Yaml.load(joined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (documents.length !== files.length) {
    throw new Error(`${KARMADA_CRDS_DIR} holds ${documents.length} YAML documents in ${files.length} files, expected one per file`);
  }
  const byFile = new Map(files.map((file, index) => [file, documents[index]]));
  const read = (file: string): Json => {
    const document = byFile.get(path.posix.normalize(file));
    if (!document) throw new Error(`kustomization.yaml in ${KARMADA_CRDS_DIR} names '${file}', which is not there`);
    return document;
  };
  const kustomization = read('kustomization.yaml');
  const resources: string[] = kustomization.resources ?? [];
  const patchPaths: string[] = (kustomization.patches ?? []).map((patch: { path: string }) => patch.path);
  return { crds: resources.map(read), patches: patchPaths.map(read) };
}

/** The gzip the bootstrap Job would compute: level 9, OS byte "unknown". */
function gzip(text: string): Buffer {
  const bytes = zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  bytes[9] = 0xff;
  return bytes;
}

/** The props of the default installation: HATopology's defaults (the Usage example). */
const DEFAULT_INSTALLATION = { instance: 'karmada', hostNamespace: 'karmada-system', clusterDomain: 'cluster.local', search: false, metricsAdapter: false, descheduler: false };

/**
 * The rendering texts, built from the CRDs the library reads (so write `karmada-crds.json` first), with the
 * precomputed texts switched off: everything here is rendered the slow way.
 */
export function buildRenderTexts(): { render: PrecomputedRender; defaultInstallation: PrecomputedDefault } {
  const before = renderOptions.usePrecomputed;
  renderOptions.usePrecomputed = false;
  try {
    const chart = new Chart(new App(), 'karmada-api');
    new KarmadaApiObjects(chart, 'Objects', { instance: INSTANCE_SENTINEL, hostNamespace: NAMESPACE_SENTINEL });
    const crdDocuments = chart.toJson().filter(object => object.kind === 'CustomResourceDefinition').map(object => Yaml.stringify(object));
    // The default installation (HATopology's defaults): the bootstrap Job's own props decide the rendered text.
    const job = new KarmadaBootstrapJob(new Chart(new App(), 'default', { namespace: 'karmada-system' }), 'Bootstrap', {
      apiServerUrl: 'https://karmada-apiserver.karmada-system.svc.cluster.local:5443',
      karmadaApiObjects: { clusterDomain: 'cluster.local', search: false, metricsAdapter: false, descheduler: false },
    });
    const text = job.renderedObjects;
    if (text !== renderKarmadaApiObjects(DEFAULT_INSTALLATION)) {
      throw new Error('the default installation\'s rendered objects differ between the bootstrap Job and the renderer');
    }
    return {
      render: { instance: INSTANCE_SENTINEL, namespace: NAMESPACE_SENTINEL, crdDocuments },
      defaultInstallation: { props: renderKey(DEFAULT_INSTALLATION), gzipBase64: gzip(text).toString('base64') },
    };
  } finally {
    renderOptions.usePrecomputed = before;
  }
}

/** What `karmada-crds.json` holds. */
export function crdsFileText(sources: CrdSources): string {
  return `${JSON.stringify({ crds: sources.crds, patches: sources.patches })}\n`;
}

/** What `karmada-api-objects.json` and `default-installation.json` hold. */
export function renderFileText(texts: PrecomputedRender | PrecomputedDefault): string {
  return `${JSON.stringify(texts)}\n`;
}

function main(): void {
  const sources = parseCrdSources();
  const all = JSON.stringify(sources);
  for (const sentinel of [INSTANCE_SENTINEL, NAMESPACE_SENTINEL]) {
    if (all.includes(sentinel)) throw new Error(`the CRDs contain the sentinel '${sentinel}': pick another`);
  }
  fs.mkdirSync(path.dirname(PRECOMPUTED_CRDS_FILE), { recursive: true });
  fs.writeFileSync(PRECOMPUTED_CRDS_FILE, crdsFileText(sources));
  const { render, defaultInstallation } = buildRenderTexts();
  fs.writeFileSync(PRECOMPUTED_RENDER_FILE, renderFileText(render));
  fs.writeFileSync(PRECOMPUTED_DEFAULT_FILE, renderFileText(defaultInstallation));
  for (const file of [PRECOMPUTED_CRDS_FILE, PRECOMPUTED_RENDER_FILE, PRECOMPUTED_DEFAULT_FILE]) {
    console.log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes)`);
  }
}

if (require.main === module) main();
