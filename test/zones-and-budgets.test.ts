import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EtcdMember, EtcdTopology, HATopologyProps, KarmadaLabels } from '../src';
import { makeHosts, podOf, ScheduledPod, scheduleInOrder } from './scheduler-model';
import { Manifest, ofKind, podSpec, synthTopology } from './util';

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const ZONE = 'topology.kubernetes.io/zone';
const ENDPOINTS = EtcdTopology.externalEndpoints({
  endpoints: ['https://etcd-a.example:2379', 'https://etcd-b.example:2379', 'https://etcd-c.example:2379'],
  clientCertificateSecret: 'etcd-client',
});

/** The control-plane Deployments and etcd StatefulSets: one pod each. */
const controlPlanePods = (objects: Manifest[]) => [...ofKind(objects, 'StatefulSet'), ...ofKind(objects, 'Deployment')]
  .filter(workload => workload.spec.template.metadata.labels[KarmadaLabels.NAME] !== 'karmada-scheduler-estimator')
  .map(workload => podOf(workload));

/** A deterministic shuffle (Park-Miller), so a failing order can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  for (let index = result.length - 1; index > 0; index--) {
    state = (state * 48271) % 2147483647;
    const other = state % (index + 1);
    [result[index], result[other]] = [result[other], result[index]];
  }
  return result;
}

const zoneOf = (pod: ScheduledPod, hosts: ReturnType<typeof makeHosts>) => hosts.find(host => host.name === pod.host)!.labels[ZONE];

describe('PodDisruptionBudgets', () => {
  const budgets = (props: HATopologyProps) => Object.fromEntries(ofKind(synthTopology(props).objects, 'PodDisruptionBudget')
    .map(budget => [budget.metadata.name, budget.spec]));

  test('stacked 3: etcd keeps its quorum of 2, each component 2 of its 3 instances', () => {
    // GIVEN the default topology WHEN it is synthesized
    const specs = budgets({});
    // THEN one budget for etcd and one per component, nothing else
    expect(Object.keys(specs).sort()).toEqual([
      'karmada-aggregated-apiserver', 'karmada-apiserver', 'karmada-controller-manager', 'karmada-etcd',
      'karmada-kube-controller-manager', 'karmada-scheduler', 'karmada-webhook',
    ]);
    expect(specs['karmada-etcd']).toEqual({
      minAvailable: 2,
      selector: { matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'etcd' } },
      unhealthyPodEvictionPolicy: 'IfHealthyBudget',
    });
    expect(specs['karmada-apiserver']).toEqual({
      minAvailable: 2,
      selector: { matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'karmada-apiserver' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test.each([
    ['stacked 5', { controlPlaneNodes: 5 }, 3, 4],
    ['external 3 nodes + 5 members', { etcd: EtcdTopology.external({ members: 5 }) }, 3, 2],
    ['external 5 nodes + 3 members', { controlPlaneNodes: 5, etcd: EtcdTopology.external({ members: 3 }) }, 2, 4],
  ])('%s: etcd minAvailable = quorum, each component all instances but one', (_name, props, etcdMinimum, componentMinimum) => {
    const specs = budgets(props);
    expect(specs['karmada-etcd'].minAvailable).toBe(etcdMinimum);
    for (const component of ['karmada-apiserver', 'karmada-scheduler', 'karmada-controller-manager', 'karmada-kube-controller-manager']) {
      expect(specs[component].minAvailable).toBe(componentMinimum);
    }
  });

  test('each optional component and each scheduler estimator gets its own budget; etcd outside the cluster gets none', () => {
    const specs = budgets({
      etcd: ENDPOINTS,
      components: { descheduler: true, search: true, metricsAdapter: true, schedulerEstimatorClusters: ['member-1'] },
    });
    expect(specs['karmada-etcd']).toBeUndefined();
    expect(specs['karmada-search'].minAvailable).toBe(2);
    expect(specs['karmada-descheduler'].minAvailable).toBe(2);
    expect(specs['karmada-metrics-adapter'].minAvailable).toBe(2);
    // 2 replicas per estimator: one may go.
    expect(specs['karmada-scheduler-estimator-member-1']).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'karmada-scheduler-estimator', [KarmadaLabels.MEMBER_CLUSTER]: 'member-1' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('every budget selects exactly the pods it protects', () => {
    const { objects } = synthTopology({ etcd: EtcdTopology.external({ members: 5 }), components: { search: true } });
    const podLabelSets = [...ofKind(objects, 'StatefulSet'), ...ofKind(objects, 'Deployment')].map(w => w.spec.template.metadata.labels);
    for (const budget of ofKind(objects, 'PodDisruptionBudget')) {
      const selected = podLabelSets.filter(labels => Object.entries(budget.spec.selector.matchLabels).every(([k, v]) => labels[k] === v));
      const expected = budget.metadata.name === 'karmada-etcd' ? 5 : 3;
      expect({ budget: budget.metadata.name, selected: selected.length }).toEqual({ budget: budget.metadata.name, selected: expected });
    }
  });

  test('disruptionBudgets: false synthesizes none', () => {
    expect(Object.keys(budgets({ disruptionBudgets: false }))).toEqual([]);
  });
});

describe('zones', () => {
  test('stacked: control-plane node i and its member are required in zone i mod 3', () => {
    // GIVEN 5 stacked nodes over 3 zones
    const { objects } = synthTopology({ controlPlaneNodes: 5, zones: ZONES });
    // THEN every pod of node i (its member included) requires zone ZONES[i % 3], and nothing spreads by constraint
    for (const workload of [...ofKind(objects, 'StatefulSet'), ...ofKind(objects, 'Deployment')]) {
      const node = workload.spec.template.metadata.labels[KarmadaLabels.CONTROL_PLANE_NODE];
      const index = Number(node.replace('karmada-cp-', ''));
      expect(podSpec(workload).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
        .toEqual([{ matchExpressions: [{ key: ZONE, operator: 'In', values: [ZONES[index % 3]] }] }]);
      expect(podSpec(workload).topologySpreadConstraints).toBeUndefined();
    }
  });

  test('external: members are spread by a hard constraint over every zone', () => {
    // GIVEN 3 nodes and 5 external members over 3 zones
    const { objects } = synthTopology({ etcd: EtcdTopology.external({ members: 5 }), zones: ZONES });
    // THEN each member carries the same spread constraint over all members of the installation
    for (const member of ofKind(objects, 'StatefulSet')) {
      expect(podSpec(member).topologySpreadConstraints).toEqual([{
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: 'DoNotSchedule',
        minDomains: 3,
        labelSelector: { matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'etcd' } },
        nodeAffinityPolicy: 'Honor',
        nodeTaintsPolicy: 'Honor',
      }]);
      expect(podSpec(member).affinity.nodeAffinity).toBeUndefined();
    }
  });

  test('zone pinning keeps the user\'s host labels', () => {
    const { objects } = synthTopology({ zones: ZONES, controlPlaneHosts: { nodeLabels: { 'node-role.kubernetes.io/control-plane': '' } } });
    const apiServer = ofKind(objects, 'Deployment').find(d => d.metadata.name === 'karmada-cp-1-apiserver')!;
    expect(podSpec(apiServer).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual(expect.arrayContaining([
        { key: 'node-role.kubernetes.io/control-plane', operator: 'In', values: [''] },
        { key: ZONE, operator: 'In', values: ['zone-b'] },
      ]));
  });

  test.each([
    ['stacked 3', { controlPlaneNodes: 3 }, 6, [1, 1, 1], [1, 1, 1]],
    ['stacked 5', { controlPlaneNodes: 5 }, 9, [2, 2, 1], [2, 2, 1]],
    ['external 3+3', { etcd: EtcdTopology.external({ members: 3 }) }, 9, [1, 1, 1], [1, 1, 1]],
    ['external 3+5', { etcd: EtcdTopology.external({ members: 5 }) }, 12, [1, 1, 1], [2, 2, 1]],
  ])('%s over 3 zones fits in any order, nodes and members spread evenly', (_name, props, hostCount, nodesPerZone, membersPerZone) => {
    // GIVEN hosts spread round-robin over 3 zones, and the topology's pods
    const hosts = makeHosts(hostCount, ZONES);
    const pods = controlPlanePods(synthTopology({ ...props, zones: ZONES }).objects);
    for (const seed of [1, 7, 42, 1234, 99991]) {
      // WHEN the scheduler takes them in a random order, each on a random feasible host
      let choice = seed;
      const result = scheduleInOrder(shuffled(pods, seed), hosts, feasible => feasible[(choice = (choice * 48271) % 2147483647) % feasible.length]);
      // THEN every pod is placed, and nodes and members land as evenly as the zones allow
      expect(result.unschedulable).toBeUndefined();
      const perZone = (selected: ScheduledPod[]) => ZONES.map(zone => selected.filter(pod => zoneOf(pod, hosts) === zone).length).sort().reverse();
      const nodesByZone = perZone(result.placed.filter(pod => pod.labels[KarmadaLabels.NAME] === 'karmada-apiserver'));
      const membersByZone = perZone(result.placed.filter(pod => pod.labels[KarmadaLabels.NAME] === 'etcd'));
      expect({ seed, nodesByZone, membersByZone }).toEqual({ seed, nodesByZone: nodesPerZone, membersByZone: membersPerZone });
    }
  });

  test('why not a hard spread per component: a node\'s first pod can pin it into a zone its other pods may not join', () => {
    // GIVEN stacked 3 without zone pinning, and every control-plane Deployment given a hard zone spread of its own component
    const pods = controlPlanePods(synthTopology({ controlPlaneNodes: 3 }).objects).map(pod => ({
      ...pod,
      topologySpreadConstraints: [{
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: 'DoNotSchedule',
        minDomains: 3,
        labelSelector: { matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: pod.labels[KarmadaLabels.NAME] } },
      }],
    }));
    const byName = (name: string) => pods.find(pod => pod.name === name)!;
    // WHEN node 0's apiserver lands in zone-a, then node 1's scheduler comes first for node 1 and also picks zone-a
    // (its own component has no pod anywhere yet), then node 1's apiserver must follow it into zone-a
    const hosts = makeHosts(6, ZONES);
    const order = [byName('karmada-cp-0-apiserver'), byName('karmada-cp-1-scheduler'), byName('karmada-cp-1-apiserver')];
    const result = scheduleInOrder(order, hosts, feasible => feasible.find(host => host.labels[ZONE] === 'zone-a') ?? feasible[0]);
    // THEN node 1's apiserver fits nowhere: two apiservers in zone-a, none elsewhere, skew 2
    expect(result.unschedulable).toBe('karmada-cp-1-apiserver');
  });

  test('a stacked member cannot be given minZones', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new EtcdMember(chart, 'member', {
      memberName: 'etcd-0', initialClusterMembers: ['etcd-0'], controlPlaneNode: 'cp-0', minZones: 0,
    })).toThrow([
      'minZones is 0: give a whole number of zones, at least 1',
      'minZones is set on a member stacked with control-plane node \'cp-0\': a stacked member follows its node; drop minZones',
    ].join('\n'));
  });

  test('failureDomain ZONE and zones together: each node pinned to a zone of its own', () => {
    const { objects } = synthTopology({ zones: ZONES, failureDomain: kplus.Topology.ZONE });
    const zonesOfApiServers = ofKind(objects, 'Deployment').filter(d => d.spec.template.metadata.labels[KarmadaLabels.NAME] === 'karmada-apiserver')
      .map(d => podSpec(d).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]);
    expect(zonesOfApiServers).toEqual(ZONES);
  });
});
