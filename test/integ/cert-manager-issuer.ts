import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CertificateProfile, ExtendedKeyUsage, OpensslKeyUsage, issueCertificate } from './pki';

/**
 * Does what cert-manager would do with the synthesized cert-manager objects, with the openssl CLI: every
 * `Certificate` is issued exactly as its spec says (subject, SANs, usages, CA or not) by the issuer its `issuerRef`
 * names, and each Secret is written as a directory with cert-manager's keys (`tls.crt`, `tls.key`, `ca.crt`).
 *
 * - A self-signed `Issuer` signs a certificate with the certificate's own key; `ca.crt` is the certificate itself.
 * - A CA `Issuer` (`spec.ca.secretName`) signs with the Certificate whose `spec.secretName` is that Secret;
 *   `ca.crt` is that CA's certificate.
 * - Keys are ECDSA P-256 (the only key the library asks for; anything else fails) and certificates are valid for
 *   two days, not the synthesized durations.
 *
 * Anything this cannot map the way cert-manager would (an unknown usage or spec field, an issuer that is not
 * among the objects, a ClusterIssuer, an ACME or Vault issuer, a CA Secret no Certificate writes) throws.
 */

/** cert-manager's key usages (the `usages` strings of a Certificate) and their openssl counterparts. */
const KEY_USAGES: Readonly<Record<string, OpensslKeyUsage>> = {
  'digital signature': 'digitalSignature',
  'key encipherment': 'keyEncipherment',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
};
const EXTENDED_KEY_USAGES: Readonly<Record<string, ExtendedKeyUsage>> = {
  'server auth': 'serverAuth',
  'client auth': 'clientAuth',
};
/** cert-manager's default when a Certificate has no `usages`. */
const DEFAULT_USAGES = ['digital signature', 'key encipherment'];

/** The Certificate spec fields this issuer maps; any other field fails the issue. */
const KNOWN_SPEC_FIELDS = new Set([
  'secretName', 'secretTemplate', 'issuerRef', 'isCA', 'commonName', 'subject', 'dnsNames', 'ipAddresses', 'usages',
  'duration', 'renewBefore', 'privateKey', 'revisionHistoryLimit',
]);

/** A test-only change to what a Certificate says, applied on purpose and reported. */
export interface CertificateDeviation {
  /** The Certificate's `spec.secretName`. */
  readonly secretName: string;
  /** IP SANs added to the synthesized ones. */
  readonly addIpAddresses: readonly string[];
  /** Why the test needs it (printed by the tests). */
  readonly reason: string;
}

export interface IssueOptions {
  /** Where the Secrets go: `<dir>/<secretName>/{tls.crt,tls.key,ca.crt}`. */
  readonly dir: string;
  /** Test-only changes; each must name a Certificate of the objects. */
  readonly deviations?: readonly CertificateDeviation[];
  /** @default 2 */
  readonly validityDays?: number;
}

/** One issued Secret. */
export interface IssuedSecret {
  readonly secretName: string;
  readonly namespace: string;
  /** The directory with the Secret's keys. */
  readonly dir: string;
  /** `tls.crt` */
  readonly certFile: string;
  /** `tls.key` */
  readonly keyFile: string;
  /** `ca.crt`: the issuing CA's certificate (its own for a self-signed one). */
  readonly caFile: string;
  /** The Certificate's spec, as synthesized. */
  readonly spec: CertificateSpec;
  /** The Issuer that signed it: `Issuer/<name>`. */
  readonly issuer: string;
  /** The secretName of the CA that signed it; undefined when self-signed. */
  readonly signedBy?: string;
  /** What it says, as issued (the spec with the deviations applied). */
  readonly profile: CertificateProfile;
  /** The deviations applied to it, as text. */
  readonly deviations: readonly string[];
}

