import * as fs from 'fs';
import * as path from 'path';
import { HOST_CLUSTER_REPORT_DIR, HostCluster, waitFor } from './cluster/host-cluster';
import {
  CertificateIssuer, estimatorKubeconfigSecrets, JoinedMember, joinMember, KarmadaPlane, memberReaderKubeconfig, startKarmadaPlane,
  startMemberCluster, stopKarmadaPlane,
} from './cluster/karmada';
import { SCENARIOS } from './cluster/scenarios';

/**
 * A real Karmada from the synthesized YAML. The host cluster's hosts have the pod runner for their kubelet
 * (test/cluster/pod-runner.ts): every container of every pod the real scheduler placed runs as the real program,
 * built from its Go module at the image's version, with the pod's command, args, environment and volumes, on a
 * network of its own, and its real probes decide readiness. The Secrets of the synthesized Certificates are issued
 * by cert-manager's controller (v1.11.5, built from its module: tools/cert-manager/), every Certificate Ready.
 *
 * Per topology: every component Ready; the bootstrap Job's own commands fill the Karmada API (CRDs Established,
 * APIServices Available, webhooks served); a member cluster (a second kubelet-less cluster) joined in push mode
 * receives a propagated Deployment; karmada-webhook refuses what it must; the aggregated API server proxies to the
 * member. Figures go to .real-cluster/reports/report-karmada-<scenario>.json.
 */

jest.setTimeout(1_200_000);

/** The scenarios, and the member clusters each gets: every member its scheduler estimators name, at least one. */
const SCENARIO_NAMES = ['stacked 3, no zones', 'example external (3+3, every optional component)'];
/** The group of the synthesized admin certificate (bound to cluster-admin in the Karmada API by the bootstrap). */
const ADMIN_GROUP = 'karmada:cluster-admins';
/** The member every test workload is propagated to. */
const MEMBER = 'member-1';

function deployment(name: string): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10' }] },
      },
    },
  };
}

function propagationPolicy(name: string, target: string, extra: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace: 'default' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: target }],
      placement: { clusterAffinity: { clusterNames: [MEMBER] }, ...extra },
    },
  };
}

