/**
 * MODEL of the cluster (a fake kubectl), kept as a fast unit test for the failure paths: the script's run against the
 * real host cluster (real kubectl, apiserver, StatefulSet and deployment controllers) is in
 * test/real-cluster-operations.test.ts.
 *
 * scripts/restore-etcd.sh against a fake kubectl (test/fixtures/fake-kubectl-restore) that answers from the
 * synthesized objects, evaluating the script's jsonpath expressions with a real kubectl: what it reads, what it stops
 * and in which order, the restore Pods it applies, and what it refuses. The restore Pods' command lines are run for real
 * against real etcd in test/etcd-backup-restore.test.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EtcdTopology, HATopologyProps } from '../src';
import { ensureKubectlBinary } from './integ/kubectl-binary';
import { Manifest, synthTopology } from './util';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'restore-etcd.sh');
const FAKE_KUBECTL = path.join(__dirname, 'fixtures', 'fake-kubectl-restore');
const SNAPSHOT = 'etcd-snapshot-20260101T001700Z.db';
const MEMBERS = ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'];
const TIMEOUT_MS = 120_000;

let kubectl: string;
beforeAll(() => {
  // The kubectl built from the Kubernetes Go modules (scripts/build-components.sh kubernetes; `KUBECTL_BIN` overrides it).
  const binary = ensureKubectlBinary();
  kubectl = binary.path;
  console.log(`kubectl ${binary.version} from ${binary.path} (${binary.source}) evaluates the script's jsonpath expressions`);
}, 3_600_000);

/** GIVEN the objects of a topology in the cluster WHEN the script runs with `args`: its exit, output, calls and applied Pods. */
function restore(args: string[], props: HATopologyProps = {}, phases: Record<string, string> = {},
  edit: (objects: Manifest[]) => Manifest[] = objects => objects) {
  const { objects } = synthTopology(props);
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kubectl-restore-'));
  fs.writeFileSync(path.join(state, 'objects.json'), JSON.stringify(edit(objects)));
  for (const [pod, phase] of Object.entries(phases)) fs.writeFileSync(path.join(state, `${pod}.phase`), phase);
  const result = spawnSync('bash', [SCRIPT, ...args], {
    env: { ...process.env, PATH: `${FAKE_KUBECTL}:${process.env.PATH}`, FAKE_KUBECTL_STATE: state, FAKE_KUBECTL_REAL: kubectl },
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
  });
  const callsFile = path.join(state, 'calls');
  const calls = fs.existsSync(callsFile)
    ? fs.readFileSync(callsFile, 'utf8').trim().split('\n').map(call => call.replace('--namespace karmada-system ', '')) : [];
  const applied = fs.readdirSync(state).filter(f => f.startsWith('applied-')).sort().map(f => JSON.parse(fs.readFileSync(path.join(state, f), 'utf8')) as Manifest);
  fs.rmSync(state, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, applied, objects };
}

/** The restore Pods a --dry-run prints, by member. */
function printedPods(stdout: string): Map<string, Manifest> {
  return new Map(stdout.split(/^--- /m).slice(1).map(chunk => {
    const newline = chunk.indexOf('\n');
    return [chunk.slice(0, newline), JSON.parse(chunk.slice(newline + 1))] as [string, Manifest];
  }));
}

