import { spawnSync } from 'child_process';
import { ensureDebianBinary } from './etcd-binary';

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
  return kubectlBinaryAt(ensureDebianBinary('kubectl binary', 'KUBECTL_BIN', 'kubectl-bin'));
}
