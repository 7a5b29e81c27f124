import { KarmadaLabels } from '../src';
import { HostCluster, LivePod } from './cluster/host-cluster';
import { applyCertManagerCrds, applyObjects, describePods, waitForPlane, workloadPods } from './cluster/plane';
import { hostsFor, Scenario, SCENARIOS } from './cluster/scenarios';

/**
 * Why external etcd wants its hosts kept apart by label (the planner's warning), shown by the real kube-scheduler.
 * Pod anti-affinity keeps a control-plane node off a host only while an etcd member runs there. So: etcd member M's
 * host A and a control-plane node's host B are drained (maintenance of two hosts); A comes back while M has no pod
 * (its StatefulSet scaled to 0 here, to make the moment certain; in a plain drain M's replacement and the node's pods
 * race for A when it comes back, and this project's drain tests saw the node win). Without role labels the waiting
 * control-plane pods take A, and M, whose volume holds it to A, can never run again. With role labels the
 * control-plane pods keep waiting for a control-plane host, and M comes back to A.
 */

jest.setTimeout(600_000);

const DRAIN = ['--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s'];

interface Outcome {
  /** Hosts of the drained node's pods once the member's host was free (Pending for none). */
  readonly nodePodsOn: string[];
  /** The member's pod once it is back. */
  readonly member: LivePod;
  readonly memberHost: string;
  readonly nodeHost: string;
}

async function settle(ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms));
}

/** Drains a control-plane node's host, takes a member's pod away and gives it back. */
async function memberGoneWhileNodeWaits(cluster: HostCluster, scenario: Scenario, zoneOf: Record<string, string>): Promise<Outcome> {
  const pods = await waitForPlane(cluster, scenario);
  // A member and a control-plane node whose hosts share a zone (a node is pinned to its zone when zones are given).
  const members = pods.filter(p => p.labels[KarmadaLabels.NAME] === 'etcd');
  const apiServers = pods.filter(p => p.labels[KarmadaLabels.NAME] === 'karmada-apiserver');
  const member = members.find(m => apiServers.some(a => zoneOf[a.nodeName!] === zoneOf[m.nodeName!]))!;
  const node = apiServers.find(a => zoneOf[a.nodeName!] === zoneOf[member.nodeName!])!;
  const nodeName = node.labels[KarmadaLabels.CONTROL_PLANE_NODE];
  const [memberHost, nodeHost] = [member.nodeName!, node.nodeName!];
  const nodePods = async () => [...new Set(workloadPods(await cluster.pods(scenario.namespace))
    .filter(p => p.labels[KarmadaLabels.CONTROL_PLANE_NODE] === nodeName).map(p => p.nodeName ?? 'Pending'))];

  // Both hosts drained: the member's replacement and the node's pods wait, every host refused to them.
  await cluster.kubectl(['drain', memberHost, ...DRAIN]);
  await cluster.kubectl(['drain', nodeHost, ...DRAIN]);
  // The member has no pod for a while; then its host is back.
  await cluster.kubectl(['scale', 'statefulset', member.workload!, '--replicas=0', '--namespace', scenario.namespace]);
  await cluster.kubectl(['wait', '--for=delete', `pod/${member.name}`, '--namespace', scenario.namespace, '--timeout=60s']);
  await cluster.kubectl(['uncordon', memberHost]);
  await settle(8_000);
  const nodePodsOn = await nodePods();
  await cluster.kubectl(['scale', 'statefulset', member.workload!, '--replicas=1', '--namespace', scenario.namespace]);
  await settle(8_000);
  const back = workloadPods(await cluster.pods(scenario.namespace)).find(p => p.name === member.name)!;
  await cluster.kubectl(['uncordon', nodeHost]);
  return { nodePodsOn, member: back, memberHost, nodeHost };
}

describe.each([
  ['without role labels', 'external 3+3, 3 zones, no host labels', false],
  ['with role labels (the example)', 'example external (3+3, every optional component)', true],
])('external etcd %s, a member down while a control-plane host is down too', (_label, scenarioName, labelled) => {
  let scenario: Scenario;
  let cluster: HostCluster;
  let zoneOf: Record<string, string>;

  beforeAll(async () => {
    scenario = SCENARIOS[scenarioName]();
    cluster = await HostCluster.start(`hosts-${scenario.name}`);
    await applyCertManagerCrds(cluster);
    const hostSpecs = hostsFor(scenario, scenario.tolerance.hostsRequired);
    zoneOf = Object.fromEntries(hostSpecs.map(h => [h.name, h.zone ?? '']));
    await cluster.addHosts(hostSpecs);
    await applyObjects(cluster, scenario.objects);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test(labelled
    ? 'the control-plane node waits for a control-plane host and the member comes back'
    : 'the control-plane node takes the member\'s host and the member stays Pending, as the warning says', async () => {
    const outcome = await memberGoneWhileNodeWaits(cluster, scenario, zoneOf);
    if (labelled) {
      // THEN the node's pods waited (no etcd host may take them), the member came back to its host, and once the
      // node's host is back the plane is whole
      expect({ nodePodsOn: outcome.nodePodsOn, member: outcome.member.nodeName }).toEqual({ nodePodsOn: ['Pending'], member: outcome.memberHost });
      const pods = await waitForPlane(cluster, scenario, 60_000);
      expect(pods.filter(p => p.name.startsWith(`${outcome.member.workload}-`)).map(p => p.nodeName)).toEqual([outcome.memberHost]);
    } else {
      // THEN the node's pods took the member's host, and the member, back, cannot run anywhere
      expect({ nodePodsOn: outcome.nodePodsOn, member: outcome.member.nodeName ?? 'Pending' })
        .toEqual({ nodePodsOn: [outcome.memberHost], member: 'Pending' });
      // The scheduler's own reason: the control-plane pods now on the host its volume holds it to.
      expect(outcome.member.unschedulable?.message).toMatch(/didn't match pod anti-affinity rules/);
      expect(outcome.member.unschedulable?.message).toMatch(/didn't match PersistentVolume's node affinity/);
      // And it stays so: nothing in the cluster moves the control-plane node away again.
      await expect(waitForPlane(cluster, scenario, 20_000)).rejects.toThrow(/Pending/);
      console.log(`without role labels: ${outcome.member.name} stays Pending: ${outcome.member.unschedulable?.message}\n${describePods(await cluster.pods(scenario.namespace))}`);
    }
  });
});
