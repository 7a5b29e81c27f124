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

// ---------------------------------------------------------------------------------------------------------------
// Version mapping: the synthesized flags are etcd 3.6's. These are the ONLY changes made for an older binary.
// ---------------------------------------------------------------------------------------------------------------

/** A flag of etcd 3.6 that an older etcd spells differently or lacks. */
export interface FlagVersionMapping {
  /** The etcd 3.6 flag name. */
  readonly flag: string;
  /** The etcd minor versions (`3.4`, `3.5`) the mapping applies to. */
  readonly versions: readonly string[];
  /** Why, for the test's output. */
  readonly reason: string;
  /** The replacement flags; an empty list drops the flag. */
  readonly map: (value: string) => EtcdFlag[];
}

/** Feature gates of 3.6 (`--feature-gates=Name=bool`) and the `--experimental-*` flag 3.4 and 3.5 use instead. */
export const FEATURE_GATES_BEFORE_3_6: Readonly<Record<string, string>> = {
  InitialCorruptCheck: 'experimental-initial-corrupt-check',
};

/**
 * The mapping table. Source: the flag sets in shared/vendor-data/flags/ (etcd.txt = 3.6,
 * etcd-versions/etcd-v3.5.33.txt, etcd-versions/etcd-v3.4.23.txt).
 *
 * | 3.6 flag                                  | 3.5                                             | 3.4                          |
 * | ----------------------------------------- | ----------------------------------------------- | ---------------------------- |
 * | `--feature-gates=InitialCorruptCheck=B`   | `--experimental-initial-corrupt-check=B`        | same as 3.5                  |
 * | `--watch-progress-notify-interval=D`      | `--experimental-watch-progress-notify-interval=D` | same as 3.5                |
 * | `--tls-min-version=V`                     | unchanged                                       | dropped (no such flag)       |
 *
 * Every other flag is passed unchanged; the binary itself then rejects any it does not know (see
 * {@link flagsRejectedByBinary}), so nothing is dropped silently.
 */
export const ETCD_3_6_FLAG_MAPPINGS: readonly FlagVersionMapping[] = [
  {
    flag: 'feature-gates',
    versions: ['3.4', '3.5'],
    reason: '--feature-gates exists from etcd 3.6 on; 3.4 and 3.5 enable the same features with --experimental-* flags',
    map: value => value.split(',').filter(gate => gate.trim() !== '').map(gate => {
      const [gateName, enabled] = gate.split('=');
      const replacement = FEATURE_GATES_BEFORE_3_6[gateName.trim()];
      if (!replacement) {
        throw new Error(`feature gate ${gateName} has no known etcd 3.4/3.5 equivalent: add it to FEATURE_GATES_BEFORE_3_6 in test/integ/etcd-flags.ts`);
      }
      return { name: replacement, value: (enabled ?? 'true').trim() };
    }),
  },
  {
    flag: 'watch-progress-notify-interval',
    versions: ['3.4', '3.5'],
    reason: 'etcd 3.6 renamed --experimental-watch-progress-notify-interval (the old name is deprecated there)',
    map: value => [{ name: 'experimental-watch-progress-notify-interval', value }],
  },
  {
    flag: 'tls-min-version',
    versions: ['3.4'],
    reason: 'etcd 3.4 has no --tls-min-version (added in 3.5); 3.4 accepts TLS 1.2 and 1.3, so this test cannot show that TLS 1.2 is refused',
    map: () => [],
  },
];

/** A mapping that was applied, for the test's output. */
export interface AppliedFlagMapping {
  readonly from: string;
  readonly to: readonly string[];
  readonly reason: string;
}

/** Applies {@link ETCD_3_6_FLAG_MAPPINGS} for `binary`'s version. etcd 3.6 and later get the flags unchanged. */
export function mapFlagsToVersion(flags: readonly EtcdFlag[], binary: EtcdBinary): { flags: EtcdFlag[]; applied: AppliedFlagMapping[] } {
  if (binary.major !== 3 || binary.minor < 4) {
    throw new Error(`etcd ${binary.version} is not supported by the integration harness (3.4 or later)`);
  }
  const out: EtcdFlag[] = [];
  const applied: AppliedFlagMapping[] = [];
  for (const flag of flags) {
    const mapping = ETCD_3_6_FLAG_MAPPINGS.find(m => m.flag === flag.name && m.versions.includes(binary.minorVersion));
    if (!mapping) {
      out.push(flag);
      continue;
    }
    const replacement = mapping.map(flag.value);
    out.push(...replacement);
    applied.push({ from: `--${flag.name}=${flag.value}`, to: formatEtcdArgs(replacement), reason: mapping.reason });
  }
  return { flags: out, applied };
}

/**
 * Flags every etcd version (3.4 to 3.6) registers as "ignored": it accepts them with a warning and does nothing.
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
