import * as fs from 'fs';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { EtcdTopology, HATopology, HATopologyProps, KarmadaControlPlaneNode, LeaderElection } from '../src';
import { Manifest, container, flag, podLabels, synthTopology, workloads } from './util';
import { checkLeaderElection, resolveLeaderElection } from '../src/leader-election';

/** The components that elect a leader (their binaries have --leader-elect). */
const ELECTING = ['karmada-controller-manager', 'karmada-scheduler', 'karmada-descheduler', 'kube-controller-manager'];
const TIMING_FLAGS = ['leader-elect-lease-duration', 'leader-elect-renew-deadline', 'leader-elect-retry-period'];

function flagList(component: string): Set<string> {
  return new Set(fs.readFileSync(path.join(__dirname, 'fixtures', 'flags', `${component}.txt`), 'utf8').split('\n').filter(Boolean));
}

/** Each control-plane Deployment's component (its `app.kubernetes.io/name`) and its workload. */
function controlPlaneDeployments(objects: Manifest[]): Array<[string, Manifest]> {
  return workloads(objects).filter(w => w.kind === 'Deployment' && podLabels(w)['karmada.io/control-plane-node'])
    .map(w => [podLabels(w)['app.kubernetes.io/name'], w]);
}

const timingOf = (workload: Manifest) => Object.fromEntries(TIMING_FLAGS.map(name => [name, flag(workload, name)]));

describe('leader election flags', () => {
  test('GIVEN no settings THEN every electing component of every node gets the Kubernetes defaults, and no other component any', () => {
    // GIVEN a stacked topology with the descheduler WHEN synthesized
    const { objects } = synthTopology({ components: { descheduler: true } });
    const deployments = controlPlaneDeployments(objects);
    // THEN 3 nodes × 4 electing components, each with explicit 15s / 10s / 2s
    const electing = deployments.filter(([component]) => ELECTING.includes(component));
    expect(electing).toHaveLength(3 * ELECTING.length);
    for (const [component, workload] of electing) {
      expect({ component, elect: flag(workload, 'leader-elect'), ...timingOf(workload) }).toEqual({
        component,
        'elect': 'true',
        'leader-elect-lease-duration': '15s',
        'leader-elect-renew-deadline': '10s',
        'leader-elect-retry-period': '2s',
      });
    }
    // ... and the components that do not elect carry no leader-election flag at all
    for (const [component, workload] of deployments.filter(([c]) => !ELECTING.includes(c))) {
      expect({ component, flags: (container(workload).args as string[]).filter(a => a.startsWith('--leader-elect')) }).toEqual({ component, flags: [] });
    }
  });

  test('GIVEN custom settings THEN each electing component gets them as Go durations, in its own flag set', () => {
    // GIVEN a 30 s lease, a 20 s renew deadline and a 1.5 s retry period
    const { objects } = synthTopology({
      components: { descheduler: true },
      leaderElection: { leaseDuration: Duration.seconds(30), renewDeadline: Duration.seconds(20), retryPeriod: Duration.millis(1500) },
    });
    for (const [component, workload] of controlPlaneDeployments(objects).filter(([c]) => ELECTING.includes(c))) {
      // THEN the flags carry them
      expect({ component, ...timingOf(workload) }).toEqual({
        component,
        'leader-elect-lease-duration': '30s',
        'leader-elect-renew-deadline': '20s',
        'leader-elect-retry-period': '1500ms',
      });
      // ... and every leader-election flag is one the component's binary accepts
      const accepted = flagList(component);
      const names = (container(workload).args as string[]).filter(a => a.startsWith('--leader-elect')).map(a => a.slice(2).split('=')[0]);
      expect({ component, unknown: names.filter(n => !accepted.has(n)) }).toEqual({ component, unknown: [] });
    }
  });

  test('GIVEN the Karmada components THEN they elect in karmada-system; kube-controller-manager keeps its own kube-system Lease', () => {
    const { objects } = synthTopology({ components: { descheduler: true } });
    for (const [component, workload] of controlPlaneDeployments(objects).filter(([c]) => ELECTING.includes(c))) {
      expect({ component, namespace: flag(workload, 'leader-elect-resource-namespace') })
        .toEqual({ component, namespace: component === 'kube-controller-manager' ? undefined : 'karmada-system' });
    }
  });

  test('GIVEN an external topology THEN its nodes get the settings too', () => {
    const { objects } = synthTopology({ etcd: EtcdTopology.external({ members: 3 }), leaderElection: { leaseDuration: Duration.seconds(20) } });
    const leases = controlPlaneDeployments(objects).filter(([c]) => ELECTING.includes(c)).map(([, w]) => flag(w, 'leader-elect-lease-duration'));
    expect(leases).toEqual(Array(3 * 3).fill('20s'));
  });
});

