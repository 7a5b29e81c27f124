import * as fs from 'fs';
import * as path from 'path';
import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EtcdMember, EtcdTopology, KarmadaControlPlaneNode, KarmadaLabels, KarmadaSchedulerEstimator, KarmadaWarnings,
} from '../src';
import { Manifest, find, ofKind, podSpec, synthTopology, workloads } from './util';

const byComponent = (objects: Manifest[], component: string): Manifest[] =>
  workloads(objects).filter(w => w.spec.template.metadata.labels[KarmadaLabels.NAME] === component);
const resourcesOf = (workload: Manifest): Manifest => podSpec(workload).containers[0].resources;

describe('per-component settings', () => {
  const defaults = synthTopology({ components: { schedulerEstimatorClusters: ['member-1'] } }).objects;
  const { objects } = synthTopology({
    components: { schedulerEstimatorClusters: ['member-1'] },
    componentSettings: {
      scheduler: {
        resources: {
          cpu: { request: kplus.Cpu.millis(300), limit: kplus.Cpu.units(1) },
          memory: { request: Size.mebibytes(256), limit: Size.gibibytes(2) },
        },
        priorityClassName: 'karmada-high',
      },
      apiServer: { priorityClassName: '' },
      etcd: { resources: { cpu: { request: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(16) } } },
      schedulerEstimator: { resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) } }, priorityClassName: 'estimators' },
    },
  });

  test('an override replaces that component\'s resources on every node', () => {
    // GIVEN scheduler resources WHEN synthesized THEN each of the 3 schedulers has them, whole
    const schedulers = byComponent(objects, 'karmada-scheduler');
    expect(schedulers).toHaveLength(3);
    for (const scheduler of schedulers) {
      expect(resourcesOf(scheduler)).toEqual({ requests: { cpu: '300m', memory: '256Mi' }, limits: { cpu: '1', memory: '2048Mi' } });
      expect(podSpec(scheduler).priorityClassName).toBe('karmada-high');
    }
  });

  test('etcd members and estimators take theirs', () => {
    for (const member of ofKind(objects, 'StatefulSet')) {
      expect(resourcesOf(member)).toEqual({ requests: { cpu: '2', memory: '8192Mi' }, limits: { memory: '16384Mi' } });
      expect(podSpec(member).priorityClassName).toBe('system-node-critical');
    }
    const estimator = find(objects, 'Deployment', 'karmada-scheduler-estimator-member-1');
    expect(resourcesOf(estimator)).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
    expect(podSpec(estimator).priorityClassName).toBe('estimators');
  });

  test('an empty priorityClassName sets none', () => {
    for (const apiServer of byComponent(objects, 'karmada-apiserver')) {
      expect(podSpec(apiServer).priorityClassName).toBeUndefined();
    }
  });

  test('every other component keeps its default resources and class', () => {
    // GIVEN the default synthesis WHEN compared with the overridden one THEN the components not named are identical
    for (const component of ['karmada-controller-manager', 'kube-controller-manager', 'karmada-webhook', 'karmada-aggregated-apiserver']) {
      expect(byComponent(objects, component).map(w => w.spec.template.spec)).toEqual(byComponent(defaults, component).map(w => w.spec.template.spec));
    }
  });
});

describe('defaults follow upstream guidance', () => {
  const { objects } = synthTopology();

  test.each([
    ['etcd', { requests: { cpu: '500m', memory: '1024Mi' }, limits: { memory: '8192Mi' } }, 'system-node-critical'],
    ['karmada-apiserver', { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '4096Mi' } }, 'system-node-critical'],
    ['kube-controller-manager', { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '2048Mi' } }, 'system-cluster-critical'],
    ['karmada-controller-manager', { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '2048Mi' } }, 'system-cluster-critical'],
    ['karmada-scheduler', { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1024Mi' } }, 'system-cluster-critical'],
  ])('%s: %j, %s', (component, resources, priorityClassName) => {
    // kubeadm's static pods request 250m (apiserver), 200m (controller manager), 100m (scheduler), 100m/100Mi (etcd)
    for (const workload of byComponent(objects, component)) {
      expect(resourcesOf(workload)).toEqual(resources);
      expect(podSpec(workload).priorityClassName).toBe(priorityClassName);
    }
  });

  test('the bootstrap Job has no PriorityClass: it can wait', () => {
    for (const job of ofKind(objects, 'Job')) expect(podSpec(job).priorityClassName).toBeUndefined();
  });
});

