import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { CertificateDeviation, IssuedSecret, issueCertManagerPki, renewIssuedSecret } from './cert-manager-issuer';
import { ensurePathTools } from './debian-tools';
import { EtcdBinary, ETCD_TEST_STATE_DIR, requireSupportedEtcd } from './etcd-binary';
import { EtcdClientCredentials, EtcdGatewayClient, EtcdMemberStatus, httpGetStatus } from './etcd-client';
import { EtcdFlag, expandKubeletReferences, flagsRejectedByBinary, formatEtcdArgs, parseEtcdArgs, PathRemap, remapPath } from './etcd-flags';
import { HttpGetProbe, SecretMount, SynthesizedEtcdMember } from './etcd-members';

/**
 * Runs synthesized etcd members as local processes, each with exactly its synthesized flags, except for what a
 * kubelet and a cluster would provide:
 *
 * - `$(VAR)` references are expanded as kubelet does; `POD_IP` (status.podIP) is the member's own loopback address
 *   (127.0.0.X, one per member), so every member keeps the synthesized ports.
 * - Host names: every member runs in a private mount namespace whose /etc/hosts maps each member's DNS name
 *   (`<member>.<ns>.svc.cluster.local`) to that member's address, so the URLs in the flags stay byte for byte
 *   as synthesized. Only where mount namespaces do not work are host names rewritten to addresses in the flags.
 * - Paths under the member's volumes (/etc/etcd/pki, /var/lib/etcd) move to the member's run directory.
 * - Certificates: every synthesized cert-manager Certificate is issued with openssl exactly as its spec says
 *   (cert-manager-issuer.ts), and each member's Secret volumes are written where the pod mounts them, laid out as
 *   the kubelet does (so that a renewal swaps every file at once, see {@link writeSecretVolume}). One test-only
 *   deviation: the peer certificates get the IP SAN 127.0.0.1 (see {@link LOOPBACK_SOURCE_ADDRESS}). Only where
 *   host names are rewritten to addresses, server and peer certificates also get the member's address.
 * - No flag is mapped to another etcd version's spelling: the flags are etcd 3.6's, and an etcd older than 3.6 is
 *   refused ({@link requireSupportedEtcd}). etcd itself is asked whether it accepts every flag ({@link flagsRejectedByBinary}).
 */

/** What a kubelet would give a pod: the default volumes of an etcd member, relative to the member's directory. */
export const ETCD_MEMBER_VOLUMES: readonly string[] = ['/etc/etcd/pki', '/var/lib/etcd'];

/**
 * The address every connection between loopback addresses comes from (the `src` of Linux's local route). etcd
 * checks a connecting peer's certificate against the connection's source address (an IP SAN, or a DNS SAN that
 * resolves to it); in a cluster that is the peer's pod IP, which its DNS names resolve to, but here every member
 * connects from 127.0.0.1. So the peer certificates get this IP SAN: the one deviation from the synthesized PKI.
 */
export const LOOPBACK_SOURCE_ADDRESS = '127.0.0.1';

/** How members find each other's DNS names. */
export type HostNameResolution = 'mount-namespace-hosts-file' | 'flags-rewritten-to-addresses';

export interface EtcdClusterOptions {
  /** A short name for the run directory and messages, e.g. `3-members`. */
  readonly name: string;
  readonly members: readonly SynthesizedEtcdMember[];
  readonly binary: EtcdBinary;
  /** Parent directory; the cluster's files go to `<runDir>/<name>/`. */
  readonly runDir: string;
  /** Member i listens on `127.0.0.<firstAddress + i>`. Give each cluster of one run its own range. */
  readonly firstAddress: number;
  /** Every synthesized object (`Testing.synth`): the cert-manager Certificates and Issuers are issued from them. */
  readonly manifests: readonly unknown[];
  /** The Secret whose certificate the test's client presents (karmada-apiserver's etcd client certificate). */
  readonly clientSecretName: string;
}

/** A test-only change to a synthesized certificate. */
export interface AppliedCertificateDeviation {
  readonly secretName: string;
  readonly change: string;
  readonly reason: string;
}

export interface WaitForLeaderOptions {
  /** @default the running members */
  readonly members?: readonly string[];
  /** @default 30_000 */
  readonly timeoutMs?: number;
  /** Keep waiting while this member is still reported as leader. */
  readonly notLeader?: string;
}

/** A leader every asked member agrees on. */
export interface AgreedLeader {
  readonly leader: string;
  readonly leaderId: string;
  readonly raftTerm: string;
  readonly elapsedMs: number;
}

/** A Secret volume of a member, as written on disk. */
export interface MemberSecretVolume {
  readonly secretName: string;
  /** The directory in the container. */
  readonly mountPath: string;
  /** The directory it is written to (in the kubelet's layout, see {@link writeSecretVolume}). */
  readonly dir: string;
  /** File name in the volume → the Secret's key. */
  readonly files: Readonly<Record<string, string>>;
}