describe('LeaderElection.failoverSeconds', () => {
  test('GIVEN the defaults THEN the worst case is 15 s + 2 × 2.2 × 2 s = 23.8 s', () => {
    expect(LeaderElection.failoverSeconds()).toBe(23.8);
    expect(LeaderElection.failoverSeconds({})).toBe(23.8);
  });

  test('GIVEN custom settings THEN lease + 4.4 × retry', () => {
    const slow = { leaseDuration: Duration.seconds(30), renewDeadline: Duration.seconds(20), retryPeriod: Duration.millis(1500) };
    expect(LeaderElection.failoverSeconds(slow)).toBe(36.6);
    const fast = { leaseDuration: Duration.seconds(8), renewDeadline: Duration.seconds(6), retryPeriod: Duration.seconds(1) };
    expect(LeaderElection.failoverSeconds(fast)).toBe(12.4);
  });

  test('GIVEN settings the components refuse THEN it throws the validation message', () => {
    expect(() => LeaderElection.failoverSeconds({ leaseDuration: Duration.seconds(10) }))
      .toThrow('leaderElection.leaseDuration (10s) must be greater than leaderElection.renewDeadline (10s) or the components refuse to start: lengthen the lease or shorten the renew deadline');
  });
});

/** Each rule, the settings that break it, and the exact message. */
const ERRORS: Array<[string, HATopologyProps['leaderElection'], string]> = [
  ['a lease not longer than the renew deadline', { leaseDuration: Duration.seconds(10), renewDeadline: Duration.seconds(10) },
    'leaderElection.leaseDuration (10s) must be greater than leaderElection.renewDeadline (10s) or the components refuse to start: lengthen the lease or shorten the renew deadline'],
  ['a renew deadline of exactly 1.2 retry periods', { renewDeadline: Duration.millis(2400), retryPeriod: Duration.seconds(2) },
    'leaderElection.renewDeadline (2400ms) must be greater than 1.2 times leaderElection.retryPeriod (2s) or the components refuse to start: set the renew deadline above 2400ms or shorten the retry period'],
  ['a retry period as long as the renew deadline', { renewDeadline: Duration.seconds(5), retryPeriod: Duration.seconds(5) },
    'leaderElection.renewDeadline (5s) must be greater than 1.2 times leaderElection.retryPeriod (5s) or the components refuse to start: set the renew deadline above 6s or shorten the retry period'],
  ['a lease of a fraction of seconds', { leaseDuration: Duration.millis(15500) },
    'leaderElection.leaseDuration must be a whole number of seconds of at least 1s, got 15500ms: the Lease records whole seconds and standbys wait what it records; use e.g. Duration.seconds(15)'],
  ['a zero lease', { leaseDuration: Duration.seconds(0) },
    'leaderElection.leaseDuration must be a whole number of seconds of at least 1s, got 0ms: the Lease records whole seconds and standbys wait what it records; use e.g. Duration.seconds(15)'],
  ['a zero renew deadline', { renewDeadline: Duration.millis(0) },
    'leaderElection.renewDeadline must be a whole number of milliseconds of at least 1ms, got 0ms: use e.g. Duration.seconds(10)'],
  ['a fractional retry period', { retryPeriod: Duration.millis(1.5) },
    'leaderElection.retryPeriod must be a whole number of milliseconds of at least 1ms, got 1.5ms: use e.g. Duration.seconds(2)'],
];

describe('leader election validation', () => {
  test.each(ERRORS)('HATopology fails on %s', (_case, leaderElection, message) => {
    // GIVEN settings the components would refuse WHEN the topology is built THEN it fails with the exact message
    const chart = Testing.chart();
    let error: Error | undefined;
    try {
      new HATopology(chart, 'karmada', { leaderElection });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message.split('\n- ').slice(1)).toEqual([message]);
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('GIVEN a standalone node with refused settings THEN it throws the same message', () => {
    expect(() => new KarmadaControlPlaneNode(Testing.chart(), 'cp', {
      nodeName: 'cp-0', etcdServers: ['https://e0.example:2379'], leaderElection: { retryPeriod: Duration.seconds(9) },
    })).toThrow('leaderElection.renewDeadline (10s) must be greater than 1.2 times leaderElection.retryPeriod (9s) or the components refuse to start: set the renew deadline above 10800ms or shorten the retry period');
  });

  test('GIVEN the tightest legal settings THEN there is no error (client-go\'s strict inequalities)', () => {
    // 2 s lease > 1201 ms renew deadline > 1.2 × 1000 ms retry
    expect(checkLeaderElection(resolveLeaderElection({
      leaseDuration: Duration.seconds(2), renewDeadline: Duration.millis(1201), retryPeriod: Duration.seconds(1),
    }))).toEqual([]);
    expect(checkLeaderElection(resolveLeaderElection())).toEqual([]);
  });
});
