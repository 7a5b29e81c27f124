import { spawnSync } from 'child_process';
import * as path from 'path';
import { realProgram } from '../cluster/real-components';

/** The repository root (this file lives in test/integ/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Git-ignored working area of the real-etcd tests: run directories, the Debian tools' state (busybox, apt). */
export const ETCD_TEST_STATE_DIR = path.join(REPO_ROOT, '.etcd-test');

/**
 * The oldest etcd the harness runs: the synthesized flags are etcd 3.6's (the image is registry.k8s.io/etcd:3.6.x)
 * and run unchanged, so an older etcd, which spells some of them differently or lacks them, is refused.
 */
export const OLDEST_SUPPORTED_ETCD = { major: 3, minor: 6 } as const;

/** An etcd server binary and its version. */
export interface EtcdBinary {
  readonly path: string;
  /** e.g. `3.6.6` */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Where it comes from, for the test's output: `$ETCD_BIN`, or `scripts/build-components.sh etcd`. */
  readonly source: string;
}

/** Runs `<bin> --version` and parses `etcd Version: X.Y.Z`. */
export function etcdBinaryAt(binaryPath: string, source: string = binaryPath): EtcdBinary {
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
    source,
  };
}

/**
 * Throws, with the reason, unless `binary` is etcd 3.6 or later ({@link OLDEST_SUPPORTED_ETCD}): the harness runs
 * the synthesized etcd 3.6 flags byte for byte and maps none of them to an older etcd's spelling.
 */
export function requireSupportedEtcd(binary: EtcdBinary): void {
  const { major, minor } = OLDEST_SUPPORTED_ETCD;
  if (binary.major < major || (binary.major === major && binary.minor < minor)) {
    throw new Error(`etcd ${binary.version} (${binary.path}, from ${binary.source}) is older than etcd ${major}.${minor}: the synthesized flags `
      + `are etcd ${major}.${minor}'s and run unchanged (the harness maps no flag to an older etcd's spelling). Run etcd ${major}.${minor} or later: `
      + 'unset ETCD_BIN to use the etcd that scripts/build-components.sh etcd builds at the image\'s version.');
  }
}

/**
 * The etcd binary the integration tests run: `$ETCD_BIN` if set, else the etcd that scripts/build-components.sh
 * builds from its Go module at the image's version (test/cluster/real-components.ts; built on first use, cached).
 * Throws (never skips) when no etcd can be had.
 */
export function ensureEtcdBinary(): EtcdBinary {
  const override = process.env.ETCD_BIN;
  return override ? etcdBinaryAt(override, '$ETCD_BIN') : etcdBinaryAt(realProgram('etcd'), 'scripts/build-components.sh etcd');
}