/** A Secret renewed while the members run: what was mounted before, what is mounted now, and where. */
export interface SecretRenewal {
  readonly previous: IssuedSecret;
  readonly renewed: IssuedSecret;
  /** The volumes that mount it, each rewritten with one atomic swap. */
  readonly volumes: ReadonlyArray<{ readonly member: string; readonly dir: string }>;
}

/**
 * The only reasons a synthesized flag runs changed: what a kubelet and a cluster would provide. Its name never
 * changes, only its value.
 */
export const ARG_CHANGE_REASONS = {
  kubeletExpansion: 'kubelet expands $(VAR) from the container env',
  volumePath: "volume path moved into the member's run directory",
  hostNames: 'host names rewritten to addresses (no hosts file in a mount namespace)',
} as const;

/** A synthesized flag that runs changed (its value; the flag itself is the same). */
export interface ArgChange {
  readonly synthesized: string;
  /** The flag as it runs. */
  readonly run: string;
  /** Some of {@link ARG_CHANGE_REASONS}. */
  readonly why: readonly string[];
}

/** A member of a running test cluster. */
export interface EtcdTestMember {
  readonly name: string;
  /** Its loopback address, which stands for its pod IP. */
  readonly address: string;
  /** The DNS names that resolve to it. */
  readonly hostNames: readonly string[];
  readonly dir: string;
  /** Its --data-dir, as it runs (kept across kills and restarts). */
  readonly dataDir: string;
  readonly logFile: string;
  /** The flags as synthesized. */
  readonly synthesizedArgs: readonly string[];
  /** The flags it runs with. */
  readonly args: readonly string[];
  /** Each synthesized flag whose value runs changed, and why (every other flag runs byte for byte). */
  readonly argChanges: readonly ArgChange[];
  /** The environment it runs with (from the container's env). */
  readonly env: Readonly<Record<string, string>>;
  /** Its Secret volumes, as written. */
  readonly secretVolumes: readonly MemberSecretVolume[];
  readonly clientEndpoint: { readonly address: string; readonly port: number; readonly serverName: string };
  readonly synthesized: SynthesizedEtcdMember;
}

interface MemberProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  exit?: { code: number | null; signal: NodeJS.Signals | null; at: number };
  expectedExit: boolean;
}