/** The parts of a cert-manager Certificate spec this file reads. */
export interface CertificateSpec {
  readonly secretName: string;
  readonly issuerRef: { readonly name: string; readonly kind?: string; readonly group?: string };
  readonly isCA?: boolean;
  readonly commonName?: string;
  readonly subject?: { readonly organizations?: string[] } & Record<string, unknown>;
  readonly dnsNames?: string[];
  readonly ipAddresses?: string[];
  readonly usages?: string[];
  readonly privateKey?: { readonly algorithm?: string; readonly size?: number; readonly encoding?: string; readonly rotationPolicy?: string };
  readonly [field: string]: unknown;
}

interface ApiObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: Record<string, any>;
}

interface CertificateObject {
  readonly name: string;
  readonly namespace: string;
  readonly spec: CertificateSpec;
}

/**
 * Issues every cert-manager `Certificate` among `objects` (the output of `Testing.synth`). Returns each Secret by
 * name. CAs are issued before what they sign.
 */
export function issueCertManagerPki(objects: readonly unknown[], options: IssueOptions): Map<string, IssuedSecret> {
  const all = objects as readonly ApiObject[];
  const certificates: CertificateObject[] = all.filter(o => o?.kind === 'Certificate' && isCertManager(o)).map(o => {
    const name = o.metadata?.name ?? fail('a Certificate without metadata.name');
    if (o.apiVersion !== 'cert-manager.io/v1') fail(`Certificate ${name} has apiVersion ${o.apiVersion}, not cert-manager.io/v1`);
    const spec = (o.spec ?? fail(`Certificate ${name} has no spec`)) as CertificateSpec;
    if (!spec.secretName) fail(`Certificate ${name} has no spec.secretName`);
    return { name, namespace: o.metadata?.namespace ?? '', spec };
  });
  const issuers = all.filter(o => (o?.kind === 'Issuer' || o?.kind === 'ClusterIssuer') && isCertManager(o));
  if (certificates.length === 0) fail('no cert-manager Certificate among the objects');

  const key = (namespace: string, secretName: string) => `${namespace}/${secretName}`;
  const bySecret = new Map<string, CertificateObject>();
  for (const certificate of certificates) {
    const k = key(certificate.namespace, certificate.spec.secretName);
    if (bySecret.has(k)) fail(`two Certificates write Secret ${k}: ${bySecret.get(k)!.name} and ${certificate.name}`);
    bySecret.set(k, certificate);
  }
  const secretNames = new Set(certificates.map(c => c.spec.secretName));
  if (secretNames.size !== certificates.length) {
    fail('two Certificates in different namespaces write Secrets of the same name: the result map is keyed by name');
  }
  for (const deviation of options.deviations ?? []) {
    if (!secretNames.has(deviation.secretName)) fail(`a deviation names Secret ${deviation.secretName}, which no Certificate writes`);
  }

  /** The issuer a Certificate names, resolved: self-signed, or the CA Certificate whose Secret the CA issuer uses. */
  const resolveIssuer = (certificate: CertificateObject): { issuer: string; ca?: CertificateObject } => {
    const ref = certificate.spec.issuerRef ?? fail(`Certificate ${certificate.name} has no issuerRef`);
    const kind = ref.kind ?? 'Issuer';
    const group = ref.group ?? 'cert-manager.io';
    if (group !== 'cert-manager.io') fail(`Certificate ${certificate.name}: issuerRef group ${group} is an external issuer; cannot issue like it`);
    const issuer = issuers.find(i => i.kind === kind && i.metadata?.name === ref.name
      && (kind === 'ClusterIssuer' || (i.metadata?.namespace ?? '') === certificate.namespace));
    if (!issuer) {
      fail(`Certificate ${certificate.name}: its ${kind} ${ref.name}${kind === 'Issuer' ? ` (namespace ${certificate.namespace || '(none)'})` : ''} is not among the objects`);
    }
    const spec = issuer!.spec ?? {};
    const types = Object.keys(spec);
    const label = `${kind}/${ref.name}`;
    if (types.length === 1 && types[0] === 'selfSigned') {
      if (Object.keys(spec.selfSigned ?? {}).length > 0) fail(`${label}: selfSigned options ${JSON.stringify(spec.selfSigned)} are not mapped`);
      return { issuer: label };
    }
    if (types.length === 1 && types[0] === 'ca') {
      const fields = Object.keys(spec.ca ?? {});
      if (fields.some(f => f !== 'secretName')) fail(`${label}: ca options ${JSON.stringify(spec.ca)} are not mapped`);
      const secretName: string = spec.ca?.secretName ?? fail(`${label} has no spec.ca.secretName`);
      // A ClusterIssuer reads its Secret from cert-manager's cluster resource namespace, which the objects cannot say.
      if (kind === 'ClusterIssuer') fail(`${label}: a CA ClusterIssuer's Secret lives in cert-manager's cluster resource namespace; not mapped`);
      const ca = bySecret.get(key(certificate.namespace, secretName))
        ?? fail(`${label} signs with Secret ${secretName}, which no Certificate in namespace ${certificate.namespace || '(none)'} writes`);
      if (ca.spec.isCA !== true) fail(`${label} signs with Secret ${secretName}, whose Certificate ${ca.name} is not isCA: cert-manager's CA issuer refuses it`);
      return { issuer: label, ca };
    }
    return fail(`${label} is a ${types.join('+') || 'empty'} issuer; only selfSigned and ca are mapped`);
  };

  fs.mkdirSync(options.dir, { recursive: true });
  const issued = new Map<string, IssuedSecret>();
  const issuing = new Set<string>();
  const issue = (certificate: CertificateObject): IssuedSecret => {
    const done = issued.get(certificate.spec.secretName);
    if (done) return done;
    if (issuing.has(certificate.name)) fail(`issuer cycle through Certificate ${certificate.name}`);
    issuing.add(certificate.name);
    const { issuer, ca } = resolveIssuer(certificate);
    const signer = ca ? issue(ca) : undefined;
    const deviations = (options.deviations ?? []).filter(d => d.secretName === certificate.spec.secretName);
    const profile = profileOf(certificate, deviations, options.validityDays);
    const dir = path.join(options.dir, certificate.spec.secretName);
    const files = issueCertificate(profile, { certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key') }, signer);
    // cert-manager's PKCS1 encoding of an ECDSA key is SEC1 (`EC PRIVATE KEY`); openssl wrote PKCS#8.
    if (certificate.spec.privateKey?.encoding === 'PKCS1') toSec1(files.keyFile);
    const caFile = path.join(dir, 'ca.crt');
    fs.copyFileSync(signer ? signer.certFile : files.certFile, caFile);
    const result: IssuedSecret = {
      secretName: certificate.spec.secretName,
      namespace: certificate.namespace,
      dir,
      certFile: files.certFile,
      keyFile: files.keyFile,
      caFile,
      spec: certificate.spec,
      issuer,
      signedBy: signer?.secretName,
      profile,
      deviations: deviations.map(d => `IP SANs ${d.addIpAddresses.join(', ')} added: ${d.reason}`),
    };
    issued.set(result.secretName, result);
    return result;
  };
  for (const certificate of certificates) issue(certificate);
  return issued;
}

/**
 * Renews an issued Secret the way cert-manager does when its Certificate is due: the same certificate (the spec's
 * subject, SANs and usages, and the test-only deviations it was issued with), signed by the same CA, with a new
 * serial, and with a new key, as `privateKey.rotationPolicy: Always` asks. The renewed Secret is written to `dir`;
 * the issued one stays as it is. Keeping the key (`rotationPolicy: Never`) is not mapped and throws.
 */
export function renewIssuedSecret(secret: IssuedSecret, signer: IssuedSecret | undefined, dir: string): IssuedSecret {
  if (signer?.secretName !== secret.signedBy) {
    fail(`renewing ${secret.secretName}: it was signed by ${secret.signedBy ?? 'itself'}, not by ${signer?.secretName ?? 'itself'}`);
  }
  if (secret.spec.privateKey?.rotationPolicy !== 'Always') {
    fail(`renewing ${secret.secretName}: privateKey.rotationPolicy ${secret.spec.privateKey?.rotationPolicy ?? '(unset)'} keeps the key; only Always is mapped`);
  }
  if (path.resolve(dir) === path.resolve(secret.dir)) fail(`renewing ${secret.secretName}: write the renewed Secret to a new directory`);
  const files = issueCertificate(secret.profile, { certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key') }, signer);
  if (secret.spec.privateKey?.encoding === 'PKCS1') toSec1(files.keyFile);
  const caFile = path.join(dir, 'ca.crt');
  fs.copyFileSync(signer ? signer.certFile : files.certFile, caFile);
  return { ...secret, dir, certFile: files.certFile, keyFile: files.keyFile, caFile };
}

function isCertManager(o: ApiObject): boolean {
  return typeof o.apiVersion === 'string' && o.apiVersion.startsWith('cert-manager.io/');
}

/** What cert-manager would put in the certificate, from the spec. */
function profileOf(certificate: CertificateObject, deviations: readonly CertificateDeviation[], validityDays?: number): CertificateProfile {
  const { spec, name } = certificate;
  const where = `Certificate ${name}`;
  const unknown = Object.keys(spec).filter(f => !KNOWN_SPEC_FIELDS.has(f));
  if (unknown.length > 0) fail(`${where}: spec fields ${unknown.join(', ')} are not mapped`);
  const subjectFields = Object.keys(spec.subject ?? {}).filter(f => f !== 'organizations');
  if (subjectFields.length > 0) fail(`${where}: subject fields ${subjectFields.join(', ')} are not mapped`);
  if (!spec.commonName) fail(`${where} has no commonName; not mapped`);
  const privateKey = spec.privateKey ?? {};
  if (privateKey.algorithm !== 'ECDSA' || privateKey.size !== 256) {
    fail(`${where}: private key ${privateKey.algorithm ?? '(default RSA)'} ${privateKey.size ?? ''}: only ECDSA 256 is issued here`);
  }
  if (privateKey.encoding !== undefined && privateKey.encoding !== 'PKCS8' && privateKey.encoding !== 'PKCS1') {
    fail(`${where}: key encoding ${privateKey.encoding} is not mapped`);
  }

  const usages = spec.usages && spec.usages.length > 0 ? spec.usages : DEFAULT_USAGES;
  const keyUsage: OpensslKeyUsage[] = [];
  const extendedKeyUsage: ExtendedKeyUsage[] = [];
  for (const usage of usages) {
    if (KEY_USAGES[usage]) keyUsage.push(KEY_USAGES[usage]);
    else if (EXTENDED_KEY_USAGES[usage]) extendedKeyUsage.push(EXTENDED_KEY_USAGES[usage]);
    else fail(`${where}: usage ${JSON.stringify(usage)} is not mapped`);
  }
  // cert-manager adds "cert sign" to every CA (KeyUsagesForCertificateOrCertificateRequest).
  if (spec.isCA === true && !keyUsage.includes('keyCertSign')) keyUsage.push('keyCertSign');
  if (keyUsage.length === 0) fail(`${where}: usages ${JSON.stringify(usages)} name no key usage; not mapped`);

  const added = deviations.flatMap(d => d.addIpAddresses);
  return {
    commonName: spec.commonName!,
    organizations: spec.subject?.organizations ?? [],
    dnsNames: spec.dnsNames ?? [],
    ipAddresses: [...spec.ipAddresses ?? [], ...added.filter(ip => !(spec.ipAddresses ?? []).includes(ip))],
    keyUsage: [...new Set(keyUsage)],
    extendedKeyUsage: [...new Set(extendedKeyUsage)],
    isCA: spec.isCA === true,
    validityDays,
  };
}

/** Rewrites a PKCS#8 ECDSA key file as SEC1 (`EC PRIVATE KEY`), cert-manager's `encoding: PKCS1` for ECDSA. */
function toSec1(keyFile: string): void {
  const sec1 = execFileSync('openssl', ['ec', '-in', keyFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  if (!sec1.startsWith('-----BEGIN EC PRIVATE KEY-----')) fail(`openssl ec wrote no EC PRIVATE KEY for ${keyFile}`);
  fs.writeFileSync(keyFile, sec1, { mode: 0o600 });
}

function fail(message: string): never {
  throw new Error(`cert-manager-issuer: ${message}`);
}
