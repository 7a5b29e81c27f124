import * as fs from 'fs';
import * as path from 'path';
import { KarmadaLabels } from '../src';
import { HOST_CLUSTER_REPORT_DIR, HostCluster, LivePod, waitFor } from './cluster/host-cluster';
import {
  applyCertManagerCrds, applyObjects, lowestReady, nodeComponents, PlaneMonitor, PlaneSample, waitForPlane, workloadPods,
} from './cluster/plane';
import { hostsFor, Scenario, SCENARIOS } from './cluster/scenarios';
import { Manifest } from './util';

/**
 * Day-2 operations on a synthesized control plane running on the real host cluster (see
 * test/real-cluster-placement.test.ts for the cluster): the real deployment, StatefulSet and disruption controllers,
 * the real eviction API and the real kubectl act; kwok stands in for the kubelets.
 *   - a rolling update of every Deployment (a new image tag) never leaves a Deployment short of ready pods, so no
 *     control-plane node loses its apiserver;
 *   - a changed etcd flag restarts no member on apply (OnDelete), and scripts/roll-etcd-members.sh rolls them one
 *     at a time;
 *   - `kubectl drain` of every host in turn keeps etcd at quorum and every component at all-but-one, and a second
 *     drain is refused exactly where the budgets say;
 *   - scripts/restore-etcd.sh: its dry run changes nothing; its stop and start phases run in the right order.
 */

jest.setTimeout(1_200_000);

/** The scenarios whose operations are exercised: both topologies, both example-sized and larger, and no etcd. */
const OPERATED = [
  'example stacked (3 nodes, 3 zones, LoadBalancer, pull mode)',
  'example external (3+3, every optional component)',
  'stacked 5, 5 zones',
  'external 3+5, no zones, hosts labelled by role',
  'example external endpoints (3 nodes, existing Secrets)',
];