describe('validation', () => {
  const topology = (componentSettings: any) => () => synthTopology({ componentSettings });

  test('a limit below its request names the property', () => {
    expect(topology({
      etcd: { resources: { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } } },
      apiServer: { resources: { cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(100) }, memory: { limit: Size.gibibytes(1) } } },
    })).toThrow([
      "invalid HATopology 'test/karmada':",
      '- componentSettings.apiServer.resources.cpu.limit 100m is below its request 250m: raise componentSettings.apiServer.resources.cpu.limit to at least the request, or lower the request',
      '- componentSettings.etcd.resources.memory.limit 512Mi is below its request 1024Mi: raise componentSettings.etcd.resources.memory.limit to at least the request, or lower the request',
    ].join('\n'));
  });

  test('a PriorityClass name must be a DNS-1123 subdomain', () => {
    expect(topology({ webhook: { priorityClassName: 'High_Priority' } })).toThrow(
      "componentSettings.webhook.priorityClassName 'High_Priority' is not a PriorityClass name (a DNS-1123 subdomain): use e.g. 'system-cluster-critical', or '' for none");
  });

  test('no memory limit, or a CPU limit on etcd or the apiserver, is a warning', () => {
    const { topology: built } = synthTopology({
      componentSettings: {
        search: { resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(128) } } },
        etcd: {
          resources: {
            cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) },
            memory: { request: Size.gibibytes(1), limit: Size.gibibytes(8) },
          },
        },
      },
    });
    expect(KarmadaWarnings.of(built)).toEqual(expect.arrayContaining([
      'componentSettings.search.resources has no memory limit: a leak in karmada-search can exhaust its host\'s memory and take the host\'s other control-plane pods with it; set componentSettings.search.resources.memory.limit',
      'componentSettings.etcd.resources.cpu.limit is set on etcd: CPU throttling stalls etcd heartbeats and lease renewals and causes leader elections; remove componentSettings.etcd.resources.cpu.limit and size componentSettings.etcd.resources.cpu.request instead',
    ]));
  });

  test('the defaults warn about nothing', () => {
    const { topology: built } = synthTopology({ etcd: EtcdTopology.external() });
    expect(KarmadaWarnings.of(built).filter(w => w.startsWith('componentSettings'))).toEqual([]);
  });

  test('the constructs check their own props', () => {
    const chart = () => Testing.chart();
    expect(() => new EtcdMember(chart(), 'm', {
      memberName: 'etcd-0',
      initialClusterMembers: ['etcd-0'],
      priorityClassName: 'Bad',
      resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } },
    })).toThrow([
      'resources.memory.limit 1024Mi is below its request 2048Mi: raise resources.memory.limit to at least the request, or lower the request',
      "priorityClassName 'Bad' is not a PriorityClass name (a DNS-1123 subdomain): use e.g. 'system-cluster-critical', or '' for none",
    ].join('\n'));
    expect(() => new KarmadaSchedulerEstimator(chart(), 'e', {
      memberClusterName: 'member-1', resources: { cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.millis(500) } },
    })).toThrow('resources.cpu.limit 500m is below its request 1: raise resources.cpu.limit to at least the request, or lower the request');
    expect(() => new KarmadaControlPlaneNode(chart(), 'n', {
      nodeName: 'cp-0',
      etcdServers: ['https://etcd-0.example.internal:2379'],
      componentSettings: { scheduler: { resources: { ephemeralStorage: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } } },
    })).toThrow('componentSettings.scheduler.resources.ephemeralStorage.limit 1024Mi is below its request 2048Mi: raise componentSettings.scheduler.resources.ephemeralStorage.limit to at least the request, or lower the request');
  });
});

describe('Pod Security admission on the namespace', () => {
  test('enforces restricted at a pinned version and audits and warns at latest', () => {
    // GIVEN the default topology WHEN synthesized THEN its Namespace carries the Pod Security labels
    const namespace = find(synthTopology().objects, 'Namespace', 'karmada-system');
    expect(namespace.metadata.labels).toEqual(expect.objectContaining({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    }));
  });
});

describe('docs/security.md', () => {
  /** One row per component and container of every workload (CronJob templates included), as synthesized by default. */
  function resourcesTable(): string {
    const { objects } = synthTopology({
      etcd: EtcdTopology.external({ members: 3 }),
      components: { descheduler: true, search: true, metricsAdapter: true, schedulerEstimatorClusters: ['member-1'] },
    });
    const rows: string[] = [];
    const seen = new Set<string>();
    for (const object of objects) {
      const template = object.kind === 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec?.template;
      if (!template?.spec) continue;
      const component: string = template.metadata.labels[KarmadaLabels.NAME];
      if (seen.has(component)) continue;
      seen.add(component);
      const containers: Manifest[] = [...template.spec.initContainers ?? [], ...template.spec.containers];
      const cell = (value: string | undefined) => value ?? 'none';
      // Containers of one component with the same resources share a row.
      const groups = new Map<string, string[]>();
      for (const c of containers) {
        const r = c.resources ?? {};
        const cells = `${cell(r.requests?.cpu)} | ${cell(r.limits?.cpu)} | ${cell(r.requests?.memory)} | ${cell(r.limits?.memory)} | ${cell(template.spec.priorityClassName)}`;
        groups.set(cells, [...groups.get(cells) ?? [], c.name]);
      }
      for (const [cells, names] of groups) {
        const name = groups.size === 1 ? `${component}${names.length > 1 ? ` (each of ${names.length} containers)` : ''}` : `${component} (${names.join(', ')})`;
        rows.push(`| ${name} | ${cells} |`);
      }
    }
    return [
      '| Component | CPU request | CPU limit | Memory request | Memory limit | PriorityClass |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
  }

  test('its defaults table is the one the code synthesizes', () => {
    const page = fs.readFileSync(path.join(__dirname, '..', 'docs', 'security.md'), 'utf8');
    const match = /<!-- resources-table:begin -->\n([\s\S]*?)\n<!-- resources-table:end -->/.exec(page);
    // On a change of defaults, paste the table printed below between the resources-table markers of docs/security.md.
    expect(match?.[1]).toEqual(resourcesTable());
  });
});
