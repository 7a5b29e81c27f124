import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EtcdTopology } from '../src';
import { makeHosts, podOf, ScheduledPod, scheduleInOrder, whyUnschedulable } from './scheduler-model';
import { Manifest, ofKind, synthTopology, workloads } from './util';

/**
 * MODEL, kept as a fast unit test: placement against test/scheduler-model.ts, a model of kube-scheduler's required
 * affinity rules written here. The real kube-scheduler proves the same claims for the same topologies on a real host
 * cluster in test/real-cluster-placement.test.ts (exact hosts, one fewer, twice) and the rolling updates in
 * test/real-cluster-operations.test.ts; this file adds what a real run cannot cheaply cover: 50 random pod orders
 * and host choices per topology, and the deadlock a naive self anti-affinity would cause.
 */

/** Every pod of a synthesized topology, one per workload (all are single-replica). */
const allPods = (objects: Manifest[]) => workloads(objects).map(workload => podOf(workload));

describe('the scheduler model (a model, not kube-scheduler)', () => {
  test('reads NotIn, Exists and matchLabels as kube-scheduler does', () => {
    const pods = allPods(synthTopology().objects);
    // GIVEN 3 hosts WHEN cp-1's apiserver asks for the host that holds cp-0's pods THEN it is refused
    const hosts = makeHosts(3);
    const { placed } = scheduleInOrder(pods.filter(p => p.labels['karmada.io/control-plane-node'] === 'karmada-cp-0'), hosts);
    expect(new Set(placed.map(p => p.host))).toEqual(new Set(['host-0']));
    const cp1ApiServer = pods.find(p => p.name === 'karmada-cp-1-apiserver')!;
    expect(whyUnschedulable(cp1ApiServer, 'host-0', placed, hosts)).toMatch(/anti-affinity/);
    expect(whyUnschedulable(cp1ApiServer, 'host-1', placed, hosts)).toBeUndefined();
  });

  test('a synthetic term with no self-match and no matching pod is unschedulable', () => {
    const hosts = makeHosts(1);
    const lonely = { name: 'x', namespace: 'ns', labels: { a: 'b' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { a: 'c' } }, topologyKey: 'kubernetes.io/hostname' }] } } };
    expect(whyUnschedulable(lonely, 'host-0', [], hosts)).toMatch(/no matching pod/);
  });
});

describe.each([
  ['stacked 3', { etcd: EtcdTopology.stacked() }, 3],
  ['stacked 5', { controlPlaneNodes: 5 }, 5],
  ['external 3+3', { etcd: EtcdTopology.external() }, 6],
  ['external 3+5', { etcd: EtcdTopology.external({ members: 5 }) }, 8],
])('%s', (_scenario, props, hostsNeeded) => {
  const { objects } = synthTopology(props);
  const pods = allPods(objects);

  test(`fits on ${hostsNeeded} hosts, one failure domain per node or member`, () => {
    // GIVEN exactly as many hosts as the topology needs WHEN its pods are scheduled in manifest order
    const result = scheduleInOrder(pods, makeHosts(hostsNeeded));
    // THEN every pod finds a host ...
    expect(result.unschedulable).toBeUndefined();
    // ... each control-plane node (and its stacked member) is on a host of its own ...
    const hostOfNode = new Map<string, Set<string>>();
    for (const pod of result.placed) {
      const node = pod.labels['karmada.io/control-plane-node'];
      if (node) hostOfNode.set(node, (hostOfNode.get(node) ?? new Set()).add(pod.host));
    }
    for (const hosts of hostOfNode.values()) expect(hosts.size).toBe(1);
    const nodeHosts = [...hostOfNode.values()].map(hosts => [...hosts][0]);
    expect(new Set(nodeHosts).size).toBe(nodeHosts.length);
    // ... and no two etcd members share a host; external members share none with the control plane.
    const memberHosts = result.placed.filter(p => p.labels['app.kubernetes.io/name'] === 'etcd').map(p => p.host);
    expect(new Set(memberHosts).size).toBe(memberHosts.length);
    if (pods.some(p => p.labels['app.kubernetes.io/name'] === 'etcd' && !p.labels['karmada.io/control-plane-node'])) {
      expect(memberHosts.filter(host => nodeHosts.includes(host))).toEqual([]);
    }
  });

  test(`fits on ${hostsNeeded} hosts whatever order the scheduler takes the pods in and whichever feasible host it picks`, () => {
    // GIVEN 50 pseudo-random orders and host choices (seeded, so a failure is reproducible) WHEN scheduled
    // THEN every pod fits: no early choice can strand a later pod
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 50; round++) {
      const shuffled = [...pods];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      const result = scheduleInOrder(shuffled, makeHosts(hostsNeeded), feasible => feasible[Math.floor(random() * feasible.length)]);
      expect({ round, unschedulable: result.unschedulable }).toEqual({ round, unschedulable: undefined });
    }
  });

  test(`does not fit on ${hostsNeeded - 1} hosts`, () => {
    expect(scheduleInOrder(pods, makeHosts(hostsNeeded - 1)).unschedulable).toBeDefined();
  });

  test('a rolling update\'s surge pod fits beside its predecessor for every Deployment', () => {
    const hosts = makeHosts(hostsNeeded);
    const { placed } = scheduleInOrder(pods, hosts);
    for (const deployment of ofKind(objects, 'Deployment')) {
      // GIVEN the running control plane WHEN a Deployment surges one new pod (maxSurge 1, maxUnavailable 0)
      expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
      const predecessor = placed.find(p => p.name === deployment.metadata.name)!;
      const surge = podOf(deployment, `${deployment.metadata.name}-surge`);
      // THEN it fits on the host of its predecessor, and only there
      expect(whyUnschedulable(surge, predecessor.host, placed, hosts)).toBeUndefined();
      for (const host of hosts.filter(h => h.name !== predecessor.host)) {
        expect(whyUnschedulable(surge, host.name, placed, hosts)).toBeDefined();
      }
    }
  });
});

test('a zone failure domain needs one zone per node: 3 zones fit, 2 do not', () => {
  const { objects } = synthTopology({ failureDomain: kplus.Topology.ZONE });
  const pods = allPods(objects);
  expect(scheduleInOrder(pods, makeHosts(6, ['a', 'b', 'c'])).unschedulable).toBeUndefined();
  expect(scheduleInOrder(pods, makeHosts(6, ['a', 'b'])).unschedulable).toBeDefined();
});

test('a naive self anti-affinity would deadlock the rolling update: the model catches it', () => {
  // GIVEN the cdk8s-plus shortcut `spread()` (anti-affinity against the workload's own pods) on a node's apiserver
  const chart = Testing.chart();
  const apiServer = new kplus.Deployment(chart, 'apiserver', { replicas: 1, containers: [{ image: 'x' }] });
  apiServer.scheduling.spread();
  apiServer.scheduling.colocate(apiServer);
  const [manifest] = Testing.synth(chart).filter(o => o.kind === 'Deployment');
  const hosts = makeHosts(3);
  const running: ScheduledPod = { ...podOf(manifest), host: 'host-0' };
  // THEN its surge pod fits nowhere: it must share the host and must not
  expect(hosts.every(h => whyUnschedulable(podOf(manifest, 'surge'), h.name, [running], hosts) !== undefined)).toBe(true);
});
