import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Chart, Yaml } from 'cdk8s';
import { Defaults } from '../installation';
import { PRECOMPUTED_DIR, renderOptions } from './karmada-crds';
import { KarmadaApiObjects, KarmadaApiObjectsProps } from '../constructs/karmada-api-objects';


/**
 * Built at build time by `scripts/precompute-crds.ts` (`npx projen precompute-crds`) and checked by
 * `test/precomputed-crds.test.ts`:
 *
 * * `crdDocuments`: the YAML of each CRD exactly as `KarmadaApiObjects` renders it, for an installation named
 *   `instance` in the host namespace `namespace` (two sentinels that occur nowhere else) with the CA bundle
 *   placeholder. Serializing the 730 KB of CRDs is most of the rendering; with these it is a string replacement.
 * * `compressed`: the gzip (level 9, fixed header) of whole rendered texts, by their SHA-256: the default
 *   installation's, so its bootstrap Job does not compress the same 730 KB on every synth.
 */
export const PRECOMPUTED_RENDER_FILE = path.join(PRECOMPUTED_DIR, 'karmada-api-objects.json');

/** The content of `PRECOMPUTED_RENDER_FILE`. */
export interface PrecomputedRender {
  readonly instance: string;
  readonly namespace: string;
  readonly crdDocuments: string[];
  readonly compressed: Array<{ readonly sha256: string; readonly gzipBase64: string }>;
}


let precomputed: PrecomputedRender | undefined;

function readPrecomputed(): PrecomputedRender {
  if (!precomputed) {
    precomputed = JSON.parse(fs.readFileSync(PRECOMPUTED_RENDER_FILE, 'utf8')) as PrecomputedRender;
  }
  return precomputed;
}

/** Rendered YAML by props: each distinct set of props is rendered once per process (it is a pure function). */
const rendered = new Map<string, string>();

/**
 * The YAML documents of the CRDs for this installation, from the precomputed texts; undefined where they do not apply
 * and the CRDs must be rendered: a CA bundle of the caller's, object keys left unsorted (`CDK8S_DISABLE_SORT`), or a
 * name YAML would quote (e.g. `123`, `true`): the texts hold them as plain scalars.
 */
function precomputedCrdDocuments(props: KarmadaApiObjectsProps): string[] | undefined {
  if (!renderOptions.usePrecomputed || props.caBundle !== undefined || process.env.CDK8S_DISABLE_SORT) return undefined;
  const instance = props.instance ?? Defaults.INSTANCE;
  const namespace = props.hostNamespace ?? Defaults.NAMESPACE;
  if (Yaml.stringify(instance) !== `${instance}\n` || Yaml.stringify(namespace) !== `${namespace}\n`) return undefined;
  const texts = readPrecomputed();
  return texts.crdDocuments.map(text => text.split(texts.instance).join(instance).split(texts.namespace).join(namespace));
}

/**
 * The objects `KarmadaApiObjects` creates inside the Karmada API, as multi-document YAML: built in a detached app so
 * nothing leaks into the caller's charts. Deterministic: the same props give the same bytes, whether the CRDs come
 * from the precomputed texts or are rendered here.
 */
export function renderKarmadaApiObjects(props: KarmadaApiObjectsProps): string {
  const key = JSON.stringify(props, Object.keys(props).sort());
  let text = rendered.get(key);
  if (text === undefined) {
    const crdDocuments = precomputedCrdDocuments(props);
    const chart = new Chart(new App(), 'karmada-api');
    renderOptions.omitCrds = crdDocuments !== undefined;
    try {
      new KarmadaApiObjects(chart, 'Objects', props);
    } finally {
      renderOptions.omitCrds = false;
    }
    const objects = chart.toJson();
    if (crdDocuments) {
      // The CRDs come right after the Namespace (KarmadaApiObjects creates them in that order).
      if (objects[0]?.kind !== 'Namespace') throw new Error('KarmadaApiObjects no longer starts with its Namespace');
      text = [Yaml.stringify(objects[0]), ...crdDocuments, ...objects.slice(1).map(object => Yaml.stringify(object))].join('---\n');
    } else {
      text = Yaml.stringify(...objects);
    }
    rendered.set(key, text);
  }
  return text;
}

/** The last text compressed and its bytes: every synthesis of one installation compresses the same ~730 KB. */
let lastCompressed: { text: string; bytes: Buffer } | undefined;

/**
 * gzip at level 9 with a fixed header (no name, no time, OS "unknown"): the same input gives the same bytes. A text
 * whose gzip was precomputed (the default installation's) is not compressed again.
 */
export function gzipRendered(text: string): Buffer {
  if (lastCompressed?.text !== text) {
    let bytes: Buffer | undefined;
    if (renderOptions.usePrecomputed) {
      const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
      const known = readPrecomputed().compressed.find(entry => entry.sha256 === sha256);
      bytes = known ? Buffer.from(known.gzipBase64, 'base64') : undefined;
    }
    if (!bytes) {
      bytes = zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
      bytes[9] = 0xff;
    }
    lastCompressed = { text, bytes };
  }
  return Buffer.from(lastCompressed.bytes);
}
