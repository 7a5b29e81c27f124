import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { ensurePathTools } from './debian-tools';

/**
 * Test certificates with the openssl command line: ECDSA P-256 keys (fast), valid for two days; and what openssl
 * itself reads back out of a certificate (`x509 -text`) and whether it verifies one (`verify`).
 *
 * Issuing from the synthesized cert-manager objects is in cert-manager-issuer.ts; this file is only the plumbing.
 */

/** Key usages, as openssl's config spells them. */
export type OpensslKeyUsage = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign';
/** Extended key usages, as openssl's config spells them. */
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

/** Everything a certificate says. */
export interface CertificateProfile {
  readonly commonName: string;
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** The keyUsage extension (critical); must not be empty. */
  readonly keyUsage: readonly OpensslKeyUsage[];
  /** The extendedKeyUsage extension; left out when empty. */
  readonly extendedKeyUsage?: readonly ExtendedKeyUsage[];
  /** basicConstraints (critical): CA:TRUE or CA:FALSE. */
  readonly isCA: boolean;
  /** @default 2 */
  readonly validityDays?: number;
}

/** A certificate and its key on disk (PEM; the key PKCS#8, as cert-manager's `encoding: PKCS8` writes it). */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Runs openssl; returns its stdout; throws with its stderr. */
export function openssl(args: readonly string[], cwd?: string): string {
  ensurePathTools();
  try {
    return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, encoding: 'utf8' });
  } catch (error) {
    const e = error as { stderr?: string | Buffer; stdout?: string | Buffer; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr?.toString() || e.stdout?.toString() || e.message}`);
  }
}

/** Characters openssl's config file would interpret (`$` expands variables, `#` starts a comment, ...). */
const UNSAFE_CONFIG_VALUE = /[$#\\"'\n\r]|^\s|\s$/;

function configValue(value: string, what: string): string {
  if (value === '' || UNSAFE_CONFIG_VALUE.test(value)) {
    throw new Error(`${what} ${JSON.stringify(value)} cannot be written to an openssl config file as it is`);
  }
  return value;
}

/** The openssl config that describes `profile`: `[dn]` for the request, `[ext]` for the certificate. */
function opensslConfig(profile: CertificateProfile, signed: boolean): string {
  if (profile.keyUsage.length === 0) throw new Error(`${profile.commonName}: a certificate without key usages`);
  const sans = [
    ...(profile.dnsNames ?? []).map((name, i) => `DNS.${i} = ${configValue(name, 'DNS name')}`),
    ...(profile.ipAddresses ?? []).map((ip, i) => {
      if (net.isIP(ip) === 0) throw new Error(`${profile.commonName}: ${JSON.stringify(ip)} is not an IP address`);
      return `IP.${i} = ${ip}`;
    }),
  ];
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    'utf8 = yes',
    'string_mask = utf8only',
    '[dn]',
    ...(profile.organizations ?? []).map((o, i) => `${i}.O = ${configValue(o, 'organization')}`),
    `CN = ${configValue(profile.commonName, 'common name')}`,
    '[ext]',
    `basicConstraints = critical,CA:${profile.isCA ? 'TRUE' : 'FALSE'}`,
    `keyUsage = critical,${profile.keyUsage.join(',')}`,
    ...((profile.extendedKeyUsage ?? []).length > 0 ? [`extendedKeyUsage = ${profile.extendedKeyUsage!.join(',')}`] : []),
    ...(sans.length > 0 ? ['subjectAltName = @alt'] : []),
    'subjectKeyIdentifier = hash',
    ...(signed ? ['authorityKeyIdentifier = keyid:always'] : []),
    ...(sans.length > 0 ? ['[alt]', ...sans] : []),
    '',
  ].join('\n');
}

/**
 * Issues a certificate with a new ECDSA P-256 key: self-signed without `signer`, else signed by `signer`'s key
 * (and with `signer`'s subject as issuer). Writes the key with mode 0600.
 */
export function issueCertificate(profile: CertificateProfile, files: CertificateFiles, signer?: CertificateFiles): CertificateFiles {
  const workDir = path.dirname(files.certFile);
  fs.mkdirSync(workDir, { recursive: true });
  fs.mkdirSync(path.dirname(files.keyFile), { recursive: true });
  const id = randomBytes(6).toString('hex');
  const configFile = path.join(workDir, `.${id}.cnf`);
  const csrFile = path.join(workDir, `.${id}.csr`);
  const days = String(profile.validityDays ?? 2);
  const serial = `0x${randomBytes(16).toString('hex').replace(/^[89a-f]/, '7')}`;
  fs.writeFileSync(configFile, opensslConfig(profile, signer !== undefined));
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', files.keyFile];
  try {
    if (!signer) {
      openssl(['req', '-x509', '-new', ...newKey, '-out', files.certFile, '-days', days, '-set_serial', serial,
        '-config', configFile, '-extensions', 'ext'], workDir);
    } else {
      openssl(['req', '-new', ...newKey, '-out', csrFile, '-config', configFile], workDir);
      openssl(['x509', '-req', '-in', csrFile, '-CA', signer.certFile, '-CAkey', signer.keyFile, '-set_serial', serial,
        '-days', days, '-extfile', configFile, '-extensions', 'ext', '-out', files.certFile], workDir);
    }
  } finally {
    fs.rmSync(configFile, { force: true });
    fs.rmSync(csrFile, { force: true });
  }
  fs.chmodSync(files.keyFile, 0o600);
  return files;
}

/** What openssl reads out of a certificate (`openssl x509 -noout -text -nameopt multiline`). */
export interface CertificateText {
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  /** `id-ecPublicKey`, `rsaEncryption`, ... */
  readonly publicKeyAlgorithm: string;
  /** The curve of an EC key (`prime256v1`). */
  readonly curve?: string;
  readonly publicKeyBits?: number;
  /** `CA:TRUE`/`CA:FALSE`; undefined without the extension. */
  readonly basicConstraints?: { readonly critical: boolean; readonly ca: boolean };
  /** openssl's names: `Digital Signature`, `Key Encipherment`, `Certificate Sign`, `CRL Sign`. */
  readonly keyUsage?: { readonly critical: boolean; readonly usages: string[] };
  /** openssl's names: `TLS Web Server Authentication`, `TLS Web Client Authentication`. */
  readonly extendedKeyUsage?: { readonly critical: boolean; readonly usages: string[] };
  readonly dnsNames: string[];
  /** Canonical form (see {@link canonicalIp}). */
  readonly ipAddresses: string[];
  /** SAN entries of other types (URI, email, ...), as openssl prints them. */
  readonly otherNames: string[];
  /** Every extension's name as openssl prints it. */
  readonly extensions: string[];
}

export interface DistinguishedName {
  readonly commonName: string[];
  readonly organizations: string[];
  /** Every attribute (long name → values), including the two above. */
  readonly attributes: Record<string, string[]>;
}

/** The text of a certificate, parsed. */
export function readCertificate(certFile: string): CertificateText {
  const text = openssl(['x509', '-in', certFile, '-noout', '-text', '-nameopt', 'multiline',
    '-certopt', 'no_sigdump,no_header,no_version,no_serial,no_signame,no_validity']);
  return parseCertificateText(text, certFile);
}

/** Parses `openssl x509 -noout -text -nameopt multiline` output. */
export function parseCertificateText(text: string, where = 'certificate'): CertificateText {
  const lines = text.split('\n');
  const indent = (line: string) => line.length - line.trimStart().length;
  /** The lines indented deeper than line `index`, until the next line at its indent or shallower. */
  const block = (index: number): string[] => {
    const out: string[] = [];
    for (let i = index + 1; i < lines.length && (lines[i].trim() === '' || indent(lines[i]) > indent(lines[index])); i++) {
      if (lines[i].trim() !== '') out.push(lines[i]);
    }
    return out;
  };
  const dn = (label: string): DistinguishedName => {
    const index = lines.findIndex(l => l.trim() === `${label}:`);
    if (index < 0) throw new Error(`${where}: no "${label}:" in openssl's text`);
    const attributes: Record<string, string[]> = {};
    for (const line of block(index)) {
      const match = /^\s*(\S+)\s+= (.*)$/.exec(line);
      if (!match) throw new Error(`${where}: cannot parse ${label} line ${JSON.stringify(line)}`);
      (attributes[match[1]] ??= []).push(match[2]);
    }
    return { commonName: attributes.commonName ?? [], organizations: attributes.organizationName ?? [], attributes };
  };
  const valueAfter = (label: string): string | undefined => {
    const line = lines.find(l => l.trim().startsWith(`${label}:`));
    return line?.trim().slice(label.length + 1).trim();
  };

  const extensions = new Map<string, { critical: boolean; value: string[] }>();
  const extensionsAt = lines.findIndex(l => l.trim() === 'X509v3 extensions:');
  if (extensionsAt >= 0) {
    const body = block(extensionsAt);
    const headerIndent = body.length > 0 ? indent(body[0]) : 0;
    let current: string[] | undefined;
    for (const line of body) {
      if (indent(line) === headerIndent) {
        const match = /^\s*(.+?):\s*(critical)?\s*$/.exec(line);
        if (!match) throw new Error(`${where}: cannot parse extension header ${JSON.stringify(line)}`);
        current = [];
        extensions.set(match[1], { critical: match[2] === 'critical', value: current });
      } else {
        current?.push(line.trim());
      }
    }
  }
  const list = (name: string) => {
    const extension = extensions.get(name);
    return extension && { critical: extension.critical, usages: extension.value.join(', ').split(',').map(s => s.trim()).filter(s => s) };
  };
  const basic = extensions.get('X509v3 Basic Constraints');
  const sans = (extensions.get('X509v3 Subject Alternative Name')?.value.join(', ') ?? '').split(', ').filter(s => s);
  const bits = /\((\d+) bit\)/.exec(valueAfter('Public-Key') ?? '');
  return {
    subject: dn('Subject'),
    issuer: dn('Issuer'),
    publicKeyAlgorithm: valueAfter('Public Key Algorithm') ?? '',
    curve: valueAfter('ASN1 OID'),
    publicKeyBits: bits ? Number(bits[1]) : undefined,
    basicConstraints: basic && { critical: basic.critical, ca: basic.value.some(v => v.split(',').map(s => s.trim()).includes('CA:TRUE')) },
    keyUsage: list('X509v3 Key Usage'),
    extendedKeyUsage: list('X509v3 Extended Key Usage'),
    dnsNames: sans.filter(s => s.startsWith('DNS:')).map(s => s.slice(4)),
    ipAddresses: sans.filter(s => s.startsWith('IP Address:')).map(s => canonicalIp(s.slice('IP Address:'.length))),
    otherNames: sans.filter(s => !s.startsWith('DNS:') && !s.startsWith('IP Address:')),
    extensions: [...extensions.keys()],
  };
}

/** One spelling per address: IPv4 as is, IPv6 as eight lower-case groups without leading zeros. */
export function canonicalIp(ip: string): string {
  if (net.isIPv4(ip)) return ip;
  if (!net.isIPv6(ip)) throw new Error(`${JSON.stringify(ip)} is not an IP address`);
  const [head, tail] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const zeros = tail !== undefined ? new Array(8 - headGroups.length - tailGroups.length).fill('0') : [];
  return [...headGroups, ...zeros, ...tailGroups].map(group => parseInt(group, 16).toString(16)).join(':');
}

/**
 * Whether `openssl verify -x509_strict` accepts `certFile` with `caFile` as the only trust anchor: the answer and
 * openssl's message.
 */
export function verifyCertificate(certFile: string, caFile: string): { ok: boolean; message: string } {
  ensurePathTools();
  try {
    const out = execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', caFile, certFile], {
      stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, encoding: 'utf8',
    });
    return { ok: out.trim() === `${certFile}: OK`, message: out.trim() };
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    return { ok: false, message: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message };
  }
}

/** Whether openssl finds `host` (a DNS name or an IP address) among the certificate's SANs (`-checkhost`/`-checkip`). */
export function certificateCoversHost(certFile: string, host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  const ip = net.isIP(bare) !== 0;
  const out = openssl(['x509', '-in', certFile, '-noout', ip ? '-checkip' : '-checkhost', bare]).trim();
  if (out.endsWith(' does match certificate')) return true;
  if (out.endsWith(' does NOT match certificate')) return false;
  throw new Error(`openssl -check${ip ? 'ip' : 'host'} ${bare}: unexpected answer ${JSON.stringify(out)}`);
}
