import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The repository root (this file lives in test/integ/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Git-ignored working area of the real-etcd tests: the installed binary, run directories, apt state. */
export const ETCD_TEST_STATE_DIR = path.join(REPO_ROOT, '.etcd-test');
const ENSURE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'ensure-etcd.sh');

/**
 * The path of a binary scripts/ensure-etcd.sh provides from Debian's packages: `$<envVariable>` if set, else the
 * one named in `.etcd-test/<recordFile>` (which the script writes). When neither exists, runs the script first, so
 * `npx jest` alone works on a fresh machine. Throws (never skips) when the binary cannot be had.
 */
export function ensureDebianBinary(what: string, envVariable: string, recordFile: string): string {
  const override = process.env[envVariable];
  if (override) return override;
  const readRecorded = (): string | undefined => {
    try {
      return fs.readFileSync(path.join(ETCD_TEST_STATE_DIR, recordFile), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const recorded = readRecorded();
  if (recorded && fs.existsSync(recorded)) return recorded;
  const run = spawnSync('bash', [ENSURE_SCRIPT], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  const installed = readRecorded();
  if (run.status !== 0 || !installed || !fs.existsSync(installed)) {
    throw new Error([
      `No ${what}, and scripts/ensure-etcd.sh could not provide one`,
      `(exit status ${run.status}${run.error ? `, ${run.error.message}` : ''}). Its output:`,
      `${run.stdout ?? ''}${run.stderr ?? ''}`,
    ].join('\n'));
  }
  return installed;
}

/** An etcd server binary and its version. */
export interface EtcdBinary {
  readonly path: string;
  /** e.g. `3.5.16` */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** e.g. `3.5` */
  readonly minorVersion: string;
}

/** Runs `<bin> --version` and parses `etcd Version: X.Y.Z`. */
export function etcdBinaryAt(binaryPath: string): EtcdBinary {
  const result = spawnSync(binaryPath, ['--version'], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '' } });
  const match = /etcd Version: (\d+)\.(\d+)\.(\d+)/.exec(result.stdout ?? '');
  if (result.error || result.status !== 0 || !match) {
    throw new Error(`${binaryPath} --version did not report an etcd version (status ${result.status}, ${result.error ?? ''}): ${result.stdout}${result.stderr}`);
  }
  const [, major, minor, patch] = match;
  return {
    path: binaryPath,
    version: `${major}.${minor}.${patch}`,
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    minorVersion: `${major}.${minor}`,
  };
}

/**
 * The etcd binary the integration tests run: `$ETCD_BIN` if set, else the one named in `.etcd-test/etcd-bin`.
 * When neither exists, runs scripts/ensure-etcd.sh (which installs one and writes that file) first, so
 * `npx jest` alone works on a fresh machine. Throws (never skips) when no etcd can be had.
 */
export function ensureEtcdBinary(): EtcdBinary {
  return etcdBinaryAt(ensureDebianBinary('etcd binary for the real-etcd integration test', 'ETCD_BIN', 'etcd-bin'));
}

/**
 * Whether this etcd serves `/livez` and `/readyz` (on the client and metrics ports): from 3.4.29, 3.5.11 and 3.6.0
 * on (etcd's server/etcdserver/api/etcdhttp/health.go at those tags). Older versions have only `/health`.
 */
export function servesLivezAndReadyz(binary: EtcdBinary): boolean {
  if (binary.major !== 3) return binary.major > 3;
  if (binary.minor === 4) return binary.patch >= 29;
  if (binary.minor === 5) return binary.patch >= 11;
  return binary.minor > 5;
}
