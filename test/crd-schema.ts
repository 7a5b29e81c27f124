/**
 * Validates custom resources (cert-manager, Karmada) against the `openAPIV3Schema` of their CRD in
 * imports/crds.yaml, the same file `npx projen import-crds` generates src/imports/ from.
 *
 * Stricter than the API server on purpose: a structural schema makes the API server PRUNE unknown fields
 * silently, which hides typos (`dnsName` for `dnsNames`). Here an object node that declares `properties` and
 * neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` rejects unknown properties.
 *
 * Kubernetes extensions: `x-kubernetes-int-or-string` accepts an integer or a string;
 * `x-kubernetes-preserve-unknown-fields` keeps the node open; the other `x-kubernetes-*` keywords (list and map
 * types, CEL `x-kubernetes-validations`) are accepted and NOT enforced. Formats int32, int64, byte and
 * date-time are checked; `metadata` is whatever the CRD says (just `type: object`).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

const CRDS_FILE = path.join(__dirname, '..', 'imports', 'crds.yaml');

type Schema = Record<string, any>;

interface CrdVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: Schema;
}

let crdVersions: CrdVersion[] | undefined;
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

/** Every served version of every CRD in imports/crds.yaml; the file is read and parsed once. */
function loadCrdVersions(): CrdVersion[] {
  if (!crdVersions) {
    const found: CrdVersion[] = [];
    for (const doc of parseAllDocuments(fs.readFileSync(CRDS_FILE, 'utf8'))) {
      const crd = doc.toJS({ maxAliasCount: -1 });
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions ?? []) {
        if (v.served === false) continue;
        found.push({ group: crd.spec.group, version: v.name, kind: crd.spec.names.kind, schema: v.schema?.openAPIV3Schema ?? {} });
      }
    }
    crdVersions = found;
  }
  return crdVersions;
}

function key(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

/** `group/version/Kind` of every served CRD version, e.g. `cert-manager.io/v1/Certificate`. */
export function customResourceKinds(): string[] {
  return loadCrdVersions().map(v => key(v.group, v.version, v.kind));
}

function getAjv(): Ajv {
  if (!ajv) {
    // strict: false because CRD schemas carry `default`/`description` next to `anyOf` etc. that strict mode dislikes;
    // patterns are Go RE2, so no `u` flag (RE2 escapes such as `\-` are errors under it).
    ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    // Kubernetes formats ajv-formats does not know; int32/int64/byte/date-time come from ajv-formats.
    ajv.addFormat('int-or-string', true);
    ajv.addFormat('quantity', true);
    for (const keyword of [
      'x-kubernetes-int-or-string',
      'x-kubernetes-preserve-unknown-fields',
      'x-kubernetes-embedded-resource',
      'x-kubernetes-list-type',
      'x-kubernetes-list-map-keys',
      'x-kubernetes-map-type',
      'x-kubernetes-validations',
    ]) {
      ajv.addKeyword({ keyword, schemaType: ['boolean', 'string', 'array', 'object'] });
    }
  }
  return ajv;
}

/**
 * A copy of a CRD schema node for ajv: closes objects that declare `properties` (unless
 * `additionalProperties` or `x-kubernetes-preserve-unknown-fields` is set) and spells out int-or-string.
 */
function toAjvSchema(node: any, isRoot = false): any {
  if (Array.isArray(node)) return node.map(n => toAjvSchema(n));
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Schema = {};
      for (const [name, sub] of Object.entries(v as Schema)) {
        // The root's apiVersion/kind/metadata are the API server's business: leave them as they are.
        props[name] = isRoot && ['apiVersion', 'kind', 'metadata'].includes(name) ? sub : toAjvSchema(sub);
      }
      out[k] = props;
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not' ||
        k === 'anyOf' || k === 'allOf' || k === 'oneOf') {
      out[k] = toAjvSchema(v);
    } else {
      out[k] = v;
    }
  }
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (out['x-kubernetes-int-or-string'] === true && !out.anyOf && !out.oneOf && out.type === undefined) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

function validatorFor(crd: CrdVersion): ValidateFunction {
  const k = key(crd.group, crd.version, crd.kind);
  let validate = validators.get(k);
  if (!validate) {
    validate = getAjv().compile(toAjvSchema(crd.schema, true));
    validators.set(k, validate);
  }
  return validate;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') {
    return `${where} has unknown property '${(e.params as any).additionalProperty}'`;
  }
  if (e.keyword === 'enum') {
    return `${where} ${e.message}: ${JSON.stringify((e.params as any).allowedValues)}`;
  }
  return `${where} ${e.message}`;
}

/**
 * Throws unless `obj` validates against the schema of the CRD version that serves its apiVersion and kind.
 * The error names the object (`Kind/name`) and lists every schema violation.
 */
export function validateCustomResource(obj: Record<string, any>): void {
  const apiVersion: unknown = obj?.apiVersion;
  const kind: unknown = obj?.kind;
  const name = `${String(kind)}/${obj?.metadata?.name ?? '<no name>'}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion.includes('/')) {
    throw new Error(`${name}: apiVersion '${String(apiVersion)}' and kind '${String(kind)}' do not name a custom resource (need group/version and Kind)`);
  }
  const slash = apiVersion.lastIndexOf('/');
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const all = loadCrdVersions();
  const crd = all.find(v => v.group === group && v.kind === kind && v.version === version);
  if (!crd) {
    const served = all.filter(v => v.group === group && v.kind === kind).map(v => v.version);
    throw new Error(served.length > 0
      ? `${name}: no CRD in imports/crds.yaml serves ${kind} in ${apiVersion}; served versions: ${served.join(', ')}`
      : `${name}: no CRD in imports/crds.yaml defines ${apiVersion} ${kind}`);
  }
  const validate = validatorFor(crd);
  if (!validate(obj)) {
    const errors = (validate.errors ?? []).map(describeError);
    throw new Error(`${name} (${apiVersion}) does not match its CRD schema:\n  ${[...new Set(errors)].join('\n  ')}`);
  }
}
