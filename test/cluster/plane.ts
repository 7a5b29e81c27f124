import * as fs from 'fs';
import * as path from 'path';
import { KarmadaLabels } from '../../src';
import { Manifest } from '../util';
import { HostCluster, LivePod, sleep, waitFor } from './host-cluster';
import { manifestFile, Scenario } from './scenarios';

/**
 * What the tests do to a synthesized control plane on the real host cluster: apply it, wait for it, watch it while
 * something disrupts it.
 */

const CERT_MANAGER_CRDS = path.join(__dirname, '..', '..', '..', 'shared', 'vendor-data', 'cert-manager-crds');

/** Applies cert-manager's CRDs (from ../shared/vendor-data) and waits until they are Established. */
export async function applyCertManagerCrds(cluster: HostCluster): Promise<void> {
  const files = fs.readdirSync(CERT_MANAGER_CRDS).filter(f => f.endsWith('.yaml')).sort();
  const text = files.map(f => fs.readFileSync(path.join(CERT_MANAGER_CRDS, f), 'utf8')).join('\n---\n');
  await cluster.kubectl(['apply', '--server-side', '--filename', '-'], { input: text });
  await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s',
    'crd/certificates.cert-manager.io', 'crd/issuers.cert-manager.io', 'crd/clusterissuers.cert-manager.io']);
}

/** What `kubectl apply --server-side` said. */
export interface ApplyResult {
  /** Objects the apiserver admitted (`<kind>/<name> serverside-applied`). */
  readonly applied: number;
  readonly output: string;
}

/** `kubectl apply --server-side` of the whole synthesized file. Throws with the apiserver's own message. */
export async function applyObjects(cluster: HostCluster, objects: readonly Manifest[]): Promise<ApplyResult> {
  const result = await cluster.kubectl(['apply', '--server-side', '--field-manager=cdk8s-karmada-test', '--filename', '-'],
    { input: manifestFile(objects), allowFailure: true });
  if (result.status !== 0) {
    throw new Error(`kubectl apply --server-side refused the synthesized objects:\n${result.stderr}`);
  }
  const applied = result.stdout.split('\n').filter(line => / serverside-applied$/.test(line)).length;
  return { applied, output: result.stdout };
}

