import * as fs from 'fs';
import * as path from 'path';
import { HOST_CLUSTER_REPORT_DIR, HostCluster } from './cluster/host-cluster';
import { applyCertManagerCrds, applyObjects, describePods, expectedPods, waitForPlane, waitForSchedulingToSettle } from './cluster/plane';
import { hostsFor, placementOf, Scenario, SCENARIOS } from './cluster/scenarios';

/**
 * Every scenario applied to a real host cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler
 * built from their modules, kwok for the kubelets; see test/cluster/README.md):
 *   - the whole synthesized file is admitted by `kubectl apply --server-side`, cert-manager's CRDs applied first;
 *   - Pod Security `restricted` is enforced in the synthesized namespace;
 *   - on exactly the hosts `failureTolerance` names, the real scheduler places every pod as the topology promises;
 *   - on one host fewer, pods stay Pending with the scheduler's own reason;
 *   - on twice the hosts, placement is still right.
 * Each scenario's figures go to .real-cluster/report-<scenario>.json for docs/proof.md and the note.
 */

jest.setTimeout(900_000);

/** A pod that breaks the restricted profile (privileged, root, no seccomp profile). */
function podBreakingRestricted(namespace: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'breaks-restricted', namespace },
    spec: { containers: [{ name: 'shell', image: 'docker.io/library/busybox:1.37.0', securityContext: { privileged: true } }] },
  };
}

/** The same pod, made to follow the restricted profile. */
function podFollowingRestricted(namespace: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'follows-restricted', namespace },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'shell',
        image: 'docker.io/library/busybox:1.37.0',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
    },
  };
}

describe.each(Object.keys(SCENARIOS))('%s on a real host cluster', scenarioName => {
  let scenario: Scenario;
  let cluster: HostCluster;
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    scenario = SCENARIOS[scenarioName]();
    report.scenario = scenarioName;
    cluster = await HostCluster.start(scenario.name);
    await applyCertManagerCrds(cluster);
  });

  afterAll(async () => {
    fs.mkdirSync(HOST_CLUSTER_REPORT_DIR, { recursive: true });
    fs.writeFileSync(path.join(HOST_CLUSTER_REPORT_DIR, `report-placement-${scenario.name}.json`), JSON.stringify(report, null, 2));
    await cluster?.stop();
  });

  test('on exactly the hosts failureTolerance names: every object admitted, Pod Security enforced, every pod placed as promised', async () => {
    // GIVEN exactly the hosts (and zones) the topology says it needs
    const required = scenario.tolerance.hostsRequired;
    const hostSpecs = hostsFor(scenario, required);
    await cluster.addHosts(hostSpecs);
    // WHEN the synthesized file is applied server-side
    const apply = await applyObjects(cluster, scenario.objects);
    // THEN the real apiserver admitted every object
    expect(apply.applied).toBe(scenario.objects.length);
    report.objectsAdmitted = apply.applied;

    // ... and the namespace enforces Pod Security restricted: a privileged pod is refused, a compliant one admitted
    const refused = await cluster.kubectl(['create', '--filename', '-'], { input: JSON.stringify(podBreakingRestricted(scenario.namespace)), allowFailure: true });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/violates PodSecurity "restricted:v1\.28"/);
    report.podSecurityRefusal = refused.stderr.trim();
    const admitted = await cluster.kubectl(['create', '--dry-run=server', '--filename', '-'], { input: JSON.stringify(podFollowingRestricted(scenario.namespace)), allowFailure: true });
    expect(admitted.stderr).toBe('');
    expect(admitted.status).toBe(0);

    // ... and every pod is scheduled, Running and Ready, each control-plane node on a host of its own
    const pods = await waitForPlane(cluster, scenario);
    expect(pods).toHaveLength(expectedPods(scenario.objects));
    const zones = Object.fromEntries(hostSpecs.map(h => [h.name, h.zone ?? '']));
    const placement = placementOf(scenario, pods, zones);
    expect(placement.violations).toEqual([]);
    expect(Object.keys(placement.perHost)).toHaveLength(required);
    report.hosts = required;
    report.podsScheduled = pods.length;
    report.perHost = placement.perHost;
  });

  test('on one host fewer: pods stay Pending with the scheduler\'s own reason, the rest still placed as promised', async () => {
    await cluster.reset([scenario.namespace]);
    // GIVEN one host fewer than the topology needs
    const hostSpecs = hostsFor(scenario, scenario.tolerance.hostsRequired - 1);
    await cluster.addHosts(hostSpecs);
    await applyObjects(cluster, scenario.objects);
    // WHEN the scheduler has tried every pod
    const { scheduled, pending } = await waitForSchedulingToSettle(cluster, scenario);
    // THEN some pods are left Pending, each with kube-scheduler's own account of why ...
    expect(pending.length).toBeGreaterThan(0);
    for (const pod of pending) {
      expect(pod.unschedulable?.reason).toBe('Unschedulable');
      expect(pod.unschedulable?.message).toMatch(new RegExp(`^0/${hostSpecs.length} nodes are available: `));
    }
    // ... and the pods it did place still keep the placement promises
    const zones = Object.fromEntries(hostSpecs.map(h => [h.name, h.zone ?? '']));
    expect(placementOf(scenario, scheduled, zones).violations).toEqual([]);
    report.oneHostFewer = {
      hosts: hostSpecs.length,
      scheduled: scheduled.length,
      pending: pending.length,
      reasons: [...new Set(pending.map(p => p.unschedulable!.message))],
    };
  });

  test('on twice the hosts: every pod placed as promised', async () => {
    await cluster.reset([scenario.namespace]);
    const hostSpecs = hostsFor(scenario, 2 * scenario.tolerance.hostsRequired);
    await cluster.addHosts(hostSpecs);
    await applyObjects(cluster, scenario.objects);
    const pods = await waitForPlane(cluster, scenario).catch(async error => {
      throw new Error(`${error.message}\n${describePods(await cluster.pods(scenario.namespace))}`);
    });
    const zones = Object.fromEntries(hostSpecs.map(h => [h.name, h.zone ?? '']));
    const placement = placementOf(scenario, pods, zones);
    expect(placement.violations).toEqual([]);
    report.twiceTheHosts = { hosts: hostSpecs.length, podsScheduled: pods.length, hostsUsed: Object.keys(placement.perHost).length };
  });
});
