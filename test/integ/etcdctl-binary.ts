import { spawnSync } from 'child_process';
import { realProgram } from '../cluster/real-components';

/** An etcd command-line tool (etcdctl or etcdutl) and its version. */
export interface EtcdToolBinary {
  readonly path: string;
  /** e.g. `3.6.6` */
  readonly version: string;
  /** Where it comes from, for the test's output: `$ETCDCTL_BIN` / `$ETCDUTL_BIN`, or `scripts/build-components.sh etcd`. */
  readonly source: string;
}

/** Runs `<bin> version` and parses `etcdctl version: X.Y.Z` (or `etcdutl version: X.Y.Z`). */
export function etcdToolAt(binaryPath: string, tool: 'etcdctl' | 'etcdutl', source: string = binaryPath): EtcdToolBinary {
  const run = spawnSync(binaryPath, ['version'], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '', ETCDCTL_API: '3' } });
  const version = new RegExp(`^${tool} version: (\\d+\\.\\d+\\.\\d+)`, 'm').exec(run.stdout ?? '')?.[1];
  if (run.error || run.status !== 0 || !version) {
    throw new Error(`${binaryPath} is no working ${tool} (status ${run.status}, ${run.error ?? ''}): ${run.stdout}${run.stderr}`);
  }
  return { path: binaryPath, version, source };
}

function ensureEtcdTool(tool: 'etcdctl' | 'etcdutl', envVariable: string): EtcdToolBinary {
  const override = process.env[envVariable];
  return override ? etcdToolAt(override, tool, `$${envVariable}`) : etcdToolAt(realProgram(tool), tool, 'scripts/build-components.sh etcd');
}

/**
 * The etcdctl the tests run (what the etcd maintenance CronJobs run): `$ETCDCTL_BIN` if set, else the etcdctl that
 * scripts/build-components.sh builds from etcd's Go module at the image's version (test/cluster/real-components.ts).
 * Throws (never skips) when no etcdctl can be had.
 */
export function ensureEtcdctlBinary(): EtcdToolBinary {
  return ensureEtcdTool('etcdctl', 'ETCDCTL_BIN');
}

/**
 * The etcdutl the tests run (the backup's verify step, the restore Pods): `$ETCDUTL_BIN` if set, else the etcdutl
 * that scripts/build-components.sh builds with etcd and etcdctl. Throws (never skips) when no etcdutl can be had.
 */
export function ensureEtcdutlBinary(): EtcdToolBinary {
  return ensureEtcdTool('etcdutl', 'ETCDUTL_BIN');
}
