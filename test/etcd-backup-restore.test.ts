/**
 * Real etcd: a backup taken with the synthesized backup CronJob's own command lines from a running 3-member stacked
 * cluster, rotated by its busybox script, and restored into every member by the documented procedure
 * (scripts/restore-etcd.sh's restore Pods), after which the cluster starts again with the synthesized member flags
 * and holds every key the snapshot held, and only those.
 *
 * What runs, and what changes between the manifest and the process (paths and names only):
 * - the members: test/integ/etcd-harness.ts, with the synthesized flags and PKI (see its README);
 * - `etcdctl snapshot save` and the defragmentation CronJob's `etcdctl` calls: etcdctl built from etcd's Go module at
 *   the version of the CronJobs' image (scripts/build-components.sh etcd; `ETCDCTL_BIN` overrides it), with the
 *   synthesized args, the mounted client certificate written where the pod mounts it, under a private mount
 *   namespace whose /etc/hosts maps the client Service's name to one member (what the Service does: forward to a
 *   ready member) and every member's name to that member;
 * - `etcdutl snapshot status` and `etcdutl snapshot restore`: etcdutl, built with it (`ETCDUTL_BIN` overrides it);
 * - the rotation, prepare and swap scripts: the busybox binary (Debian's busybox-static, from
 *   scripts/ensure-debian-tools.sh), with only its applets on PATH;
 * - the jsonpath of scripts/restore-etcd.sh, which makes the restore Pods: kubectl built from the Kubernetes Go modules
 *   (scripts/build-components.sh kubernetes; `KUBECTL_BIN` overrides it), behind the fake kubectl;
 * - volume paths (`/var/lib/etcd-backups`, the client certificate's directory, each member's `/var/lib/etcd`) move
 *   into the run directory.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { EtcdTopology, HATopology } from '../src';
import { appletDirectory, BusyboxBinary, ensureBusyboxBinary } from './integ/busybox-binary';
import { EtcdBinary, ensureEtcdBinary, REPO_ROOT } from './integ/etcd-binary';
import { createRunDirectory, EtcdTestCluster, writeSecretVolume } from './integ/etcd-harness';
import { synthesizedEtcdMembers } from './integ/etcd-members';
import { ensureEtcdctlBinary, ensureEtcdutlBinary, EtcdToolBinary } from './integ/etcdctl-binary';
import { ensureKubectlBinary, KubectlBinary } from './integ/kubectl-binary';
import { Manifest } from './util';

const STEP_TIMEOUT_MS = 120_000;
const KEY_PREFIX = '/backup-restore/';
const BACKUP_MOUNT = '/var/lib/etcd-backups';
/** 127.0.0.60-62: no other test uses them (etcd-integration 21-25 and 31-35, failover 70-72, the bench 73-79). */
const FIRST_ADDRESS = 60;
const NAMESPACE = 'karmada-system';
const CLIENT_SERVICE_HOST = `karmada-etcd-client.${NAMESPACE}.svc.cluster.local`;