/** `registry/name:v1.2.3` becomes `registry/name:v1.2.4`: the tag a patch upgrade brings. */
export function nextPatch(image: string): string {
  const match = /^(.*:v?\d+\.\d+\.)(\d+)(.*)$/.exec(image);
  if (!match) throw new Error(`image ${image} has no x.y.z tag`);
  return `${match[1]}${Number(match[2]) + 1}${match[3]}`;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Every Deployment with each container's image moved to the next patch. */
function withNextPatchImages(objects: readonly Manifest[]): Manifest[] {
  return objects.map(o => {
    if (o.kind !== 'Deployment') return o;
    const copy = clone(o);
    for (const c of copy.spec.template.spec.containers) c.image = nextPatch(c.image);
    return copy;
  });
}

/** Every etcd member's `--snapshot-count` raised by one: a flag change that needs a restart to take effect. */
function withChangedEtcdFlag(objects: readonly Manifest[]): Manifest[] {
  return objects.map(o => {
    if (o.kind !== 'StatefulSet') return o;
    const copy = clone(o);
    const etcd = copy.spec.template.spec.containers.find((c: Manifest) => c.name === 'etcd');
    const index = etcd.args.findIndex((a: string) => a.startsWith('--snapshot-count='));
    if (index < 0) throw new Error(`${o.metadata.name} has no --snapshot-count to change`);
    etcd.args[index] = `--snapshot-count=${Number(etcd.args[index].split('=')[1]) + 1}`;
    return copy;
  });
}

/** A PodDisruptionBudget of the synthesized file: who it covers and how many must stay. */
interface Budget {
  readonly name: string;
  readonly matchLabels: Record<string, string>;
  readonly minAvailable: number;
}

function budgetsOf(objects: readonly Manifest[]): Budget[] {
  return objects.filter(o => o.kind === 'PodDisruptionBudget').map(o => {
    if (typeof o.spec.minAvailable !== 'number') throw new Error(`${o.metadata.name}: minAvailable ${o.spec.minAvailable} is not a count`);
    return { name: o.metadata.name, matchLabels: o.spec.selector.matchLabels, minAvailable: o.spec.minAvailable };
  });
}

const selects = (budget: Budget, pod: LivePod) => Object.entries(budget.matchLabels).every(([k, v]) => pod.labels[k] === v);

/**
 * The budgets that forbid draining `host` now, by the synthesized budgets alone: a budget whose ready pods, less
 * those on the host, would fall below its minAvailable.
 */
function budgetsForbiddingDrain(budgets: readonly Budget[], pods: readonly LivePod[], host: string): string[] {
  return budgets.filter(budget => {
    const covered = pods.filter(p => selects(budget, p));
    const ready = covered.filter(p => p.ready).length;
    const onHost = covered.filter(p => p.nodeName === host).length;
    return onHost > 0 && ready - onHost < budget.minAvailable;
  }).map(b => b.name);
}

const DRAIN_FLAGS = ['--ignore-daemonsets', '--delete-emptydir-data', '--grace-period=30'];

describe.each(OPERATED)('%s: operations on a real host cluster', scenarioName => {
  let scenario: Scenario;
  let cluster: HostCluster;
  let hostNames: string[];
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    scenario = SCENARIOS[scenarioName]();
    report.scenario = scenarioName;
    cluster = await HostCluster.start(`ops-${scenario.name}`);
    await applyCertManagerCrds(cluster);
    // GIVEN the plane running on exactly the hosts it needs
    const hostSpecs = hostsFor(scenario, scenario.tolerance.hostsRequired);
    hostNames = hostSpecs.map(h => h.name);
    await cluster.addHosts(hostSpecs);
    await applyObjects(cluster, scenario.objects);
    await waitForPlane(cluster, scenario);
  });

  afterAll(async () => {
    fs.mkdirSync(HOST_CLUSTER_REPORT_DIR, { recursive: true });
    fs.writeFileSync(path.join(HOST_CLUSTER_REPORT_DIR, `report-operations-${scenario.name}.json`), JSON.stringify(report, null, 2));
    // A test that failed mid-way may have left its monitor sampling: end it, or jest never exits.
    await PlaneMonitor.stopAll();
    await cluster?.stop();
  });

  test('a rolling update of every Deployment completes and never leaves one short of ready pods', async () => {
    const updated = withNextPatchImages(scenario.objects);
    const deployments = updated.filter(o => o.kind === 'Deployment');
    const monitor = PlaneMonitor.start(cluster, scenario.namespace);
    // WHEN every Deployment's images move to the next patch
    const started = Date.now();
    await applyObjects(cluster, updated);
    // THEN the real deployment controller rolls every one of them out ...
    const pods = await waitForPlane(cluster, { ...scenario, objects: updated });
    const seconds = (Date.now() - started) / 1000;
    const samples = await monitor.stop();
    for (const deployment of deployments) {
      const images = deployment.spec.template.spec.containers.map((c: Manifest) => c.image);
      const running = pods.filter(p => p.workload === deployment.metadata.name);
      expect({ deployment: deployment.metadata.name, images: running.map(p => p.images) })
        .toEqual({ deployment: deployment.metadata.name, images: running.map(() => images) });
    }
    // ... and at no sample had a Deployment fewer ready pods than its replicas (maxSurge 1, maxUnavailable 0: the
    // new pod fits beside the old one on its node's host), so no node was ever without its apiserver
    const short = samples.flatMap(sample => deployments
      .filter(d => (sample.readyPerWorkload[d.metadata.name] ?? 0) < (d.spec.replicas ?? 1))
      .map(d => `${new Date(sample.at).toISOString()}: ${d.metadata.name} ${sample.readyPerWorkload[d.metadata.name] ?? 0}/${d.spec.replicas ?? 1}`));
    expect(short).toEqual([]);
    const nodes = [...new Set(updated.filter(o => o.kind === 'Deployment').map(d => d.spec.template.metadata.labels[KarmadaLabels.CONTROL_PLANE_NODE]).filter(Boolean))];
    expect(samples.every(s => nodes.every(node => (s.readyApiServersPerNode[node] ?? 0) >= 1))).toBe(true);
    report.rollingUpdate = { deployments: deployments.length, seconds, samples: samples.length, shortSamples: short.length };
    scenario = { ...scenario, objects: updated };
  });

  test('a changed etcd flag restarts no member on apply; roll-etcd-members.sh rolls them one at a time', async () => {
    const members = scenario.objects.filter(o => o.kind === 'StatefulSet');
    if (members.length === 0) {
      // External endpoints: no member runs here; the script says so and fails.
      const result = await cluster.runScript('scripts/roll-etcd-members.sh', ['-n', scenario.namespace, '-i', scenario.instance]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`no etcd member of installation '${scenario.instance}'`);
      report.etcdRoll = 'no members (etcd outside the cluster): the script refuses';
      return;
    }
    const before = new Map(workloadPods(await cluster.pods(scenario.namespace)).filter(p => p.ownerKind === 'StatefulSet').map(p => [p.name, p.uid]));
    // WHEN a flag of every member changes and the file is applied
    const changed = withChangedEtcdFlag(scenario.objects);
    await applyObjects(cluster, changed);
    const revisions = await waitFor('the StatefulSet controller to record the new revisions', async () => {
      const list = (await cluster.getJson(['statefulsets', '--namespace', scenario.namespace])).items as any[];
      const ready = list.every(s => s.status.observedGeneration === s.metadata.generation && s.status.updateRevision !== s.status.currentRevision);
      return ready ? new Map(list.map(s => [s.metadata.name, s.status.updateRevision as string])) : undefined;
    }, 60_000);
    // THEN (after giving the controller time to act) no member pod was replaced: OnDelete
    await new Promise(resolve => setTimeout(resolve, 5_000));
    const untouched = workloadPods(await cluster.pods(scenario.namespace)).filter(p => p.ownerKind === 'StatefulSet');
    expect(new Map(untouched.map(p => [p.name, p.uid]))).toEqual(before);
    for (const pod of untouched) expect(pod.labels['controller-revision-hash']).not.toBe(revisions.get(pod.workload!));

    // WHEN the operator runs the roll script
    const monitor = PlaneMonitor.start(cluster, scenario.namespace);
    const result = await cluster.runScript('scripts/roll-etcd-members.sh', ['-n', scenario.namespace, '-i', scenario.instance, '-t', '120s']);
    const samples = await monitor.stop();
    expect(`${result.status}\n${result.stderr}`).toBe('0\n');
    // THEN every member runs the new revision in a new pod ...
    const after = workloadPods(await cluster.pods(scenario.namespace)).filter(p => p.ownerKind === 'StatefulSet');
    for (const pod of after) {
      expect(pod.labels['controller-revision-hash']).toBe(revisions.get(pod.workload!));
      expect(pod.uid).not.toBe(before.get(pod.name));
      expect(pod.ready).toBe(true);
    }
    expect(result.stdout.split('\n').filter(l => / Ready at /.test(l))).toHaveLength(members.length);
    // ... and never was more than one member down at once
    expect(Math.min(...samples.map(s => s.readyMembers))).toBeGreaterThanOrEqual(members.length - 1);
    report.etcdRoll = { members: members.length, lowestReadyMembers: Math.min(...samples.map(s => s.readyMembers)), script: result.stdout.trim().split('\n') };
    scenario = { ...scenario, objects: changed };
  });

  test('kubectl drain of every host in turn keeps etcd at quorum and every component at all but one; a second drain is refused where the budgets say', async () => {
    const budgets = budgetsOf(scenario.objects);
    const components = nodeComponents(scenario.objects);
    const quorum = scenario.tolerance.etcdQuorum;
    const nodes = scenario.tolerance.controlPlaneNodes;
    const drains: Array<Record<string, unknown>> = [];
    const samples: PlaneSample[] = [];
    for (const [i, host] of hostNames.entries()) {
      const next = hostNames[(i + 1) % hostNames.length];
      const monitor = PlaneMonitor.start(cluster, scenario.namespace);
      // GIVEN the whole plane up: no budget forbids draining any one host
      const running = workloadPods(await cluster.pods(scenario.namespace));
      expect({ host, forbiddenBy: budgetsForbiddingDrain(budgets, running, host) }).toEqual({ host, forbiddenBy: [] });
      // WHEN the host is drained through the eviction API
      const drain = await cluster.kubectl(['drain', host, ...DRAIN_FLAGS, '--timeout=120s'], { allowFailure: true, timeoutMs: 150_000 });
      expect(`${drain.status}\n${drain.stderr}`).toMatch(/^0\n/);
      const evicted = (drain.stdout.match(/ evicted$/gm) ?? []).length;
      // ... and its pods' replacements are created (Pending: their host is cordoned, their volumes or their etcd
      // member pin them there)
      const afterDrain = await waitFor(`replacements of ${host}'s pods`, async () => {
        const pods = workloadPods(await cluster.pods(scenario.namespace));
        return pods.length === running.length && pods.every(p => p.nodeName !== host || !p.ready) ? pods : undefined;
      }, 60_000);
      // THEN a drain of the next host is refused exactly when a synthesized budget says so
      const forbidding = budgetsForbiddingDrain(budgets, afterDrain, next);
      const second = await cluster.kubectl(['drain', next, ...DRAIN_FLAGS, '--timeout=8s'], { allowFailure: true, timeoutMs: 60_000 });
      const refused = second.status !== 0;
      expect({ next, refused, forbidding }).toEqual({ next, refused: forbidding.length > 0, forbidding });
      if (refused) expect(second.stderr).toContain('Cannot evict pod as it would violate the pod\'s disruption budget');
      // ... and once both hosts are back, the plane is whole again
      await cluster.kubectl(['uncordon', host, next]);
      await waitForPlane(cluster, scenario);
      samples.push(...await monitor.stop());
      drains.push({ host, evicted, secondDrain: next, secondRefused: refused, refusedBy: forbidding });
    }
    // AND at no sample was etcd below quorum or a component below all but one
    const lowest = lowestReady(samples, scenario.tolerance.etcdMembers > 0 ? ['etcd', ...components] : components);
    if (scenario.tolerance.etcdMembers > 0) expect(lowest.etcd).toBeGreaterThanOrEqual(quorum);
    for (const component of components) {
      expect({ component, allButOneReady: lowest[component] >= nodes - 1 }).toEqual({ component, allButOneReady: true });
    }
    report.drains = { hosts: hostNames.length, drains, lowestReady: lowest, quorum, samples: samples.length };
  });

  test('restore-etcd.sh: the dry run changes nothing; the restore stops the control plane before etcd and brings both back', async () => {
    const members = scenario.objects.filter(o => o.kind === 'StatefulSet');
    const snapshot = 'etcd-snapshot-20260101T001700Z.db';
    const args = ['-s', snapshot, '-n', scenario.namespace, '-i', scenario.instance, '-t', '120s'];
    if (members.length === 0) {
      const result = await cluster.runScript('scripts/restore-etcd.sh', [...args, '--dry-run']);
      expect(result.status).not.toBe(0);
      report.restore = `refused: ${result.stderr.trim()}`;
      return;
    }
    const state = async () => ({
      deployments: Object.fromEntries(((await cluster.getJson(['deployments', '--namespace', scenario.namespace])).items as any[])
        .map(d => [d.metadata.name, { replicas: d.spec.replicas, annotations: d.metadata.annotations ?? {} }])),
      cronJobs: Object.fromEntries(((await cluster.getJson(['cronjobs', '--namespace', scenario.namespace])).items as any[])
        .map(c => [c.metadata.name, { suspend: c.spec.suspend ?? false, annotations: c.metadata.annotations ?? {} }])),
      statefulSets: Object.fromEntries(((await cluster.getJson(['statefulsets', '--namespace', scenario.namespace])).items as any[])
        .map(s => [s.metadata.name, s.spec.replicas])),
    });
    // GIVEN the whole plane up
    await waitForPlane(cluster, scenario);
    const before = await state();
    // WHEN the dry run reads the live cluster
    const dryRun = await cluster.runScript('scripts/restore-etcd.sh', [...args, '--dry-run']);
    expect(`${dryRun.status}\n${dryRun.stderr}`).toBe('0\n');
    // THEN it prints one restore Pod per member and changes nothing
    for (const member of members) expect(dryRun.stdout).toContain(`"name": "${member.metadata.name}-restore"`);
    expect(await state()).toEqual(before);

    // WHEN the restore runs (kwok completes the restore Pods: their commands are proven on real etcd elsewhere)
    const monitor = PlaneMonitor.start(cluster, scenario.namespace, 100);
    const restore = await cluster.runScript('scripts/restore-etcd.sh', args);
    const samples = await monitor.stop();
    expect(`${restore.status}\n${restore.stderr}`).toBe('0\n');
    // THEN no etcd member went down while a control-plane pod was still ready ...
    const firstMemberDown = samples.findIndex(s => s.readyMembers < members.length);
    expect(firstMemberDown).toBeGreaterThan(0);
    const controlPlaneReady = (s: PlaneSample) => Object.values(s.readyPerComponent).reduce((a, b) => a + b, 0);
    expect(controlPlaneReady(samples[firstMemberDown])).toBe(0);
    // ... every member came back before the first control-plane pod did ...
    const firstControlPlaneBack = samples.findIndex((s, i) => i > firstMemberDown && controlPlaneReady(s) > 0);
    expect(firstControlPlaneBack).toBeGreaterThan(firstMemberDown);
    expect(samples[firstControlPlaneBack].readyMembers).toBe(members.length);
    // ... and the installation is as it was: replicas, CronJob suspension, no leftover annotation, no restore Pod
    await waitForPlane(cluster, scenario);
    expect(await state()).toEqual(before);
    const leftovers = (await cluster.pods(scenario.namespace)).filter(p => p.labels[KarmadaLabels.NAME] === 'etcd-restore');
    expect(leftovers).toEqual([]);
    report.restore = { members: members.length, samples: samples.length, output: restore.stdout.trim().split('\n') };
  });
});
