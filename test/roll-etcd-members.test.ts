import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * MODEL of the cluster (test/fixtures/fake-kubectl), kept as a fast unit test for the refusals and the failure path:
 * the script's roll of real StatefulSets on the real host cluster is in test/real-cluster-operations.test.ts.
 */
const SCRIPT = path.join(__dirname, '..', 'scripts', 'roll-etcd-members.sh');
const FAKE_KUBECTL = path.join(__dirname, 'fixtures', 'fake-kubectl');
const MEMBERS = ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'];

/** GIVEN members with their StatefulSet revision, pod revision and readiness WHEN the script runs: its calls and output. */
function roll(members: Array<{ name: string; wanted: string; running: string; ready?: boolean; readyAfterRestart?: boolean }>) {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kubectl-'));
  fs.writeFileSync(path.join(state, 'members'), members.map(m => m.name).join('\n') + '\n');
  fs.writeFileSync(path.join(state, 'calls'), '');
  for (const member of members) {
    fs.writeFileSync(path.join(state, `${member.name}.revision`), member.wanted);
    fs.writeFileSync(path.join(state, `${member.name}-0.revision`), member.running);
    fs.writeFileSync(path.join(state, `${member.name}-0.ready`), member.ready === false ? 'false' : 'true');
    if (member.readyAfterRestart === false) fs.writeFileSync(path.join(state, `${member.name}-0.ready-after-restart`), 'false');
  }
  const result = spawnSync('bash', [SCRIPT, '-n', 'karmada-system', '-i', 'karmada'], {
    env: { ...process.env, PATH: `${FAKE_KUBECTL}:${process.env.PATH}`, FAKE_KUBECTL_STATE: state },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const calls = fs.readFileSync(path.join(state, 'calls'), 'utf8').trim().split('\n').map(call => call.replace('--namespace karmada-system ', ''));
  fs.rmSync(state, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

test('restarts only outdated members, one at a time, each after the previous one is Ready again', () => {
  const { status, stdout, calls } = roll([
    { name: MEMBERS[0], wanted: 'v2', running: 'v1' },
    { name: MEMBERS[1], wanted: 'v2', running: 'v2' },
    { name: MEMBERS[2], wanted: 'v2', running: 'v1' },
  ]);
  expect(status).toBe(0);
  expect(stdout).toContain('karmada-etcd-1: up to date (v2)');
  // THEN deletes and readiness waits alternate: never two members down at once
  const disruptive = calls.filter(call => call.startsWith('delete') || call.startsWith('wait --for=condition=Ready pod/karmada-etcd-') && call.endsWith('300s'));
  expect(disruptive).toEqual([
    'delete pod karmada-etcd-0-0 --wait=false',
    'wait --for=condition=Ready pod/karmada-etcd-0-0 --timeout=300s',
    'delete pod karmada-etcd-2-0 --wait=false',
    'wait --for=condition=Ready pod/karmada-etcd-2-0 --timeout=300s',
  ]);
});

test('fails before restarting anything while a member is not Ready', () => {
  const { status, stderr, calls } = roll([
    { name: MEMBERS[0], wanted: 'v2', running: 'v1' },
    { name: MEMBERS[1], wanted: 'v2', running: 'v1', ready: false },
    { name: MEMBERS[2], wanted: 'v2', running: 'v1' },
  ]);
  expect(status).toBe(1);
  expect(stderr).toContain('member karmada-etcd-1 is not Ready: bring every member back before rolling, or the cluster may lose quorum');
  expect(calls.filter(call => call.startsWith('delete'))).toEqual([]);
});

test('stops at the first member that does not come back Ready', () => {
  const { status, stderr, calls } = roll([
    { name: MEMBERS[0], wanted: 'v2', running: 'v1', readyAfterRestart: false },
    { name: MEMBERS[1], wanted: 'v2', running: 'v1' },
    { name: MEMBERS[2], wanted: 'v2', running: 'v1' },
  ]);
  expect(status).toBe(1);
  expect(stderr).toContain('member karmada-etcd-0 is not Ready after its restart: stopping here');
  expect(calls.filter(call => call.startsWith('delete'))).toEqual(['delete pod karmada-etcd-0-0 --wait=false']);
});