test('--dry-run prints one restore Pod per member, built from its StatefulSet, and changes nothing', () => {
  const { status, stdout, calls } = restore(['-s', SNAPSHOT, '--dry-run']);
  expect(status).toBe(0);
  // THEN only reads happen
  expect(calls.filter(call => !call.startsWith('get '))).toEqual([]);
  const pods = printedPods(stdout);
  expect([...pods.keys()]).toEqual(MEMBERS);
  const pod = pods.get('karmada-etcd-1')!;
  expect(pod.metadata).toEqual({
    name: 'karmada-etcd-1-restore',
    namespace: 'karmada-system',
    labels: {
      'app.kubernetes.io/instance': 'karmada',
      'app.kubernetes.io/name': 'etcd-restore',
      'app.kubernetes.io/component': 'etcd',
      'app.kubernetes.io/part-of': 'karmada',
      'app.kubernetes.io/managed-by': 'cdk8s-karmada',
    },
  });
  const [prepare, etcdutl] = pod.spec.initContainers;
  expect(prepare).toMatchObject({ name: 'prepare', image: 'docker.io/library/busybox:1.37.0' });
  expect(etcdutl).toMatchObject({ name: 'restore', image: 'registry.k8s.io/etcd:3.6.6-0', command: ['etcdutl'] });
  const peer = (m: string) => `https://${m}.karmada-system.svc.cluster.local:2380`;
  expect(etcdutl.args).toEqual([
    'snapshot', 'restore', `/var/lib/etcd-backups/${SNAPSHOT}`,
    '--name=karmada-etcd-1',
    `--initial-cluster=${MEMBERS.map(m => `${m}=${peer(m)}`).join(',')}`,
    '--initial-cluster-token=karmada-etcd',
    `--initial-advertise-peer-urls=${peer('karmada-etcd-1')}`,
    '--data-dir=/var/lib/etcd/data.restoring',
    '--bump-revision=1000000000',
    '--mark-compacted',
  ]);
  expect(pod.spec.containers.map((c: Manifest) => c.name)).toEqual(['swap']);
  expect(pod.spec.volumes).toEqual([
    { name: 'backups', persistentVolumeClaim: { claimName: 'karmada-etcd-backups', readOnly: true } },
    { name: 'data', persistentVolumeClaim: { claimName: 'data-karmada-etcd-1-0' } },
  ]);
  // THEN the restore Pods meet the restricted profile like every pod of the library
  expect(pod.spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
  for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources.limits).toBeDefined();
    expect(c.volumeMounts[0]).toEqual({ mountPath: '/var/lib/etcd-backups', name: 'backups', readOnly: true });
  }
  // THEN the flags come from each member's StatefulSet, as synthesized
  const { objects } = restore(['-s', SNAPSHOT, '--dry-run']);
  const synthesizedArgs: string[] = objects.find(o => o.kind === 'StatefulSet' && o.metadata.name === 'karmada-etcd-1')!.spec.template.spec.containers[0].args;
  for (const name of ['--name=', '--initial-cluster=', '--initial-cluster-token=', '--initial-advertise-peer-urls=']) {
    expect(etcdutl.args).toContain(synthesizedArgs.find(a => a.startsWith(name)));
  }
}, TIMEOUT_MS);

test('a restore stops the CronJobs, the control plane and then the members; restores one member at a time; starts the members, then the control plane', () => {
  const { status, stderr, calls, applied } = restore(['-s', SNAPSHOT]);
  expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  const changes = calls.filter(call => !call.startsWith('get ') && !call.startsWith('logs '));
  const deployments = calls.filter(c => /^scale deployment \S+ --replicas=0$/.test(c)).map(c => c.split(' ')[2]);
  expect(deployments).toHaveLength(18);
  const note = (kind: string, name: string, annotation: string) => `annotate ${kind} ${name} karmada.io/${annotation}`;
  expect(changes).toEqual([
    // the original replicas and suspension are recorded before anything changes
    ...deployments.map(d => note('deployment', d, 'replicas-before-etcd-restore=1')),
    ...['karmada-etcd-backup', 'karmada-etcd-defrag'].flatMap(c => [
      note('cronjob', c, 'suspend-before-etcd-restore=false'),
      `patch cronjob ${c} --type=merge --patch {"spec":{"suspend":true}}`,
    ]),
    ...deployments.map(d => `scale deployment ${d} --replicas=0`),
    ...MEMBERS.map(m => `scale statefulset ${m} --replicas=0`),
    ...MEMBERS.map(m => `wait --for=delete pod/${m}-0 --timeout=600s`),
    ...MEMBERS.flatMap(m => [
      `delete pod ${m}-restore --ignore-not-found --wait=true`,
      'apply --filename -',
      `delete pod ${m}-restore --wait=true`,
    ]),
    ...MEMBERS.map(m => `scale statefulset ${m} --replicas=1`),
    ...MEMBERS.map(m => `wait --for=condition=Ready pod/${m}-0 --timeout=600s`),
    ...deployments.flatMap(d => [`scale deployment ${d} --replicas=1`, note('deployment', d, 'replicas-before-etcd-restore-')]),
    ...['karmada-etcd-backup', 'karmada-etcd-defrag'].flatMap(c => [
      `patch cronjob ${c} --type=merge --patch {"spec":{"suspend":false}}`,
      note('cronjob', c, 'suspend-before-etcd-restore-'),
    ]),
  ]);
  // THEN the control plane's pods are gone before any member stops, and each restore Pod succeeded before the next
  const firstMemberStop = calls.indexOf(`scale statefulset ${MEMBERS[0]} --replicas=0`);
  expect(calls.indexOf('get pods --selector app.kubernetes.io/instance=karmada,app.kubernetes.io/component=control-plane --output name')).toBeLessThan(firstMemberStop);
  for (const m of MEMBERS) {
    expect(calls.indexOf(`get pod ${m}-restore --output jsonpath={.status.phase}`)).toBeLessThan(calls.indexOf(`delete pod ${m}-restore --wait=true`));
  }
  // THEN the applied Pods are those a dry run prints
  const printed = printedPods(restore(['-s', SNAPSHOT, '--dry-run']).stdout);
  expect(applied).toEqual(MEMBERS.map(m => printed.get(m)));
}, TIMEOUT_MS);