interface Container {
  readonly name: string;
  readonly image: string;
  readonly command: string[];
  readonly args?: string[];
  readonly volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

/** The pod spec of a synthesized CronJob. */
function cronJobPod(manifests: readonly Manifest[], name: string): { initContainers: Container[]; containers: Container[]; volumes: Manifest[] } {
  const cronJob = manifests.find(m => m.kind === 'CronJob' && m.metadata.name === name);
  if (!cronJob) throw new Error(`no CronJob ${name} synthesized`);
  return cronJob.spec.jobTemplate.spec.template.spec;
}

/** Replaces each container path prefix with its host directory, in every string. */
function remap(values: readonly string[], remaps: ReadonlyArray<[string, string]>): string[] {
  return values.map(value => remaps.reduce((v, [from, to]) => v.split(from).join(to), value));
}

let etcd: EtcdBinary;
let etcdctl: EtcdToolBinary;
let etcdutl: EtcdToolBinary;
/** Evaluates the jsonpath expressions of scripts/restore-etcd.sh for the fake kubectl. */
let kubectl: KubectlBinary;
let busybox: BusyboxBinary;
let busyboxPath: string;
let runDir: string;
let cluster: EtcdTestCluster;
let manifests: Manifest[];
let failedStep: string | undefined;
/** The hosts file etcdctl runs with: the members' names, and the client Service's name on member 1. */
let clientHostsFile: string;
/** Where the backup claim and the maintenance jobs' client certificates live in this run. */
let backupsDir: string;
let clientCertDirs: Map<string, string>;
/** Keys in the snapshot, and keys written after it (which the restore must not bring back). */
const inSnapshot = new Map<string, string>();
const afterSnapshot = new Map<string, string>();
let snapshotName: string;
let snapshotSha256: string;

beforeAll(() => {
  etcd = ensureEtcdBinary();
  etcdctl = ensureEtcdctlBinary();
  etcdutl = ensureEtcdutlBinary();
  kubectl = ensureKubectlBinary();
  busybox = ensureBusyboxBinary();
  runDir = createRunDirectory();
  busyboxPath = appletDirectory(busybox, path.join(runDir, 'busybox-applets'));
  const chart = Testing.chart();
  new HATopology(chart, 'karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes: 3 });
  manifests = Testing.synth(chart);
  cluster = EtcdTestCluster.prepare({
    name: 'backup-restore',
    members: synthesizedEtcdMembers(manifests),
    binary: etcd,
    runDir,
    firstAddress: FIRST_ADDRESS,
    manifests,
    clientSecretName: 'karmada-apiserver-etcd-client-cert',
  });
  // The claim, and each CronJob's client certificate written where its pod mounts it (the kubelet's layout).
  backupsDir = path.join(runDir, 'backups');
  fs.mkdirSync(backupsDir);
  clientCertDirs = new Map();
  for (const job of ['karmada-etcd-backup', 'karmada-etcd-defrag']) {
    const pod = cronJobPod(manifests, job);
    const secretName: string = pod.volumes.find(v => v.name === 'client-cert')!.secret.secretName;
    const issued = cluster.secrets.get(secretName);
    if (!issued) throw new Error(`${job} mounts Secret ${secretName}, which no synthesized Certificate writes`);
    const dir = path.join(runDir, `${job}-client-cert`);
    writeSecretVolume(dir, { 'tls.crt': issued.certFile, 'tls.key': issued.keyFile, 'ca.crt': issued.caFile });
    clientCertDirs.set(job, dir);
  }
  // kube-proxy forwards the client Service to a ready member: here, always member 1.
  const serviceMember = cluster.members[1];
  clientHostsFile = path.join(runDir, 'hosts-with-client-service');
  fs.writeFileSync(clientHostsFile, `${fs.readFileSync(cluster.hostsFile, 'utf8')}${serviceMember.address} ${CLIENT_SERVICE_HOST}\n`);
  console.log(`etcd ${etcd.version} (${etcd.source}), etcdctl ${etcdctl.version} (${etcdctl.source}; the CronJobs' image: `
    + `${cronJobPod(manifests, 'karmada-etcd-backup').initContainers[0].image}), etcdutl ${etcdutl.version} (${etcdutl.source}), `
    + `busybox ${busybox.version}, kubectl ${kubectl.version} (${kubectl.source}); host names: ${cluster.hostNameResolution}; ${CLIENT_SERVICE_HOST} -> ${serviceMember.name}; run ${runDir}`);
}, 3_600_000);

afterAll(async () => {
  await cluster?.stop();
  if (runDir && !failedStep && process.env.ETCD_TEST_KEEP_RUN !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  else if (runDir) console.log(`kept the run directory: ${runDir}`);
}, 30_000);

/** A test that runs only after every earlier one passed, with the members' log tails on failure. */
const step = (name: string, fn: () => Promise<void>) => test(name, async () => {
  if (failedStep) throw new Error(`not run: the step "${failedStep}" failed`);
  try {
    await cluster.withDiagnostics(name, fn);
  } catch (error) {
    failedStep = name;
    throw error;
  }
}, STEP_TIMEOUT_MS);

/**
 * Runs a container's etcdctl command line as the pod would reach the cluster: under a private mount namespace with
 * the hosts file above (or, without mount namespaces, with the host names rewritten to addresses).
 */
function runEtcdctl(container: Container, certDir: string): SpawnSyncReturns<string> {
  expect(container.command).toEqual(['etcdctl']);
  let args = remap(container.args ?? [], [['/etc/etcd/pki/client', certDir], [BACKUP_MOUNT, backupsDir]]);
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  if (cluster.hostNameResolution === 'mount-namespace-hosts-file') {
    return spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" /etc/hosts && shift && exec "$@"',
      'etcdctl', clientHostsFile, etcdctl.path, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  }
  for (const member of cluster.members) {
    for (const host of member.hostNames) args = args.map(a => a.split(`//${host}:`).join(`//${member.address}:`));
  }
  args = args.map(a => a.split(`//${CLIENT_SERVICE_HOST}:`).join(`//${cluster.members[1].address}:`));
  return spawnSync(etcdctl.path, args, { encoding: 'utf8', env, timeout: 60_000 });
}

/** Runs a shell container's `sh -c` script with busybox, only its applets on PATH. */
function runBusybox(container: Container, remaps: ReadonlyArray<[string, string]>): SpawnSyncReturns<string> {
  expect(container.command.slice(0, 2)).toEqual(['sh', '-c']);
  const [script] = remap([container.command[2]], remaps);
  return spawnSync(busybox.path, ['sh', '-c', script], { encoding: 'utf8', env: { PATH: busyboxPath }, timeout: 30_000 });
}

function expectSuccess(what: string, run: SpawnSyncReturns<string>): void {
  expect({ what, status: run.status, error: run.error?.message, stderr: run.status === 0 ? '' : run.stderr })
    .toEqual({ what, status: 0, error: undefined, stderr: '' });
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function writeKeys(into: Map<string, string>, count: number, phase: string): Promise<void> {
  const names = cluster.members.map(m => m.name);
  for (let i = 0; i < count; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
      const key = `${KEY_PREFIX}${phase}/${String(i + j).padStart(4, '0')}`;
      const value = `${phase}-${i + j}-${Math.random().toString(36).slice(2)}`;
      await cluster.client(names[(i + j) % names.length]).put(key, value, { timeoutMs: 5_000 });
      into.set(key, value);
    }));
  }
}

step('GIVEN the synthesized 3-member stacked cluster running WHEN 300 keys are written THEN all are acknowledged', async () => {
  await cluster.start();
  await cluster.waitForLeader({ timeoutMs: 30_000 });
  await writeKeys(inSnapshot, 300, 'before-backup');
  expect(inSnapshot.size).toBe(300);
});

step('WHEN the backup CronJob\'s snapshot init container runs (etcdctl against the client Service) THEN the snapshot lands under the temporary name', async () => {
  const pod = cronJobPod(manifests, 'karmada-etcd-backup');
  expect(pod.initContainers.map(c => c.name)).toEqual(['snapshot', 'verify']);
  const run = runEtcdctl(pod.initContainers[0], clientCertDirs.get('karmada-etcd-backup')!);
  expectSuccess('etcdctl snapshot save', run);
  expect(run.stdout).toContain(`Snapshot saved at ${backupsDir}/.etcd-snapshot.partial.db`);
  expect(fs.statSync(path.join(backupsDir, '.etcd-snapshot.partial.db')).size).toBeGreaterThan(20_000);
  expect(fs.readdirSync(backupsDir)).toEqual(['.etcd-snapshot.partial.db']);
});

step('WHEN the verify init container runs (etcdutl snapshot status) THEN it reads the snapshot, and it fails on a truncated copy', async () => {
  const verify = cronJobPod(manifests, 'karmada-etcd-backup').initContainers[1];
  expect(verify.command).toEqual(['etcdutl']);
  expect(verify.volumeMounts).toEqual([{ name: 'backups', mountPath: BACKUP_MOUNT, readOnly: true }]);
  const run = spawnSync(etcdutl.path, remap(verify.args!, [[BACKUP_MOUNT, backupsDir]]), { encoding: 'utf8', env: { PATH: '' }, timeout: 30_000 });
  expectSuccess('etcdutl snapshot status', run);
  expect(run.stdout).toMatch(/TOTAL KEYS/);
  console.log(`etcdutl snapshot status of the backup:\n${run.stdout}`);
  // The same command on a damaged snapshot fails: the check has teeth.
  const damaged = path.join(runDir, 'damaged');
  fs.mkdirSync(damaged);
  const partial = fs.readFileSync(path.join(backupsDir, '.etcd-snapshot.partial.db'));
  fs.writeFileSync(path.join(damaged, '.etcd-snapshot.partial.db'), partial.subarray(0, Math.floor(partial.length / 3)));
  const refused = spawnSync(etcdutl.path, remap(verify.args!, [[BACKUP_MOUNT, damaged]]), { encoding: 'utf8', env: { PATH: '' }, timeout: 30_000 });
  expect(refused.status).not.toBe(0);
});

step('WHEN the rotate container runs (busybox) with 30 older snapshots and a foreign file on the volume THEN the new snapshot gets its UTC name and only the newest 24 are kept', async () => {
  const rotate = cronJobPod(manifests, 'karmada-etcd-backup').containers[0];
  expect(rotate.name).toBe('rotate');
  const old = Array.from({ length: 30 }, (_, i) => `etcd-snapshot-202501${String(1 + Math.floor(i / 24)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}1700Z.db`);
  for (const name of old) fs.writeFileSync(path.join(backupsDir, name), `old ${name}`);
  fs.writeFileSync(path.join(backupsDir, 'copied-by-hand.db'), 'not ours');
  const partialSha = sha256(path.join(backupsDir, '.etcd-snapshot.partial.db'));
  const before = new Date();
  const run = runBusybox(rotate, [[BACKUP_MOUNT, backupsDir]]);
  expectSuccess('rotation', run);
  console.log(run.stdout.split('\n').slice(0, 10).join('\n'));

  const kept = fs.readdirSync(backupsDir).filter(f => /^etcd-snapshot-\d{8}T\d{6}Z\.db$/.test(f)).sort();
  expect(kept).toHaveLength(24);
  snapshotName = kept[kept.length - 1];
  // THEN the new one is named by the UTC time it was renamed at, holds the checked bytes, and the 23 newest old ones stay
  const stamp = /^etcd-snapshot-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.db$/.exec(snapshotName)!;
  const named = Date.UTC(+stamp[1], +stamp[2] - 1, +stamp[3], +stamp[4], +stamp[5], +stamp[6]);
  expect(named).toBeGreaterThanOrEqual(Math.floor(before.getTime() / 1000) * 1000);
  expect(named).toBeLessThanOrEqual(Date.now());
  snapshotSha256 = sha256(path.join(backupsDir, snapshotName));
  expect(snapshotSha256).toBe(partialSha);
  expect(kept.slice(0, 23)).toEqual(old.slice(7));
  expect(run.stdout.split('\n').filter(l => l.startsWith('removed '))).toEqual(old.slice(0, 7).reverse().map(n => `removed ${n}`));
  expect(fs.existsSync(path.join(backupsDir, 'copied-by-hand.db'))).toBe(true);
  expect(fs.existsSync(path.join(backupsDir, '.etcd-snapshot.partial.db'))).toBe(false);
  expect(run.stdout).toContain('kept 24 of at most 24 snapshots:');
});

step('WHEN more keys are written after the backup THEN they are acknowledged (and the restore must not bring them back)', async () => {
  await writeKeys(afterSnapshot, 50, 'after-backup');
  expect(afterSnapshot.size).toBe(50);
});

step('WHEN the defragmentation CronJob\'s containers run in order THEN each member is defragmented after a health check of all, and the health check fails while a member is down', async () => {
  const pod = cronJobPod(manifests, 'karmada-etcd-defrag');
  const certDir = clientCertDirs.get('karmada-etcd-defrag')!;
  expect(pod.initContainers.map(c => c.name)).toEqual(['health-0', 'defrag-0', 'health-1', 'defrag-1', 'health-2', 'defrag-2']);
  const outputs: string[] = [];
  for (const container of [...pod.initContainers, ...pod.containers]) {
    const run = runEtcdctl(container, certDir);
    expectSuccess(container.name, run);
    outputs.push(`${container.name}: ${run.stdout.trim()}`);
  }
  console.log(outputs.join('\n'));
  // etcdctl 3.6 ends the line with the time it took, e.g. `. took 20.624651ms`.
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  cluster.members.forEach((member, index) => expect(outputs[2 * index + 1]).toMatch(new RegExp(
    `^${escape(`defrag-${index}: Finished defragmenting etcd member[https://${member.name}.${NAMESPACE}.svc.cluster.local:2379]`)}\\. took [0-9.]+[a-zµ]+$`)));
  expect(outputs[outputs.length - 1]).toMatch(/ENDPOINT.*DB SIZE/);

  // A member down: the health check before the next member's defragmentation fails the Job.
  await cluster.kill(cluster.members[2].name, 'SIGKILL');
  const degraded = runEtcdctl(pod.initContainers[2], certDir);
  expect(degraded.status).not.toBe(0);
  expect(degraded.stderr).toContain(`https://${cluster.members[2].name}.${NAMESPACE}.svc.cluster.local:2379 is unhealthy`);
  await cluster.restart(cluster.members[2].name);
  await cluster.waitForLeader({ members: cluster.members.map(m => m.name), timeoutMs: 30_000 });
});

step('WHEN every member is restored by the restore Pods scripts/restore-etcd.sh prints (prepare, etcdutl snapshot restore, swap) THEN each data directory is replaced and the old one kept aside', async () => {
  // The restore Pods, as the script makes them from the synthesized StatefulSets (a fake kubectl answers from them).
  const state = path.join(runDir, 'fake-kubectl');
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(state, 'objects.json'), JSON.stringify(manifests));
  const script = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'restore-etcd.sh'), '-s', snapshotName, '--dry-run'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      PATH: `${path.join(REPO_ROOT, 'test', 'fixtures', 'fake-kubectl-restore')}:${process.env.PATH}`,
      FAKE_KUBECTL_STATE: state,
      FAKE_KUBECTL_REAL: kubectl.path,
    },
  });
  expectSuccess('restore-etcd.sh --dry-run', script);
  const pods = new Map(script.stdout.split(/^--- /m).slice(1).map(chunk => {
    const newline = chunk.indexOf('\n');
    return [chunk.slice(0, newline), JSON.parse(chunk.slice(newline + 1))] as [string, Manifest];
  }));
  expect([...pods.keys()]).toEqual(cluster.members.map(m => m.name));

  await cluster.stop();
  for (const member of cluster.members) {
    const pod = pods.get(member.name)!;
    const [prepare, restore] = pod.spec.initContainers as Container[];
    const [swap] = pod.spec.containers as Container[];
    const dataMount = restore.volumeMounts!.find(m => m.name === 'data')!.mountPath;
    expect(dataMount).toBe('/var/lib/etcd');
    expect(pod.spec.volumes).toEqual([
      { name: 'backups', persistentVolumeClaim: { claimName: 'karmada-etcd-backups', readOnly: true } },
      { name: 'data', persistentVolumeClaim: { claimName: `data-${member.name}-0` } },
    ]);
    // The member's volume in this run: its data directory's parent (the harness keeps --data-dir's path under root/).
    const volume = path.dirname(member.dataDir);
    expect(member.dataDir).toBe(path.join(volume, 'data'));
    const remaps: Array<[string, string]> = [[BACKUP_MOUNT, backupsDir], [dataMount, volume]];
    const dataBefore = fs.readdirSync(path.join(member.dataDir, 'member'));

    expectSuccess(`${member.name} prepare`, runBusybox(prepare, remaps));
    expect(restore.command).toEqual(['etcdutl']);
    const restored = spawnSync(etcdutl.path, remap(restore.args!, remaps), { encoding: 'utf8', env: { PATH: '' }, timeout: 60_000 });
    expectSuccess(`${member.name} etcdutl snapshot restore`, restored);
    const swapped = runBusybox(swap, remaps);
    expectSuccess(`${member.name} swap`, swapped);
    console.log(`${member.name}: etcdutl ${remap(restore.args!, remaps).join(' ')}\n${swapped.stdout.trim()}`);

    const entries = fs.readdirSync(volume).sort();
    expect(entries).toEqual(['data', expect.stringMatching(/^data\.before-restore-\d{8}T\d{6}Z$/)]);
    expect(fs.readdirSync(path.join(volume, entries[1], 'member')).sort()).toEqual(dataBefore.sort());
    expect(fs.existsSync(path.join(member.dataDir, 'member', 'snap', 'db'))).toBe(true);
  }
  // The snapshot itself is untouched (mounted read-only).
  expect(sha256(path.join(backupsDir, snapshotName))).toBe(snapshotSha256);
});