/** Processes of every cluster of this test process: killed when the process exits, whatever happens. */
const liveProcesses = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackProcess(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of liveProcesses) {
        try {
          p.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  liveProcesses.add(child);
  child.once('exit', () => liveProcesses.delete(child));
}

let resolutionProbe: HostNameResolution | undefined;
/**
 * Whether `unshare --mount` with a bind-mounted /etc/hosts works here (root, util-linux). Probed once.
 */
export function probeHostNameResolution(): HostNameResolution {
  if (resolutionProbe) return resolutionProbe;
  if (process.env.ETCD_TEST_HOST_NAMES === 'rewrite-flags') {
    // Forces the fallback, to test it where mount namespaces do work.
    resolutionProbe = 'flags-rewritten-to-addresses';
    return resolutionProbe;
  }
  fs.mkdirSync(ETCD_TEST_STATE_DIR, { recursive: true });
  const hosts = path.join(ETCD_TEST_STATE_DIR, `hosts-probe-${process.pid}`);
  fs.writeFileSync(hosts, '127.0.0.99 etcd-harness-probe.invalid\n');
  const result = spawnSync('unshare', [
    '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" /etc/hosts && getent hosts etcd-harness-probe.invalid',
    'probe', hosts,
  ], { encoding: 'utf8', timeout: 10_000 });
  fs.rmSync(hosts, { force: true });
  resolutionProbe = result.status === 0 && result.stdout.includes('127.0.0.99') ? 'mount-namespace-hosts-file' : 'flags-rewritten-to-addresses';
  return resolutionProbe;
}

/** Creates `.etcd-test/run-<time>-<pid>/`, after killing members left running by earlier runs and pruning old runs. */
export function createRunDirectory(keepOldRuns = 3): string {
  fs.mkdirSync(ETCD_TEST_STATE_DIR, { recursive: true });
  killMembersOfEarlierRuns();
  const runs = fs.readdirSync(ETCD_TEST_STATE_DIR).filter(d => d.startsWith('run-') && !runOwnerAlive(d)).sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - keepOldRuns))) {
    fs.rmSync(path.join(ETCD_TEST_STATE_DIR, old), { recursive: true, force: true });
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const dir = path.join(ETCD_TEST_STATE_DIR, `run-${stamp}-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether the test process that created a run directory (`run-<time>-<pid>`) still runs. */
function runOwnerAlive(run: string): boolean {
  const pid = Number(/-(\d+)$/.exec(run)?.[1]);
  if (!pid || pid === process.pid) return pid === process.pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills, by the pid each recorded, the members of earlier runs that are still running although the test process
 * that started them is gone (e.g. after a crash).
 */
function killMembersOfEarlierRuns(): void {
  for (const run of fs.readdirSync(ETCD_TEST_STATE_DIR).filter(d => d.startsWith('run-') && !runOwnerAlive(d))) {
    const runDir = path.join(ETCD_TEST_STATE_DIR, run);
    for (const pidFile of findFiles(runDir, 'etcd.pid', 3)) {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // not running
      }
      // Only a process that is still that member (its flags name its directory), never a recycled pid.
      if (pid > 1 && cmdline.includes(path.dirname(pidFile))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  }
}

function findFiles(dir: string, name: string, depth: number): string[] {
  if (depth < 0 || !fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) found.push(full);
    if (entry.isDirectory()) found.push(...findFiles(full, name, depth - 1));
  }
  return found;
}

const URL_FLAGS = [
  'listen-client-urls', 'advertise-client-urls', 'listen-peer-urls', 'initial-advertise-peer-urls', 'listen-metrics-urls',
  'listen-client-http-urls',
];

function flagValue(flags: readonly EtcdFlag[], name: string): string | undefined {
  return flags.find(f => f.name === name)?.value;
}

function isIpAddress(host: string): boolean {
  return net.isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}

/** The URLs in a URL-valued flag (comma separated; `name=url` pairs for --initial-cluster). */
function urlsOf(flag: EtcdFlag): URL[] {
  if (flag.name === 'initial-cluster') {
    return flag.value.split(',').map(pair => new URL(pair.slice(pair.indexOf('=') + 1)));
  }
  if (URL_FLAGS.includes(flag.name)) {
    return flag.value.split(',').map(u => new URL(u));
  }
  return [];
}

/** The Secret volume of `member` whose mount holds `file` (a container path, as in the synthesized flags). */
function secretMountOf(member: SynthesizedEtcdMember, file: string | undefined, what: string): SecretMount {
  if (file === undefined) throw new Error(`${member.name} has no ${what}: the harness runs members with TLS only`);
  const mount = member.secretMounts.find(m => file.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
  if (!mount) {
    throw new Error(`${member.name} ${what}=${file} is in no mounted Secret (mounts: ${member.secretMounts.map(m => `${m.secretName} at ${m.mountPath}`).join(', ') || 'none'})`);
  }
  return mount;
}

/** A set of etcd members started as local processes. Create with {@link EtcdTestCluster.prepare}. */
export class EtcdTestCluster {
  /**
   * Prepares (does not start) the members: directories, certificates, hosts file, flags. Throws for an etcd older
   * than 3.6, and checks the flags against the binary and throws on any it refuses.
   */
  public static prepare(options: EtcdClusterOptions): EtcdTestCluster {
    const { binary, members } = options;
    requireSupportedEtcd(binary);
    ensurePathTools();
    if (members.length === 0) throw new Error('no etcd members to run');
    if (options.firstAddress < 2 || options.firstAddress + members.length > 255) {
      throw new Error(`127.0.0.${options.firstAddress} + ${members.length} members leaves 127.0.0.2-254`);
    }
    const clusterDir = path.join(options.runDir, options.name);
    fs.mkdirSync(clusterDir, { recursive: true });
    const resolution = probeHostNameResolution();
    const addressOf = new Map(members.map((m, i) => [m.name, `127.0.0.${options.firstAddress + i}`]));

    // Pass 1: kubelet expansion, parse.
    const expanded = members.map(member => {
      const address = addressOf.get(member.name)!;
      const env = containerEnvironment(member, address);
      const flags = parseEtcdArgs(member.args.map(a => expandKubeletReferences(a, env)));
      return { member, address, env, flags };
    });

    // Host names → members: a member's advertised URLs and its --initial-cluster entry name it.
    const memberOfHost = new Map<string, string>();
    const claim = (host: string, memberName: string, source: string) => {
      if (isIpAddress(host)) return;
      const previous = memberOfHost.get(host);
      if (previous && previous !== memberName) {
        throw new Error(`host name ${host} names two members (${previous} and ${memberName}, from ${source})`);
      }
      memberOfHost.set(host, memberName);
    };
    for (const { member, flags } of expanded) {
      for (const name of ['advertise-client-urls', 'initial-advertise-peer-urls']) {
        const flag = flags.find(f => f.name === name);
        if (flag) for (const url of urlsOf(flag)) claim(url.hostname, member.name, `${member.name} --${name}`);
      }
      const initialCluster = flagValue(flags, 'initial-cluster');
      for (const pair of initialCluster?.split(',') ?? []) {
        const [memberName, url] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
        if (!addressOf.has(memberName)) {
          throw new Error(`${member.name} --initial-cluster names ${memberName}, which is not among the synthesized members`);
        }
        claim(new URL(url).hostname, memberName, `${member.name} --initial-cluster`);
      }
    }
    // Every host name in a URL must be a member's; every address one of the member's own.
    for (const { member, address, flags } of expanded) {
      for (const flag of flags) {
        for (const url of urlsOf(flag)) {
          const host = url.hostname;
          if (isIpAddress(host)) {
            if (flag.name.startsWith('listen-') && host !== address && host !== '0.0.0.0') {
              throw new Error(`${member.name} --${flag.name} listens on ${host}, not on its pod IP`);
            }
          } else if (!memberOfHost.has(host)) {
            throw new Error(`${member.name} --${flag.name} names host ${host}, which is no member's name`);
          }
        }
      }
    }
    const hostsFile = path.join(clusterDir, 'hosts');
    fs.writeFileSync(hostsFile, [
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost ip6-loopback',
      ...[...memberOfHost].map(([host, memberName]) => `${addressOf.get(memberName)} ${host}`),
      '',
    ].join('\n'));

    // PKI: the synthesized Certificates, issued as cert-manager would, plus the deviations (each with its reason).
    const deviations: CertificateDeviation[] = [];
    for (const { member, address, flags } of expanded) {
      const secretOf = (flagName: string) => secretMountOf(member, flagValue(flags, flagName), `--${flagName}`).secretName;
      deviations.push({
        secretName: secretOf('peer-cert-file'),
        addIpAddresses: [LOOPBACK_SOURCE_ADDRESS],
        reason: 'etcd checks a connecting peer\'s certificate against the connection\'s source address; on loopback that is '
          + `always ${LOOPBACK_SOURCE_ADDRESS} (in a cluster: the peer's pod IP, which its DNS names resolve to)`,
      });
      if (resolution === 'flags-rewritten-to-addresses') {
        for (const flagName of ['cert-file', 'peer-cert-file']) {
          deviations.push({
            secretName: secretOf(flagName),
            addIpAddresses: [address],
            reason: 'no hosts file (mount namespaces unavailable): the flags name members by address, so their certificates must cover it',
          });
        }
      }
    }
    const pkiDir = path.join(clusterDir, 'pki');
    const issued = issueCertManagerPki(options.manifests, { dir: pkiDir, deviations });
    const secret = (name: string, where: string): IssuedSecret => issued.get(name)
      ?? (() => {
        throw new Error(`${where}: Secret ${name} is written by no synthesized cert-manager Certificate`);
      })();
    const clientSecret = secret(options.clientSecretName, 'the test client');
    const credentials: EtcdClientCredentials = {
      ca: fs.readFileSync(clientSecret.caFile),
      cert: fs.readFileSync(clientSecret.certFile),
      key: fs.readFileSync(clientSecret.keyFile),
    };
    const certificateDeviations: AppliedCertificateDeviation[] = [];
    for (const deviation of deviations) {
      const change = `IP SAN ${deviation.addIpAddresses.join(', ')} added`;
      if (!certificateDeviations.some(d => d.secretName === deviation.secretName && d.change === change)) {
        certificateDeviations.push({ secretName: deviation.secretName, change, reason: deviation.reason });
      }
    }
    fs.writeFileSync(path.join(clusterDir, 'certificate-deviations.txt'),
      certificateDeviations.map(d => `${d.secretName}: ${d.change}: ${d.reason}\n`).join(''));

    const testMembers = expanded.map(({ member, address, env, flags }) => {
      const dir = path.join(clusterDir, member.name);
      const root = path.join(dir, 'root');
      const remaps: PathRemap[] = ETCD_MEMBER_VOLUMES.map(v => ({ containerPath: v, hostPath: root + v }));
      for (const remap of remaps) fs.mkdirSync(remap.hostPath, { recursive: true });
      const hostNames = [...memberOfHost].filter(([, m]) => m === member.name).map(([h]) => h);

      // Flag by flag, so that each change can be told with its reason.
      const runFlags: EtcdFlag[] = [];
      const argChanges: ArgChange[] = [];
      parseEtcdArgs(member.args).forEach((synthesized, i) => {
        const why: string[] = [];
        let value = flags[i].value;
        if (value !== synthesized.value) why.push(ARG_CHANGE_REASONS.kubeletExpansion);
        const remapped = remapPath(value, remaps, `${member.name} --${synthesized.name}`);
        if (remapped !== value) why.push(ARG_CHANGE_REASONS.volumePath);
        value = remapped;
        if (resolution === 'flags-rewritten-to-addresses') {
          const rewritten = rewriteHostNames(value, memberOfHost, addressOf);
          if (rewritten !== value) why.push(ARG_CHANGE_REASONS.hostNames);
          value = rewritten;
        }
        const runFlag: EtcdFlag = { name: synthesized.name, value };
        runFlags.push(runFlag);
        if (why.length > 0) {
          argChanges.push({ synthesized: `--${synthesized.name}=${synthesized.value}`, run: formatEtcdArgs([runFlag])[0], why });
        }
      });

      // The Secret volumes, written where the pod mounts them (as the kubelet would); then every TLS flag must name
      // a file one of them provides.
      const secretVolumes = member.secretMounts.map((mount): MemberSecretVolume => {
        const source = secret(mount.secretName, `${member.name} mounts it at ${mount.mountPath}`);
        const volume: MemberSecretVolume = {
          secretName: mount.secretName,
          mountPath: mount.mountPath,
          dir: remapPath(mount.mountPath, remaps, `${member.name} Secret volume ${mount.secretName}`),
          files: Object.fromEntries((mount.items ?? SECRET_KEYS.map(key => ({ key, path: key }))).map(item => {
            if (!SECRET_KEYS.includes(item.key)) {
              throw new Error(`${member.name}: Secret ${mount.secretName} has no key ${item.key} (cert-manager writes ${SECRET_KEYS.join(', ')})`);
            }
            return [item.path, item.key];
          })),
        };
        writeSecretVolume(volume.dir, secretVolumeSources(volume, source));
        return volume;
      });
      const need = (name: string): string => flagValue(runFlags, name) ?? (() => {
        throw new Error(`${member.name} has no --${name}: the harness runs members with TLS only`);
      })();
      for (const name of ['trusted-ca-file', 'cert-file', 'key-file', 'peer-trusted-ca-file', 'peer-cert-file', 'peer-key-file']) {
        secretMountOf(member, flagValue(flags, name), `--${name}`);
        if (!fs.existsSync(need(name))) {
          throw new Error(`${member.name} --${name}=${flagValue(flags, name)}: no key of the mounted Secret is at that path`);
        }
      }

      const rejected = flagsRejectedByBinary(binary, runFlags);
      if (rejected.length > 0) {
        throw new Error(`etcd ${binary.version} (${binary.path}) does not accept the flags of ${member.name}:\n  ${rejected.join('\n  ')}`);
      }

      const listenClient = new URL(need('listen-client-urls').split(',')[0]);
      const advertisedClient = new URL(need('advertise-client-urls').split(',')[0]);
      const testMember: EtcdTestMember = {
        name: member.name,
        address,
        hostNames,
        dir,
        dataDir: need('data-dir'),
        logFile: path.join(dir, 'etcd.log'),
        synthesizedArgs: member.args,
        args: formatEtcdArgs(runFlags),
        argChanges,
        env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, remapPath(v, remaps, `${member.name} env ${k}`)])),
        secretVolumes,
        clientEndpoint: {
          address: listenClient.hostname === '0.0.0.0' ? address : listenClient.hostname,
          port: Number(listenClient.port || 2379),
          serverName: resolution === 'flags-rewritten-to-addresses' ? address : advertisedClient.hostname,
        },
        synthesized: member,
      };
      fs.writeFileSync(path.join(dir, 'args.txt'), `${testMember.args.join('\n')}\n`);
      return testMember;
    });

    const peerCa = fs.readFileSync(flagValue(parseEtcdArgs(testMembers[0].args), 'peer-trusted-ca-file')!);
    return new EtcdTestCluster(options, testMembers, hostsFile, credentials, peerCa, resolution, issued, certificateDeviations);
  }

  private readonly processes = new Map<string, MemberProcess>();
  private readonly starts = new Map<string, number>();
  private readonly memberIds = new Map<string, string>();

  private constructor(
    public readonly options: EtcdClusterOptions,
    public readonly members: readonly EtcdTestMember[],
    public readonly hostsFile: string,
    /** The test client's certificate, key and the client/server CA. */
    public readonly clientCredentials: EtcdClientCredentials,
    /** The CA of the peer certificates (PEM): the first member's --peer-trusted-ca-file. */
    public readonly peerCaCertificate: Buffer,
    public readonly hostNameResolution: HostNameResolution,
    /** Every Secret issued from the synthesized Certificates, by name; a renewal replaces its entry. */
    private readonly issuedSecrets: Map<string, IssuedSecret>,
    /** The test-only changes to the synthesized certificates, with their reasons. */
    public readonly certificateDeviations: readonly AppliedCertificateDeviation[],
  ) {}

  /** Every Secret issued from the synthesized Certificates, by name, as currently mounted (renewed or not). */
  public get secrets(): ReadonlyMap<string, IssuedSecret> {
    return this.issuedSecrets;
  }

  /**
   * Renews `secretName` as cert-manager does when its Certificate is due (same spec and CA, new key and serial,
   * written to `pki/<secretName>.renewal-<n>/`), then rewrites every member volume that mounts it in place, the
   * kubelet's way: one atomic swap of the volume's `..data` symlink per volume, with nothing restarted.
   */
  public renewSecret(secretName: string): SecretRenewal {
    const previous = this.issuedSecrets.get(secretName);
    if (!previous) throw new Error(`Secret ${secretName} is written by no synthesized cert-manager Certificate`);
    const signer = previous.signedBy === undefined ? undefined : this.issuedSecrets.get(previous.signedBy);
    const renewalDir = (n: number) => path.join(path.dirname(previous.dir), `${secretName}.renewal-${n}`);
    let n = 1;
    while (fs.existsSync(renewalDir(n))) n++;
    const renewed = renewIssuedSecret(previous, signer, renewalDir(n));
    this.issuedSecrets.set(secretName, renewed);
    const volumes: Array<{ member: string; dir: string }> = [];
    for (const member of this.members) {
      for (const volume of member.secretVolumes.filter(v => v.secretName === secretName)) {
        writeSecretVolume(volume.dir, secretVolumeSources(volume, renewed));
        volumes.push({ member: member.name, dir: volume.dir });
      }
    }
    return { previous, renewed, volumes };
  }

  public member(name: string): EtcdTestMember {
    const member = this.members.find(m => m.name === name);
    if (!member) throw new Error(`no member ${name} (members: ${this.members.map(m => m.name).join(', ')})`);
    return member;
  }

  /** Names of the members whose process runs. */
  public running(): string[] {
    return this.members.filter(m => this.isRunning(m.name)).map(m => m.name);
  }

  /** The pid of the member's running process (etcd itself: the mount-namespace wrapper execs it), or undefined. */
  public pid(name: string): number | undefined {
    return this.isRunning(name) ? this.processes.get(name)?.child.pid : undefined;
  }

  public isRunning(name: string): boolean {
    const p = this.processes.get(name);
    return p !== undefined && p.exit === undefined;
  }

  /** Starts the given members (default: all), after checking their ports are free. */
  public async start(names: readonly string[] = this.members.map(m => m.name)): Promise<void> {
    for (const name of names) {
      if (this.isRunning(name)) throw new Error(`${name} is already running`);
      await assertPortsFree(this.member(name));
    }
    for (const name of names) this.spawnMember(this.member(name));
  }

  /** Starts a stopped member again, with the same flags and data directory. */
  public async restart(name: string): Promise<void> {
    await this.start([name]);
  }

  /** Sends `signal` (default SIGKILL) and waits (bounded) until the process is gone. */
  public async kill(name: string, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    const p = this.processes.get(name);
    if (!p || p.exit) return;
    p.expectedExit = true;
    p.child.kill(signal);
    if (await within(p.exited, timeoutMs) === 'timeout') {
      p.child.kill('SIGKILL');
      await within(p.exited, 2_000);
      if (!p.exit) throw new Error(`${name} (pid ${p.child.pid}) did not exit within ${timeoutMs} ms of ${signal}`);
    }
  }

  /** Kills every member (SIGKILL) and waits for them to be gone. */
  public async stop(): Promise<void> {
    await Promise.all(this.members.map(m => this.kill(m.name, 'SIGKILL').catch(() => undefined)));
  }

  /**
   * A gateway client for a member's client endpoint (verifies the server certificate against its DNS name), with the
   * test's client certificate unless other `credentials` are given.
   */
  public client(name: string, defaultTimeoutMs = 3_000, credentials: EtcdClientCredentials = this.clientCredentials): EtcdGatewayClient {
    return new EtcdGatewayClient(this.member(name).clientEndpoint, credentials, defaultTimeoutMs);
  }

  /**
   * A gateway client for a member's client endpoint that presents the certificate and key of the issued Secret
   * `secretName`. It verifies the server with that Secret's own ca.crt (what a component mounts for --etcd-cafile),
   * or with `trust: 'etcd-ca'` with the CA of the test's client (the etcd CA) whatever signed the Secret, so that a
   * refused handshake can only be the server refusing the certificate.
   */
  public clientWithSecret(name: string, secretName: string, trust: 'secret-ca' | 'etcd-ca' = 'secret-ca', defaultTimeoutMs = 3_000): EtcdGatewayClient {
    const secret = this.secrets.get(secretName);
    if (!secret) throw new Error(`Secret ${secretName} is written by no synthesized cert-manager Certificate`);
    return this.client(name, defaultTimeoutMs, {
      ca: trust === 'etcd-ca' ? this.clientCredentials.ca : fs.readFileSync(secret.caFile),
      cert: fs.readFileSync(secret.certFile),
      key: fs.readFileSync(secret.keyFile),
    });
  }

  /** A client of a member's peer endpoint (first --listen-peer-urls), trusting the peer CA, with no certificate. */
  public peerEndpointClientWithoutCertificate(name: string, defaultTimeoutMs = 3_000): EtcdGatewayClient {
    const member = this.member(name);
    const listenPeer = new URL(parseEtcdArgs(member.args).find(f => f.name === 'listen-peer-urls')!.value.split(',')[0]);
    return new EtcdGatewayClient(
      { address: member.address, port: Number(listenPeer.port || 2380), serverName: member.clientEndpoint.serverName },
      { ca: this.peerCaCertificate }, defaultTimeoutMs);
  }

  /** The member's raft ID (decimal), once a status call has reported it. */
  public memberId(name: string): string | undefined {
    return this.memberIds.get(name);
  }

  public memberNameOfId(id: string): string | undefined {
    return [...this.memberIds].find(([, memberId]) => memberId === id)?.[0];
  }

  /** Status of each given member; a member that does not answer maps to its error. */
  public async statuses(names: readonly string[], timeoutMs = 2_000): Promise<Map<string, EtcdMemberStatus | Error>> {
    const results = await Promise.all(names.map(async (name): Promise<[string, EtcdMemberStatus | Error]> => {
      try {
        const status = await this.client(name).status({ timeoutMs });
        this.memberIds.set(name, status.memberId);
        return [name, status];
      } catch (error) {
        return [name, error as Error];
      }
    }));
    return new Map(results);
  }

  /**
   * Waits until every given member (default: the running ones) answers and reports the same leader, and that
   * leader is one of them. Polls every 100 ms; throws after `timeoutMs` with what each member last said, or as soon
   * as a member's process exits on its own.
   */
  public async waitForLeader(options: WaitForLeaderOptions = {}): Promise<AgreedLeader> {
    const names = options.members ?? this.running();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const started = Date.now();
    let last = new Map<string, EtcdMemberStatus | Error>();
    for (let poll = 0; Date.now() - started < timeoutMs && poll < 10_000; poll++) {
      this.assertNoUnexpectedExit();
      last = await this.statuses(names, 1_500);
      const answers = [...last.values()];
      if (answers.every(a => !(a instanceof Error))) {
        const statuses = answers as EtcdMemberStatus[];
        const leaderId = statuses[0].leaderId;
        const leader = this.memberNameOfId(leaderId);
        if (leaderId !== '0' && statuses.every(s => s.leaderId === leaderId) && leader && names.includes(leader) && leader !== options.notLeader) {
          return { leader, leaderId, raftTerm: statuses[0].raftTerm, elapsedMs: Date.now() - started };
        }
      }
      await sleep(100);
    }
    const seen = [...last].map(([n, s]) => `  ${n}: ${s instanceof Error ? s.message : `leader ${this.memberNameOfId(s.leaderId) ?? s.leaderId}, term ${s.raftTerm}`}`);
    throw new Error(`no common leader among ${names.join(', ')} within ${timeoutMs} ms; last answers:\n${seen.join('\n')}`);
  }

  /** GETs one of the member's HTTP probes (e.g. /livez on the metrics port) at the member's address. */
  public async probe(name: string, probe: HttpGetProbe, timeoutMs: number): Promise<{ status: number | 'timeout' | 'error'; body: string; elapsedMs: number }> {
    const member = this.member(name);
    return httpGetStatus(`${probe.scheme.toLowerCase()}://${member.address}:${probe.port}${probe.path}`, timeoutMs);
  }

  /** The last `lines` lines of the member's log (all its starts). */
  public logTail(name: string, lines = 25): string {
    try {
      const text = fs.readFileSync(this.member(name).logFile, 'utf8');
      return text.split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Each member's state and log tail, for a failure message. */
  public diagnostics(lines = 15): string {
    return this.members.map(m => {
      const p = this.processes.get(m.name);
      const state = !p ? 'never started' : p.exit ? `exited (code ${p.exit.code}, signal ${p.exit.signal}${p.expectedExit ? ', killed by the test' : ''})` : `running (pid ${p.child.pid})`;
      return `--- ${m.name} ${m.address} ${state}; log ${m.logFile}; last ${lines} lines:\n${this.logTail(m.name, lines)}`;
    }).join('\n');
  }

  /** Runs `step`; on failure, rethrows with every member's state and log tail appended. */
  public async withDiagnostics<T>(step: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      e.message = `[${this.options.name}] ${step}: ${e.message}\n\n${this.diagnostics()}`;
      throw e;
    }
  }

  /** Throws if a member's process ended without the test killing it. */
  public assertNoUnexpectedExit(): void {
    for (const [name, p] of this.processes) {
      if (p.exit && !p.expectedExit) {
        throw new Error(`${name} exited on its own (code ${p.exit.code}, signal ${p.exit.signal}); log tail:\n${this.logTail(name, 30)}`);
      }
    }
  }

  private spawnMember(member: EtcdTestMember): void {
    const count = (this.starts.get(member.name) ?? 0) + 1;
    this.starts.set(member.name, count);
    fs.mkdirSync(member.dir, { recursive: true });
    const command = this.hostNameResolution === 'mount-namespace-hosts-file'
      ? ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" /etc/hosts && shift && exec "$@"',
        'etcd-member', this.hostsFile, this.options.binary.path, ...member.args]
      : [this.options.binary.path, ...member.args];
    fs.appendFileSync(member.logFile, `=== harness: start #${count} at ${new Date().toISOString()}: ${command.join(' ')}\n`);
    const log = fs.openSync(member.logFile, 'a');
    // A clean environment: the container's env only (no ETCD_* variables of the caller's).
    const child = spawn(command[0], command.slice(1), {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...member.env },
      stdio: ['ignore', log, log],
      detached: true,
    });
    fs.closeSync(log);
    trackProcess(child);
    const entry: MemberProcess = {
      child,
      expectedExit: false,
      exited: new Promise<void>(resolve => child.once('exit', (code, signal) => {
        entry.exit = { code, signal, at: Date.now() };
        fs.appendFileSync(member.logFile, `=== harness: start #${count} exited (code ${code}, signal ${signal}) at ${new Date().toISOString()}\n`);
        resolve();
      })),
    };
    child.once('error', e => fs.appendFileSync(member.logFile, `=== harness: spawn failed: ${e.message}\n`));
    this.processes.set(member.name, entry);
    fs.writeFileSync(path.join(member.dir, 'etcd.pid'), `${child.pid}\n`);
  }
}