/** Every Deployment and StatefulSet of the scenario, as `kind/name`, and the replicas each asks for. */
export function workloadsOf(objects: readonly Manifest[]): Array<{ kind: string; name: string; replicas: number }> {
  return objects
    .filter(o => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map(o => ({ kind: o.kind, name: o.metadata.name, replicas: o.spec.replicas ?? 1 }));
}

/** How many pods the workloads run when everything is up. */
export function expectedPods(objects: readonly Manifest[]): number {
  return workloadsOf(objects).reduce((sum, w) => sum + w.replicas, 0);
}

/** The pods that belong to the scenario's workloads (not Job pods, not test pods), alive. */
export function workloadPods(pods: readonly LivePod[]): LivePod[] {
  return pods.filter(p => (p.ownerKind === 'ReplicaSet' || p.ownerKind === 'StatefulSet') && !p.deleting);
}

/** A short account of every pod that is not Ready, with the scheduler's reason where it gave one. */
export function describePods(pods: readonly LivePod[]): string {
  const lines = pods.filter(p => !p.ready).map(p => {
    const where = p.nodeName ? ` on ${p.nodeName}` : '';
    const why = p.unschedulable ? `, ${p.unschedulable.reason}: ${p.unschedulable.message}` : '';
    return `  ${p.name}: ${p.phase}${where}${why}`;
  });
  return lines.join('\n') || '  (every pod Ready)';
}

/**
 * Waits until every Deployment and StatefulSet of the scenario reports all its replicas updated and ready and
 * only those pods run; returns the pods. Fails with the pods that are not Ready and the scheduler's reasons.
 */
export async function waitForPlane(cluster: HostCluster, scenario: Scenario, timeoutMs = 180_000): Promise<LivePod[]> {
  const wanted = workloadsOf(scenario.objects);
  return waitFor(`every workload of ${scenario.name} ready`, async () => {
    const [deployments, statefulSets] = await Promise.all([
      cluster.getJson(['deployments', '--namespace', scenario.namespace]),
      cluster.getJson(['statefulsets', '--namespace', scenario.namespace]),
    ]);
    const live = new Map<string, any>([...deployments.items, ...statefulSets.items].map((o: any) => [`${o.kind}/${o.metadata.name}`, o]));
    for (const workload of wanted) {
      const object = live.get(`${workload.kind}/${workload.name}`);
      const status = object?.status ?? {};
      if (!object || status.observedGeneration !== object.metadata.generation) return undefined;
      if ((status.readyReplicas ?? 0) !== workload.replicas || (status.replicas ?? 0) !== workload.replicas) return undefined;
      if (workload.kind === 'Deployment' && (status.updatedReplicas ?? 0) !== workload.replicas) return undefined;
    }
    const pods = workloadPods(await cluster.pods(scenario.namespace));
    return pods.length === expectedPods(scenario.objects) && pods.every(p => p.ready) ? pods : undefined;
  }, timeoutMs, async () => describePods(workloadPods(await cluster.pods(scenario.namespace))));
}

/**
 * Waits until the scheduler has tried every pod and the set of scheduled pods holds still for `settleMs`; returns
 * the scheduled pods and the ones it left Pending (with its reasons).
 */
export interface SettledScheduling {
  readonly scheduled: LivePod[];
  readonly pending: LivePod[];
}

export async function waitForSchedulingToSettle(cluster: HostCluster, scenario: Scenario, settleMs = 5_000): Promise<SettledScheduling> {
  let last = '';
  let since = Date.now();
  return waitFor(`scheduling of ${scenario.name} to settle`, async () => {
    const pods = workloadPods(await cluster.pods(scenario.namespace));
    const pending = pods.filter(p => !p.nodeName);
    const state = pods.map(p => `${p.name}@${p.nodeName ?? (p.unschedulable ? 'unschedulable' : 'new')}`).sort().join(',');
    if (state !== last) {
      last = state;
      since = Date.now();
      return undefined;
    }
    const complete = pods.length === expectedPods(scenario.objects) && pending.every(p => p.unschedulable);
    return complete && Date.now() - since >= settleMs ? { scheduled: pods.filter(p => p.nodeName), pending } : undefined;
  }, 120_000);
}

/** One look at the plane's pods while something disrupts it. */
export interface PlaneSample {
  readonly at: number;
  /** Ready etcd members. */
  readonly readyMembers: number;
  /** Ready pods per component (app.kubernetes.io/name), etcd left out. */
  readonly readyPerComponent: Record<string, number>;
  /** Ready karmada-apiserver pods per control-plane node. */
  readonly readyApiServersPerNode: Record<string, number>;
  /** Ready pods per Deployment or StatefulSet. */
  readonly readyPerWorkload: Record<string, number>;
  /** Pods not Ready, by name. */
  readonly notReady: string[];
}

function sampleOf(pods: readonly LivePod[]): PlaneSample {
  const ready = workloadPods(pods).filter(p => p.ready);
  const readyPerComponent: Record<string, number> = {};
  const readyApiServersPerNode: Record<string, number> = {};
  const readyPerWorkload: Record<string, number> = {};
  for (const pod of ready) {
    readyPerWorkload[pod.workload!] = (readyPerWorkload[pod.workload!] ?? 0) + 1;
    const component = pod.labels[KarmadaLabels.NAME];
    if (component === 'etcd') continue;
    readyPerComponent[component] = (readyPerComponent[component] ?? 0) + 1;
    if (component === 'karmada-apiserver') {
      const node = pod.labels[KarmadaLabels.CONTROL_PLANE_NODE];
      readyApiServersPerNode[node] = (readyApiServersPerNode[node] ?? 0) + 1;
    }
  }
  return {
    at: Date.now(),
    readyMembers: ready.filter(p => p.labels[KarmadaLabels.NAME] === 'etcd').length,
    readyPerComponent,
    readyApiServersPerNode,
    readyPerWorkload,
    notReady: workloadPods(pods).filter(p => !p.ready).map(p => p.name),
  };
}

/** Samples the plane's pods every `intervalMs` until stopped. */
export class PlaneMonitor {
  public static start(cluster: HostCluster, namespace: string, intervalMs = 200): PlaneMonitor {
    const monitor = new PlaneMonitor(cluster, namespace, intervalMs);
    PlaneMonitor.active.add(monitor);
    return monitor;
  }

  /**
   * Stops every monitor still sampling: for an afterAll, so that a test that failed before its own stop() leaves
   * no loop polling a stopped cluster (which would keep jest from exiting).
   */
  public static async stopAll(): Promise<void> {
    await Promise.all([...PlaneMonitor.active].map(m => m.stop()));
  }

  private static readonly active = new Set<PlaneMonitor>();

  public readonly samples: PlaneSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(cluster: HostCluster, namespace: string, intervalMs: number) {
    this.loop = (async () => {
      while (this.running && !cluster.isStopped) {
        try {
          this.samples.push(sampleOf(await cluster.pods(namespace)));
        } catch {
          // a slow answer is skipped, not fatal
        }
        await sleep(intervalMs);
      }
    })();
  }

  public async stop(): Promise<PlaneSample[]> {
    this.running = false;
    PlaneMonitor.active.delete(this);
    await this.loop;
    return this.samples;
  }
}

/** The fewest ready pods of each component (and etcd members, as `etcd`) over the samples. */
export function lowestReady(samples: readonly PlaneSample[], components: readonly string[]): Record<string, number> {
  const lowest: Record<string, number> = {};
  for (const sample of samples) {
    for (const component of components) {
      const value = component === 'etcd' ? sample.readyMembers : (sample.readyPerComponent[component] ?? 0);
      lowest[component] = Math.min(lowest[component] ?? Infinity, value);
    }
  }
  return lowest;
}

/** The components (app.kubernetes.io/name) the control-plane nodes run, e.g. karmada-apiserver. */
export function nodeComponents(objects: readonly Manifest[]): string[] {
  return [...new Set(objects
    .filter(o => o.kind === 'Deployment' && o.spec.template.metadata.labels[KarmadaLabels.CONTROL_PLANE_NODE])
    .map(o => o.spec.template.metadata.labels[KarmadaLabels.NAME] as string))].sort();
}