step('WHEN the members start again with the synthesized flags on the restored data THEN they form a quorum, every key of the snapshot is there with its value, later keys are gone, and writes succeed', async () => {
  await cluster.start();
  const names = cluster.members.map(m => m.name);
  await cluster.waitForLeader({ members: names, timeoutMs: 30_000 });
  for (const name of names) {
    const stored = await cluster.client(name).getPrefix(KEY_PREFIX, { timeoutMs: 10_000 });
    const wrong = [...inSnapshot].filter(([key, value]) => stored.get(key) !== value);
    const resurrected = [...afterSnapshot.keys()].filter(key => stored.has(key));
    expect({ name, stored: stored.size, wrong: wrong.length, resurrected: resurrected.length })
      .toEqual({ name, stored: inSnapshot.size, wrong: 0, resurrected: 0 });
  }
  const revisions: string[] = [];
  for (const name of names) {
    revisions.push(await cluster.client(name).put(`${KEY_PREFIX}after-restore/${name}`, 'written', { timeoutMs: 5_000 }));
  }
  // --bump-revision: every revision after the restore is above any a client may have seen before it.
  for (const revision of revisions) expect(Number(revision)).toBeGreaterThan(1_000_000_000);
  console.log(`restored ${snapshotName}: ${inSnapshot.size} keys equal on each of ${names.join(', ')}, ${afterSnapshot.size} later keys absent; revisions after the restore: ${revisions.join(', ')}`);
});
