import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ETCD_TEST_STATE_DIR, REPO_ROOT } from './etcd-binary';

/** Written by scripts/ensure-etcd.sh: the absolute path of the kubectl binary to use. */
export const KUBECTL_BIN_FILE = path.join(ETCD_TEST_STATE_DIR, 'kubectl-bin');
const ENSURE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'ensure-etcd.sh');

/** A kubectl binary and its version. */
export interface KubectlBinary {
  readonly path: string;
  /** e.g. `v1.32.3` */
  readonly version: string;
}

/** Runs `<bin> version --client`. */
export function kubectlBinaryAt(binaryPath: string): KubectlBinary {
  const run = spawnSync(binaryPath, ['version', '--client'], { encoding: 'utf8', timeout: 10_000, env: { HOME: '/nonexistent' } });
  const version = /v1\.\d+\.\d+/.exec(`${run.stdout ?? ''}`)?.[0];
  if (run.error || run.status !== 0 || !version) {
    throw new Error(`${binaryPath} is no working kubectl (status ${run.status}, ${run.error ?? ''}): ${run.stdout}${run.stderr}`);
  }
  return { path: binaryPath, version };
}

/**
 * The kubectl the tests run: `$KUBECTL_BIN` if set, else the one named in `.etcd-test/kubectl-bin`. When neither
 * exists, runs scripts/ensure-etcd.sh (which unpacks one from Debian's packages and writes that file) first, so
 * `npx jest` alone works on a fresh machine. Throws (never skips) when no kubectl can be had.
 */
export function ensureKubectlBinary(): KubectlBinary {
  const override = process.env.KUBECTL_BIN;
  if (override) return kubectlBinaryAt(override);
  const recorded = readRecordedBinary();
  if (recorded && fs.existsSync(recorded)) return kubectlBinaryAt(recorded);
  const run = spawnSync('bash', [ENSURE_SCRIPT], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  const installed = readRecordedBinary();
  if (run.status !== 0 || !installed || !fs.existsSync(installed)) {
    throw new Error([
      'No kubectl binary, and scripts/ensure-etcd.sh could not provide one',
      `(exit status ${run.status}${run.error ? `, ${run.error.message}` : ''}). Its output:`,
      `${run.stdout ?? ''}${run.stderr ?? ''}`,
    ].join('\n'));
  }
  return kubectlBinaryAt(installed);
}

function readRecordedBinary(): string | undefined {
  try {
    return fs.readFileSync(KUBECTL_BIN_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
