import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';

/**
 * Karmada's CRDs, read from the copies shipped in the package (`assets/karmada-crds/`, see its SOURCE.md).
 * The compiled file lives in `lib/private/`, the source in `src/private/`: both are two levels below the package
 * root, where `assets/` is.
 */
export const KARMADA_CRDS_DIR = path.join(__dirname, '..', '..', 'assets', 'karmada-crds');

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

interface CrdSources {
  /** The CRDs, in kustomization order. */
  readonly crds: Json[];
  /** The patches, in kustomization order. */
  readonly patches: Json[];
}

let cache: CrdSources | undefined;

/** Every YAML file under the CRD folder, relative to it, sorted. */
function yamlFiles(dir: string = KARMADA_CRDS_DIR, prefix: string = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(entry => entry.isDirectory()
      ? yamlFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : entry.name.endsWith('.yaml') ? [`${prefix}${entry.name}`] : []);
}

/**
 * Read the kustomization and every file it names, once per process. cdk8s parses YAML in a child process per call,
 * so the files are joined into one temporary multi-document file and parsed in a single call.
 */
function sources(): CrdSources {
  if (!cache) {
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
    cache = { crds: resources.map(read), patches: patchPaths.map(read) };
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
