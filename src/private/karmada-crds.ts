import * as fs from 'fs';
import * as path from 'path';

/**
 * Karmada's CRDs, as copied from upstream (`assets/karmada-crds/`, see its SOURCE.md). The compiled file lives in
 * `lib/private/`, the source in `src/private/`: both are two levels below the package root, where `assets/` is.
 */
export const KARMADA_CRDS_DIR = path.join(__dirname, '..', '..', 'assets', 'karmada-crds');

/**
 * What the library reads at synth time instead of the YAML: the same CRDs and patches, parsed at build time
 * (`npx projen precompute-crds`, `scripts/precompute-crds.ts`) and checked against the YAML by
 * `test/precomputed-crds.test.ts`. Parsing 730 KB of YAML at every synth cost more than the rest of synthesis.
 */
export const PRECOMPUTED_DIR = path.join(__dirname, '..', '..', 'assets', 'precomputed');
/** The parsed CRDs and patches: `{ crds, patches }`, in kustomization order. */
export const PRECOMPUTED_CRDS_FILE = path.join(PRECOMPUTED_DIR, 'karmada-crds.json');

/** What the conversion-webhook patches need filled in. */
export interface CrdConversionValues {
  /** The karmada-webhook Service in the host cluster (serves `/convert`). */
  readonly webhookServiceName: string;
  /** The host-cluster namespace of that Service. */
  readonly webhookNamespace: string;
  /** The base64 Karmada CA bundle karmada-apiserver verifies the webhook's serving certificate with. */
  readonly caBundle: string;
}

type Json = Record<string, any>;

/** The CRDs and their patches, as in the kustomization. */
export interface CrdSources {
  /** The CRDs, in kustomization order. */
  readonly crds: Json[];
  /** The patches, in kustomization order. */
  readonly patches: Json[];
}

let cache: CrdSources | undefined;

/** The precomputed CRDs and patches, read once per process. */
function sources(): CrdSources {
  if (!cache) {
    const parsed = JSON.parse(fs.readFileSync(PRECOMPUTED_CRDS_FILE, 'utf8'));
    if (!Array.isArray(parsed?.crds) || !Array.isArray(parsed?.patches)) {
      throw new Error(`${PRECOMPUTED_CRDS_FILE} holds no 'crds' and 'patches' lists: run \`npx projen precompute-crds\``);
    }
    cache = { crds: parsed.crds, patches: parsed.patches };
  }
  return cache;
}

/** A deep copy of plain JSON. */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** Replace `{{name}}`, `{{namespace}}` and `{{caBundle}}` in every string of a patch. */
function fill(value: any, values: CrdConversionValues): any {
  if (typeof value === 'string') {
    return value
      .replace(/\{\{name\}\}/g, values.webhookServiceName)
      .replace(/\{\{namespace\}\}/g, values.webhookNamespace)
      .replace(/\{\{caBundle\}\}/g, values.caBundle);
  }
  if (Array.isArray(value)) return value.map(item => fill(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
  }
  return value;
}

/** Strategic merge of maps: patch keys win, nested maps merge, lists and scalars replace. */
function merge(base: any, patch: any): any {
  if (base === null || typeof base !== 'object' || Array.isArray(base) || patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    return patch;
  }
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    merged[key] = key in base ? merge(base[key], value) : value;
  }
  return merged;
}

/**
 * Karmada's 19 CRDs as plain JSON objects, in kustomization order, with the two conversion-webhook patches applied:
 * `spec.conversion` of `resourcebindings.work.karmada.io` and `clusterresourcebindings.work.karmada.io` points at
 * `https://<webhook Service>.<namespace>.svc:443/convert` with the given CA bundle. Pure: a fresh copy every call.
 */
export function karmadaCrds(values: CrdConversionValues): Json[] {
  const { crds, patches } = sources();
  const result = crds.map(clone);
  for (const patch of patches) {
    const name = patch.metadata?.name;
    const target = result.find(crd => crd.metadata?.name === name);
    if (!target) {
      throw new Error(`the CRD patch for '${name}' matches no CRD in ${KARMADA_CRDS_DIR}`);
    }
    // The patches only switch on the conversion webhook: take `spec.conversion` and nothing else.
    const conversion = fill(clone(patch.spec?.conversion), values);
    if (!conversion || JSON.stringify(conversion).includes('{{')) {
      throw new Error(`the CRD patch for '${name}' has no spec.conversion or a placeholder this library does not fill`);
    }
    target.spec = merge(target.spec, { conversion });
  }
  return result;
}

/**
 * `usePrecomputed`: whether rendering may use the precomputed texts (the generator and the tests switch it off to
 * render the reference). `omitCrds`: set only while the renderer builds a `KarmadaApiObjects` whose CRDs it takes
 * from the precomputed texts; the construct then leaves them out.
 */
export const renderOptions = { usePrecomputed: true, omitCrds: false };
