import { spawnSync } from 'child_process';
import { EtcdBinary } from './etcd-binary';

/** One `--name=value` command-line flag. */
export interface EtcdFlag {
  readonly name: string;
  readonly value: string;
}

/** Splits `--name=value` arguments at the first `=`. */
export function parseEtcdArgs(args: readonly string[]): EtcdFlag[] {
  return args.map(arg => {
    const match = /^--?([^=]+)=(.*)$/s.exec(arg);
    if (!match) {
      throw new Error(`etcd argument ${JSON.stringify(arg)} is not of the form --flag=value`);
    }
    return { name: match[1], value: match[2] };
  });
}

export function formatEtcdArgs(flags: readonly EtcdFlag[]): string[] {
  return flags.map(f => `--${f.name}=${f.value}`);
}

/**
 * Kubelet's expansion of `$(VAR)` in a container's command and args: a defined variable is replaced, `$$` stands
 * for a literal `$`, and a reference to an undefined variable is left as it is.
 */
export function expandKubeletReferences(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return Object.prototype.hasOwnProperty.call(env, name) ? env[name] : whole;
  });
}

/** Moves a container path (a mounted volume) to a directory of the test run. */
export interface PathRemap {
  /** Absolute container path, no trailing slash, e.g. `/etc/etcd/pki`. */
  readonly containerPath: string;
  /** Where it lives for the test. */
  readonly hostPath: string;
}

/**
 * Remaps a flag value that is an absolute path. Values that are not paths (URLs, numbers, names) are returned
 * unchanged; an absolute path outside every remap is an error, since the member would write to or read from the
 * machine's own file system.
 */
export function remapPath(value: string, remaps: readonly PathRemap[], where: string): string {
  if (!value.startsWith('/')) {
    return value;
  }
  for (const remap of remaps) {
    if (value === remap.containerPath || value.startsWith(`${remap.containerPath}/`)) {
      return remap.hostPath + value.slice(remap.containerPath.length);
    }
  }
  throw new Error(`${where}: path ${value} is outside the remapped container paths (${remaps.map(r => r.containerPath).join(', ')})`);
}

/**
 * Flags etcd registers as "ignored" (etcdmain/config.go, 3.6 too): it accepts them with a warning and does nothing.
 * A manifest that sets one believes it configures something it does not.
 */
export const IGNORED_LEGACY_ETCD_FLAGS: readonly string[] = [
  'cluster-active-size', 'cluster-remove-delay', 'cluster-sync-interval', 'config', 'force', 'max-result-buffer',
  'max-retry-attempts', 'peer-heartbeat-interval', 'peer-election-timeout', 'retry-interval', 'snapshot', 'v', 'vv',
];

/**
 * The flags (with the reason) that `binary` does not accept: asks the binary itself by parsing the full flag list
 * with `--version` appended (etcd parses every flag, then prints its version and exits without starting). An
 * unknown flag stops the parse, so it is removed and the parse repeated until the rest passes.
 */
export function flagsRejectedByBinary(binary: EtcdBinary, flags: readonly EtcdFlag[]): string[] {
  const rejected: string[] = [];
  for (const flag of flags) {
    if (IGNORED_LEGACY_ETCD_FLAGS.includes(flag.name)) {
      rejected.push(`--${flag.name}: an ignored legacy flag (etcd accepts it and does nothing)`);
    }
  }
  let remaining = flags.filter(f => !IGNORED_LEGACY_ETCD_FLAGS.includes(f.name));
  for (let attempt = 0; attempt <= flags.length; attempt++) {
    const result = spawnSync(binary.path, [...formatEtcdArgs(remaining), '--version'], {
      encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '' },
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status === 0 && output.includes('etcd Version:')) {
      return rejected;
    }
    const unknown = /flag provided but not defined: -+([^\s]+)/.exec(output);
    const invalid = /invalid value "([^"]*)" for flag -+([^\s:]+): ([^\n]*)/.exec(output);
    const name = unknown?.[1] ?? invalid?.[2];
    if (!name || !remaining.some(f => f.name === name)) {
      rejected.push(`etcd ${binary.version} refused the flags (status ${result.status}): ${output.slice(0, 2000)}`);
      return rejected;
    }
    rejected.push(unknown ? `--${name}: not a flag of etcd ${binary.version}` : `--${name}=${invalid?.[1]}: ${invalid?.[3]}`);
    remaining = remaining.filter(f => f.name !== name);
  }
  return rejected;
}
