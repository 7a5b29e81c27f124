import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EtcdBinary, ensureDebianBinary } from './etcd-binary';

/** An etcd command-line tool (etcdctl or etcdutl) and its version. */
export interface EtcdToolBinary {
  readonly path: string;
  /** e.g. `3.5.16` */
  readonly version: string;
}

/** Runs `<bin> version` and parses `etcdctl version: X.Y.Z` (or `etcdutl version: X.Y.Z`). */
export function etcdToolAt(binaryPath: string, tool: 'etcdctl' | 'etcdutl'): EtcdToolBinary {
  const run = spawnSync(binaryPath, ['version'], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '', ETCDCTL_API: '3' } });
  const version = new RegExp(`^${tool} version: (\\d+\\.\\d+\\.\\d+)`, 'm').exec(run.stdout ?? '')?.[1];
  if (run.error || run.status !== 0 || !version) {
    throw new Error(`${binaryPath} is no working ${tool} (status ${run.status}, ${run.error ?? ''}): ${run.stdout}${run.stderr}`);
  }
  return { path: binaryPath, version };
}

/**
 * The etcdctl the tests run (what the etcd maintenance CronJobs run): `$ETCDCTL_BIN` if set, else the one named in
 * `.etcd-test/etcdctl-bin`. When neither exists, runs scripts/ensure-etcd.sh (which unpacks Debian's etcd-client,
 * trixie's 3.5 or bookworm's 3.4) first. Throws (never skips) when no etcdctl can be had.
 */
export function ensureEtcdctlBinary(): EtcdToolBinary {
  return etcdToolAt(ensureDebianBinary('etcdctl binary for the etcd backup test', 'ETCDCTL_BIN', 'etcdctl-bin'), 'etcdctl');
}

/**
 * The etcdutl shipped beside an etcd server binary (Debian's etcd-server 3.5 has it; 3.4 has none): `$ETCDUTL_BIN`
 * if set. Throws when there is none.
 */
export function etcdutlBeside(etcd: EtcdBinary): EtcdToolBinary {
  const candidate = process.env.ETCDUTL_BIN ?? path.join(path.dirname(etcd.path), 'etcdutl');
  if (!fs.existsSync(candidate)) {
    throw new Error(`no etcdutl beside ${etcd.path} (etcd ${etcd.version}; etcdutl ships from 3.5 on): set ETCDUTL_BIN, or let scripts/ensure-etcd.sh unpack trixie's etcd-server`);
  }
  return etcdToolAt(candidate, 'etcdutl');
}
