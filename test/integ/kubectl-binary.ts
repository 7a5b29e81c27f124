import { spawnSync } from 'child_process';
import { realProgram } from '../cluster/real-components';

/** A kubectl binary and its version. */
export interface KubectlBinary {
  readonly path: string;
  /** e.g. `v1.35.4` */
  readonly version: string;
  /** Where it comes from, for the test's output: `$KUBECTL_BIN`, or `scripts/build-components.sh kubernetes`. */
  readonly source: string;
}

/** Runs `<bin> version --client`. */
export function kubectlBinaryAt(binaryPath: string, source: string = binaryPath): KubectlBinary {
  const run = spawnSync(binaryPath, ['version', '--client'], { encoding: 'utf8', timeout: 10_000, env: { HOME: '/nonexistent' } });
  const version = /v1\.\d+\.\d+/.exec(`${run.stdout ?? ''}`)?.[0];
  if (run.error || run.status !== 0 || !version) {
    throw new Error(`${binaryPath} is no working kubectl (status ${run.status}, ${run.error ?? ''}): ${run.stdout}${run.stderr}`);
  }
  return { path: binaryPath, version, source };
}

/**
 * The kubectl the tests run: `$KUBECTL_BIN` if set, else the kubectl that scripts/build-components.sh builds from the
 * Kubernetes Go modules at the version of the bootstrap Job's kubectl image (test/cluster/real-components.ts; built
 * on first use, cached). Throws (never skips) when no kubectl can be had.
 */
export function ensureKubectlBinary(): KubectlBinary {
  const override = process.env.KUBECTL_BIN;
  return override ? kubectlBinaryAt(override, '$KUBECTL_BIN') : kubectlBinaryAt(realProgram('kubectl'), 'scripts/build-components.sh kubernetes');
}