describe.each(SCENARIO_NAMES)('a real Karmada from the synthesized YAML: %s', scenarioName => {
  let plane: KarmadaPlane | undefined;
  const members = new Map<string, HostCluster>();
  const report: Record<string, unknown> = { scenario: scenarioName };

  beforeAll(async () => {
    const scenario = SCENARIOS[scenarioName]();
    // GIVEN member clusters (kubelet-less clusters of the harness): the one every test propagates to, and each one
    // a scheduler estimator serves, whose kubeconfig Secret a person would create before applying
    const estimators = estimatorKubeconfigSecrets(scenario);
    for (const name of new Set([MEMBER, ...estimators.map(e => e.cluster)])) {
      members.set(name, await startMemberCluster(`${scenario.name}-${name}`));
    }
    const secrets = [];
    for (const estimator of estimators) {
      secrets.push({ name: estimator.secretName, stringData: { kubeconfig: await memberReaderKubeconfig(members.get(estimator.cluster)!, 'karmada-scheduler-estimator') } });
    }
    // WHEN the synthesized file is applied to a host cluster whose hosts run the pods' real programs
    const started = Date.now();
    plane = await startKarmadaPlane(scenario, { secrets });
    report.secondsToReady = Math.round((Date.now() - started) / 1000);
    report.objectsAdmitted = plane.applied.applied;
    report.certificatesIssued = `${plane.issued.size} by ${plane.issuer}`;
    report.estimators = estimators.map(e => e.cluster);
  });

  afterAll(async () => {
    fs.mkdirSync(HOST_CLUSTER_REPORT_DIR, { recursive: true });
    if (plane) fs.writeFileSync(path.join(HOST_CLUSTER_REPORT_DIR, `report-karmada-${plane.scenario.name}.json`), JSON.stringify(report, null, 2));
    for (const member of members.values()) await member.stop();
    await stopKarmadaPlane(plane);
  });

  test('cert-manager issued every synthesized Certificate; every pod runs its real program and is Ready by its own probes', async () => {
    const { pods, scenario } = plane!;
    // THEN cert-manager's controller issued a Secret for every Certificate, which the pods mount
    expect(plane!.issuer).toBe(CertificateIssuer.CERT_MANAGER);
    expect(plane!.issued.size).toBe(scenario.objects.filter(o => o.kind === 'Certificate').length);
    // THEN every workload pod runs on a pod-runner host, every container started and ready
    const containers = pods.flatMap(p => (p.raw.status.containerStatuses as any[]).map(c => ({ pod: p.name, ...c })));
    expect(containers.length).toBeGreaterThan(0);
    expect(containers.filter(c => !c.ready || !c.state.running)).toEqual([]);
    expect(pods.every(p => p.raw.status.podIP?.startsWith('10.245.'))).toBe(true);
    report.podsReady = pods.length;
    report.programs = [...new Set(containers.map(c => c.image as string))].sort();
    expect(pods.length).toBe(scenario.objects.filter(o => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .reduce((sum, o) => sum + (o.spec.replicas ?? 1), 0));
  });

  test('the bootstrap Job filled the Karmada API: CRDs Established, APIServices Available, webhooks registered', async () => {
    const { api } = plane!;
    const crds = (await api.getJson(['customresourcedefinitions'])).items as any[];
    const established = crds.filter(c => (c.status?.conditions ?? []).some((k: any) => k.type === 'Established' && k.status === 'True'));
    expect(crds.length).toBeGreaterThanOrEqual(19);
    expect(established.length).toBe(crds.length);
    const apiServices = (await api.getJson(['apiservices'])).items as any[];
    const aggregated = apiServices.filter(s => s.spec.service);
    expect(aggregated.map(s => s.metadata.name)).toContain('v1alpha1.cluster.karmada.io');
    await waitFor('every aggregated APIService Available', async () => {
      const live = (await api.getJson(['apiservices'])).items as any[];
      const unavailable = live.filter(s => s.spec.service && !(s.status?.conditions ?? []).some((k: any) => k.type === 'Available' && k.status === 'True'));
      return unavailable.length === 0 ? true : undefined;
    }, 120_000, async () => (await api.kubectl(['get', 'apiservices'], { allowFailure: true })).stdout);
    const validating = (await api.getJson(['validatingwebhookconfigurations'])).items as any[];
    const mutating = (await api.getJson(['mutatingwebhookconfigurations'])).items as any[];
    expect(validating.length + mutating.length).toBeGreaterThan(0);
    report.crdsEstablished = established.length;
    report.apiServicesAvailable = aggregated.map(s => s.metadata.name).sort();
    report.webhookConfigurations = { validating: validating.length, mutating: mutating.length };
  });

  test('karmada-webhook refuses a PropagationPolicy whose maxGroups is below its minGroups', async () => {
    const { api } = plane!;
    const bad = propagationPolicy('refused', 'nothing', { spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 1, minGroups: 2 }] });
    const answer = await api.kubectl(['create', '--filename', '-'], { input: JSON.stringify(bad), allowFailure: true });
    expect(answer.status).not.toBe(0);
    expect(answer.stderr).toMatch(/admission webhook "[a-z.-]+" denied the request/);
    expect(answer.stderr).toMatch(/maxGroups lower than minGroups is not allowed/);
    report.webhookRefusal = answer.stderr.trim();
  });

  test('member clusters joined in push mode; one receives a propagated Deployment; the aggregated API proxies to it', async () => {
    const { api } = plane!;
    // GIVEN every member cluster joined in push mode
    const joined: JoinedMember[] = [];
    for (const [name, cluster] of members) joined.push(await joinMember(api, cluster, name, [ADMIN_GROUP]));
    report.membersJoined = joined.map(j => `${j.name} (${j.object.status?.kubernetesVersion})`);
    const member = members.get(MEMBER)!;
    // WHEN a Deployment and a PropagationPolicy are created through the entry point
    const started = Date.now();
    await api.kubectl(['apply', '--server-side', '--filename', '-'], {
      input: [deployment('web'), propagationPolicy('web', 'web')].map(o => JSON.stringify(o)).join('\n'),
    });
    // THEN the member cluster holds the Deployment, and its pods run there (kwok)
    const arrived = await waitFor('the propagated Deployment in the member cluster', async () => {
      const answer = await member.kubectl(['get', 'deployment', 'web', '--namespace', 'default', '--output', 'json'], { allowFailure: true });
      if (answer.status !== 0) return undefined;
      const object = JSON.parse(answer.stdout);
      return object.status?.readyReplicas === 2 ? object : undefined;
    }, 180_000, async () => (await api.kubectl(['get', 'resourcebindings,works', '--all-namespaces', '-o', 'wide'], { allowFailure: true })).stdout);
    expect(arrived.spec.replicas).toBe(2);
    report.secondsToPropagate = Math.round((Date.now() - started) / 100) / 10;
    // ... and the Karmada API reports it back through the binding
    // ... and the aggregated API server proxies a request to the member as the Karmada administrator
    const proxied = await api.kubectl(['get', '--raw', `/apis/cluster.karmada.io/v1alpha1/clusters/${MEMBER}/proxy/apis/apps/v1/namespaces/default/deployments/web`]);
    expect(JSON.parse(proxied.stdout).metadata.name).toBe('web');
    const nodes = JSON.parse((await api.kubectl(['get', '--raw', `/apis/cluster.karmada.io/v1alpha1/clusters/${MEMBER}/proxy/api/v1/nodes`])).stdout);
    const memberNodes = (await member.getJson(['nodes'])).items as any[];
    expect((nodes.items as any[]).map(n => n.metadata.name).sort()).toEqual(memberNodes.map(n => n.metadata.name).sort());
    report.proxiedNodes = nodes.items.length;
  });

  test('once the bootstrap Job has run, no component is refused by RBAC inside the Karmada API', async () => {
    // GIVEN the time the bootstrap Job completed, plus the seconds the apiservers' RBAC caches take to see its objects
    const { cluster, runner, scenario } = plane!;
    const job = (await cluster.getJson(['jobs', '--namespace', scenario.namespace])).items[0];
    const settled = Date.parse(job.status.completionTime) + 10_000;
    // WHEN every log line of every component, after that, is read (klog's `E1206 00:13:48.887954` prefix)
    const year = new Date(settled).getUTCFullYear();
    const refusals: string[] = [];
    for (const { pod, container, file } of runner.logFiles()) {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const stamp = /^[IWEF](\d\d)(\d\d) (\d\d:\d\d:\d\d\.\d+)/.exec(line);
        if (!stamp || !/ is forbidden: User "/.test(line)) continue;
        if (Date.parse(`${year}-${stamp[1]}-${stamp[2]}T${stamp[3].slice(0, 12)}Z`) > settled) refusals.push(`${pod}/${container}: ${line.slice(0, 300)}`);
      }
    }
    // THEN none was refused: the RBAC the bootstrap applies lets every component do what these tests made it do
    expect(refusals).toEqual([]);
  });
});
