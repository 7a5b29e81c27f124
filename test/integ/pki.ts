import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Test-only certificates made with the openssl command line: ECDSA P-256 keys (fast), valid for two days.
 */

export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

/** What a leaf certificate is for. */
export interface CertificateRequest {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly usages: readonly ExtendedKeyUsage[];
}

/** A certificate and its key on disk (PEM). */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

const OPENSSL_CONFIG = [
  '[req]',
  'distinguished_name = dn',
  'prompt = no',
  '[dn]',
  '[ca]',
  'basicConstraints = critical,CA:TRUE',
  'keyUsage = critical,keyCertSign,cRLSign',
  'subjectKeyIdentifier = hash',
  '',
].join('\n');

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** A certificate authority whose key stays in `dir`. */
export class TestCertificateAuthority implements CertificateFiles {
  /** Creates a self-signed CA in `dir` (`<name>.crt`, `<name>.key`). */
  public static create(dir: string, name: string, commonName: string): TestCertificateAuthority {
    fs.mkdirSync(dir, { recursive: true });
    const configFile = path.join(dir, 'openssl.cnf');
    fs.writeFileSync(configFile, OPENSSL_CONFIG);
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    openssl([
      'req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${commonName}`,
      '-config', configFile, '-extensions', 'ca',
    ], dir);
    return new TestCertificateAuthority(dir, certFile, keyFile, configFile);
  }

  private constructor(
    private readonly workDir: string,
    public readonly certFile: string,
    public readonly keyFile: string,
    private readonly configFile: string,
  ) {}

  /** The CA certificate (PEM). */
  public certificatePem(): Buffer {
    return fs.readFileSync(this.certFile);
  }

  /** Issues a leaf certificate and writes it and its key (mode 0600) to the given files. */
  public issue(request: CertificateRequest, files: CertificateFiles): CertificateFiles {
    fs.mkdirSync(path.dirname(files.certFile), { recursive: true });
    fs.mkdirSync(path.dirname(files.keyFile), { recursive: true });
    const id = randomBytes(6).toString('hex');
    const csrFile = path.join(this.workDir, `${id}.csr`);
    const extFile = path.join(this.workDir, `${id}.ext`);
    const sans = [
      ...(request.dnsNames ?? []).map(n => `DNS:${n}`),
      ...(request.ipAddresses ?? []).map(ip => `IP:${ip}`),
    ];
    fs.writeFileSync(extFile, [
      '[leaf]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature',
      `extendedKeyUsage = ${request.usages.join(',')}`,
      ...(sans.length > 0 ? [`subjectAltName = ${sans.join(',')}`] : []),
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'));
    openssl([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', files.keyFile, '-out', csrFile, '-subj', `/CN=${request.commonName}`, '-config', this.configFile,
    ], this.workDir);
    openssl([
      'x509', '-req', '-in', csrFile, '-CA', this.certFile, '-CAkey', this.keyFile,
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2',
      '-extfile', extFile, '-extensions', 'leaf', '-out', files.certFile,
    ], this.workDir);
    fs.chmodSync(files.keyFile, 0o600);
    fs.rmSync(csrFile);
    fs.rmSync(extFile);
    return files;
  }

  /** Copies the CA certificate to `file` (a `ca.crt` next to a member's certificate). */
  public writeCertificateTo(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(this.certFile, file);
  }
}