test('run again after a failure (Deployments at 0, CronJobs suspended, both annotated), it brings back what the annotations recorded', () => {
  const { status, calls } = restore(['-s', SNAPSHOT], {}, {}, objects => objects.map(o => {
    if (o.kind === 'Deployment' && o.metadata.name === 'karmada-cp-0-apiserver') {
      return { ...o, metadata: { ...o.metadata, annotations: { 'karmada.io/replicas-before-etcd-restore': '2' } }, spec: { ...o.spec, replicas: 0 } };
    }
    if (o.kind === 'CronJob' && o.metadata.name === 'karmada-etcd-defrag') {
      return { ...o, metadata: { ...o.metadata, annotations: { 'karmada.io/suspend-before-etcd-restore': 'true' } }, spec: { ...o.spec, suspend: true } };
    }
    return o;
  }));
  expect(status).toBe(0);
  // THEN the recorded values are neither overwritten nor lost
  expect(calls.filter(c => c.startsWith('annotate deployment karmada-cp-0-apiserver') || c.startsWith('annotate cronjob karmada-etcd-defrag'))).toEqual([
    'annotate deployment karmada-cp-0-apiserver karmada.io/replicas-before-etcd-restore-',
    'annotate cronjob karmada-etcd-defrag karmada.io/suspend-before-etcd-restore-',
  ]);
  expect(calls).toContain('scale deployment karmada-cp-0-apiserver --replicas=2');
  expect(calls).toContain('patch cronjob karmada-etcd-defrag --type=merge --patch {"spec":{"suspend":true}}');
  expect(calls).not.toContain('patch cronjob karmada-etcd-defrag --type=merge --patch {"spec":{"suspend":false}}');
  expect(calls).toContain('patch cronjob karmada-etcd-backup --type=merge --patch {"spec":{"suspend":false}}');
}, TIMEOUT_MS);

test('a failed restore Pod stops the script with the members and the control plane down', () => {
  const { status, stderr, calls } = restore(['-s', SNAPSHOT], {}, { 'karmada-etcd-1-restore': 'Failed' });
  expect(status).toBe(1);
  expect(stderr).toContain('the restore Pod of karmada-etcd-1 did not succeed (phase \'Failed\'): see kubectl --namespace karmada-system logs karmada-etcd-1-restore --all-containers; the members stay stopped');
  expect(calls.filter(c => c === 'apply --filename -')).toHaveLength(2);
  expect(calls.filter(c => /--replicas=[1-9]/.test(c))).toEqual([]);
}, TIMEOUT_MS);

test('another installation: its namespace, claim and members', () => {
  const { status, stdout } = restore(['-n', 'karmada-system', '-i', 'prod', '-c', 'my-backups', '-s', SNAPSHOT, '--dry-run'],
    { name: 'prod', etcd: EtcdTopology.external({ members: 5 }) });
  expect(status).toBe(0);
  const pods = printedPods(stdout);
  expect([...pods.keys()]).toEqual([0, 1, 2, 3, 4].map(i => `prod-etcd-${i}`));
  expect(pods.get('prod-etcd-4')!.spec.volumes[0].persistentVolumeClaim.claimName).toBe('my-backups');
  expect(pods.get('prod-etcd-4')!.spec.initContainers[1].args).toContain('--initial-cluster-token=prod-etcd');
}, TIMEOUT_MS);

test.each([
  [['--dry-run'], 'restore-etcd: name the snapshot with -s'],
  [['-s', '../etc/passwd', '--dry-run'], 'restore-etcd: -s takes a file name on the backup volume, not a path: ../etc/passwd'],
  [['-s', SNAPSHOT, '-i', 'other', '--dry-run'], 'restore-etcd: no CronJob other-etcd-backup to read the backup claim from: name it with -c'],
  [['-s', SNAPSHOT, '-i', 'other', '-c', 'backups', '--dry-run'], 'restore-etcd: no etcd member of installation \'other\' in namespace \'karmada-system\''],
])('refuses %j', (args, message) => {
  const { status, stderr, calls } = restore(args);
  expect(status).toBe(1);
  expect(stderr).toContain(message);
  expect(calls.filter(call => !call.startsWith('get '))).toEqual([]);
}, TIMEOUT_MS);