/** The keys cert-manager writes to a certificate's Secret. */
const SECRET_KEYS = ['tls.crt', 'tls.key', 'ca.crt'];

/** File name in the volume → the issued file it gets. */
function secretVolumeSources(volume: MemberSecretVolume, secret: IssuedSecret): Record<string, string> {
  const byKey: Record<string, string> = { 'tls.crt': secret.certFile, 'tls.key': secret.keyFile, 'ca.crt': secret.caFile };
  return Object.fromEntries(Object.entries(volume.files).map(([file, key]) => [file, byKey[key]]));
}

/**
 * Writes a Secret volume as the kubelet's atomic writer does: the files go to a new directory `..<time>.<random>`,
 * the symlink `..data` points to it, and each file of the volume is a symlink `<file>` → `..data/<file>`. Writing the
 * volume again (a renewed Secret) makes a new directory and swaps `..data` with one rename, so a reader sees all old
 * or all new files, never a certificate with another certificate's key; then the old directory goes.
 *
 * @param files file name in the volume → the file to copy there (mode 0600)
 */
export function writeSecretVolume(dir: string, files: Readonly<Record<string, string>>): void {
  fs.mkdirSync(dir, { recursive: true });
  const names = Object.keys(files);
  for (const name of names) {
    if (name.includes('/') || name.startsWith('..')) throw new Error(`${dir}: Secret volume file ${name}: only plain file names are written`);
  }
  const stamp = new Date().toISOString().replace(/[-:T]/g, '_').replace(/Z$/, '');
  const payloadName = `..${stamp}.${randomBytes(4).toString('hex')}`;
  const payload = path.join(dir, payloadName);
  fs.mkdirSync(payload);
  for (const [name, from] of Object.entries(files)) {
    fs.copyFileSync(from, path.join(payload, name));
    fs.chmodSync(path.join(payload, name), 0o600);
  }
  const dataLink = path.join(dir, '..data');
  const previousPayload = fs.existsSync(dataLink) ? fs.readlinkSync(dataLink) : undefined;
  const previousNames = previousPayload ? fs.readdirSync(path.join(dir, previousPayload)) : [];
  fs.rmSync(`${dataLink}_tmp`, { force: true });
  fs.symlinkSync(payloadName, `${dataLink}_tmp`);
  fs.renameSync(`${dataLink}_tmp`, dataLink);
  for (const name of names) {
    const visible = path.join(dir, name);
    const link = path.join('..data', name);
    let current: string | undefined;
    try {
      current = fs.readlinkSync(visible);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${visible} exists and is not the kubelet's symlink`);
    }
    if (current === undefined) fs.symlinkSync(link, visible);
    else if (current !== link) throw new Error(`${visible} points to ${current}, not ${link}`);
  }
  for (const gone of previousNames.filter(n => !names.includes(n))) fs.rmSync(path.join(dir, gone), { force: true });
  if (previousPayload && previousPayload !== payloadName) fs.rmSync(path.join(dir, previousPayload), { recursive: true, force: true });
}

