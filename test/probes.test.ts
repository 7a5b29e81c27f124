import * as fs from 'fs';
import * as path from 'path';
import { EtcdTopology, KarmadaLabels } from '../src';
import { Manifest, synthTopology } from './util';

/**
 * The startup, readiness and liveness probes of every component, read from the synthesized objects: the timing rules
 * they must keep, and the "Probes" table of docs/security.md, which must equal the one generated here (so it cannot
 * drift).
 */

// Every component, etcd members and estimators included.
const { objects } = synthTopology({
  etcd: EtcdTopology.external({ members: 3 }),
  components: { descheduler: true, search: true, metricsAdapter: true, schedulerEstimatorClusters: ['member-1'] },
  pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
});

type ProbeKind = 'startupProbe' | 'readinessProbe' | 'livenessProbe';
const PROBES: ProbeKind[] = ['startupProbe', 'readinessProbe', 'livenessProbe'];

/** The long-running containers (Deployments and StatefulSets), one per component: every instance must be the same. */
function containersByComponent(): Map<string, Manifest> {
  const byComponent = new Map<string, Manifest>();
  for (const workload of objects.filter(o => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const component: string = workload.spec.template.metadata.labels[KarmadaLabels.NAME];
    const container = workload.spec.template.spec.containers[0];
    const seen = byComponent.get(component);
    if (seen && JSON.stringify(PROBES.map(p => seen[p])) !== JSON.stringify(PROBES.map(p => container[p]))) {
      throw new Error(`${workload.metadata.name}: the probes of ${component} differ between its instances`);
    }
    byComponent.set(component, container);
  }
  return byComponent;
}
const CONTAINERS = containersByComponent();

/** The seconds a probe takes to fail: the kubelet acts after `failureThreshold` failures `periodSeconds` apart. */
const windowOf = (probe: Manifest): number => (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);

function describeProbe(probe: Manifest): string {
  const get = probe.httpGet;
  const target = get ? `${get.scheme === 'HTTPS' ? 'https' : 'http'} ${get.path} :${get.port}` : JSON.stringify(probe);
  return `${target}, ${probe.periodSeconds ?? 10} s × ${probe.failureThreshold ?? 3} = ${windowOf(probe)} s`;
}

/** The docs/security.md table: one row per component. */
function probesTable(): string {
  const rows = [...CONTAINERS.entries()].map(([component, c]) => `| ${component} | ${PROBES.map(p => describeProbe(c[p])).join(' | ')} |`);
  return [
    '| Component | Startup | Readiness | Liveness |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Seconds of a Go duration flag such as `10s` or `1m30s`. */
function seconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(duration);
  if (!match || duration === '') throw new Error(`not a duration: ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}
const flagValue = (c: Manifest, name: string): string | undefined =>
  (c.args ?? []).find((a: string) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('every component has the three probes', () => {
  test.each([...CONTAINERS.keys()])('%s', component => {
    for (const probe of PROBES) expect(CONTAINERS.get(component)![probe]).toBeDefined();
  });

  test('the table covers every component, etcd and the estimators included', () => {
    expect([...CONTAINERS.keys()].sort()).toEqual([
      'etcd', 'karmada-aggregated-apiserver', 'karmada-apiserver', 'karmada-controller-manager', 'karmada-descheduler',
      'karmada-metrics-adapter', 'karmada-scheduler', 'karmada-scheduler-estimator', 'karmada-search', 'karmada-webhook',
      'kube-controller-manager',
    ]);
  });
});

describe('timing rules', () => {
  test('karmada-apiserver is ready on /readyz (its etcd and etcd-readiness checks: an apiserver without etcd leaves the entry point), alive on /livez', () => {
    const apiServer = CONTAINERS.get('karmada-apiserver')!;
    expect(apiServer.readinessProbe.httpGet.path).toBe('/readyz');
    expect(apiServer.livenessProbe.httpGet.path).toBe('/livez');
    expect(apiServer.startupProbe.httpGet.path).toBe('/livez');
  });

  test('a cold karmada-apiserver (etcd connection, 19 CRDs established, post-start hooks) has at least 3 minutes to start', () => {
    expect(windowOf(CONTAINERS.get('karmada-apiserver')!.startupProbe)).toBeGreaterThanOrEqual(180);
  });

  test('a bootstrapping etcd member waits for its peers for at least 5 minutes before a restart', () => {
    expect(windowOf(CONTAINERS.get('etcd')!.startupProbe)).toBeGreaterThanOrEqual(300);
  });

  test.each([...CONTAINERS.keys()])('%s: liveness gives up no sooner than readiness (a pod leaves its Service before it is killed)', component => {
    const c = CONTAINERS.get(component)!;
    expect(windowOf(c.livenessProbe)).toBeGreaterThanOrEqual(windowOf(c.readinessProbe));
  });

  const electing = [...CONTAINERS.entries()].filter(([, c]) => flagValue(c, 'leader-elect') === 'true');
  test('the components that elect a leader are the controller managers, the scheduler and the descheduler', () => {
    expect(electing.map(([component]) => component).sort()).toEqual([
      'karmada-controller-manager', 'karmada-descheduler', 'karmada-scheduler', 'kube-controller-manager',
    ]);
  });
  test.each(electing)('%s: liveness is never shorter than the leader-election renew deadline', (_component, c) => {
    // A leader that cannot renew steps down by itself within the renew deadline; liveness must not kill it first.
    const renewDeadline = seconds(flagValue(c, 'leader-elect-renew-deadline') ?? '10s');
    expect(windowOf(c.livenessProbe)).toBeGreaterThanOrEqual(renewDeadline);
  });
});

describe('docs/security.md', () => {
  test('its "Probes" table is the one the code synthesizes', () => {
    const page = fs.readFileSync(path.join(__dirname, '..', 'docs', 'security.md'), 'utf8');
    const match = /<!-- probes-table:begin -->\n([\s\S]*?)\n<!-- probes-table:end -->/.exec(page);
    // On a change of probes, paste the table printed below between the probes-table markers of docs/security.md.
    expect(match?.[1]).toEqual(probesTable());
  });
});