/** The container's env as kubelet would set it, for a pod whose IP is `address`. */
function containerEnvironment(member: SynthesizedEtcdMember, address: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of member.env) {
    if (variable.value !== undefined) {
      env[variable.name] = expandKubeletReferences(variable.value, env);
      continue;
    }
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    const fieldValues: Record<string, string> = {
      'status.podIP': address,
      'status.podIPs': address,
      'metadata.name': member.podName,
      'metadata.namespace': member.namespace,
    };
    if (fieldPath === undefined || fieldValues[fieldPath] === undefined) {
      throw new Error(`${member.name}: env ${variable.name} comes from ${JSON.stringify(variable.valueFrom)}, which the harness cannot provide`);
    }
    env[variable.name] = fieldValues[fieldPath];
  }
  return env;
}

function rewriteHostNames(value: string, memberOfHost: ReadonlyMap<string, string>, addressOf: ReadonlyMap<string, string>): string {
  let out = value;
  for (const [host, memberName] of memberOfHost) {
    out = out.split(`//${host}:`).join(`//${addressOf.get(memberName)}:`);
  }
  return out;
}

/** Throws if something already listens on one of the member's listen URLs. */
async function assertPortsFree(member: EtcdTestMember): Promise<void> {
  const flags = parseEtcdArgs(member.args);
  for (const flag of flags.filter(f => f.name.startsWith('listen-') && f.name.endsWith('-urls'))) {
    for (const url of urlsOf(flag)) {
      const port = Number(url.port);
      const free = await new Promise<boolean>(resolve => {
        const server = net.createServer();
        server.once('error', () => resolve(false));
        server.listen(port, url.hostname, () => server.close(() => resolve(true)));
      });
      if (!free) {
        throw new Error(`${member.name}: ${url.hostname}:${port} (--${flag.name}) is already in use by another process`);
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** `promise`'s value, or 'timeout' after `ms` (the timer is cleared either way, so nothing is left pending). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(resolve => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
