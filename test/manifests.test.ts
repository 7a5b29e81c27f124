import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { EtcdTopology, HATopologyProps, IssuerReference, KarmadaAgent, Pki } from '../src';
import { customResourceKinds, validateCustomResource } from './crd-schema';
import { container, Manifest, synthTopology, workloads } from './util';

/** Every scenario the library supports; every one must be valid Kubernetes with real flags only. */
const SCENARIOS: Array<[string, HATopologyProps]> = [
  ['stacked 3', { etcd: EtcdTopology.stacked() }],
  ['stacked 5 over zones', { controlPlaneNodes: 5, failureDomain: kplus.Topology.ZONE, zones: ['a', 'b', 'c', 'd', 'e'] }],
  ['external 3+3', { etcd: EtcdTopology.external() }],
  ['external 3+5', { etcd: EtcdTopology.external({ members: 5 }), apiServerService: { type: kplus.ServiceType.LOAD_BALANCER } }],
  ['external endpoints', { etcd: EtcdTopology.externalEndpoints({ endpoints: ['https://e0.example:2379', 'https://e1.example:2379', 'https://e2.example:2379'], clientCertificateSecret: 'etcd-client' }) }],
  ['external 3+3 on dedicated, tainted hosts', {
    etcd: EtcdTopology.external(),
    controlPlaneHosts: { nodeLabels: { 'node-role.kubernetes.io/karmada': 'control-plane' }, tolerations: [kplus.NodeTaintQuery.exists('node-role.kubernetes.io/control-plane')] },
    etcdHosts: { nodeLabels: { 'node-role.kubernetes.io/karmada': 'etcd' } },
  }],
  ['NodePort entry point', { apiServerService: { type: kplus.ServiceType.NODE_PORT, nodePort: 32443 } }],
  ['every optional component, pull mode, load balancer', {
    components: { descheduler: true, search: true, metricsAdapter: true, schedulerEstimatorClusters: ['member-1', 'member-2'] },
    pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
    apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, externalDnsNames: ['karmada.example.com'], externalIpAddresses: ['203.0.113.10'] },
  }],
  ['issuers of the user\'s', { pki: Pki.certManager({ karmadaIssuer: IssuerReference.clusterIssuer('corp-ca'), etcdIssuer: IssuerReference.issuer('etcd-ca') }) }],
  ['Secrets of the user\'s', { pki: Pki.existingSecrets() }],
];

type Model = new (data: any) => { validate(): void };
const MODELS: Record<string, Model> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'batch/v1/CronJob': CronJob,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
};

/**
 * The images whose containers run tools, not control-plane components: no flag list of ours covers them. The
 * bootstrap Job's kubectl command line is checked by a real kubectl instead (test/bootstrap-job-kubectl.test.ts), and
 * its busybox script by a real busybox (test/bootstrap-job-busybox.test.ts).
 */
const TOOL_IMAGES = ['kubectl', 'busybox'];

/** The flag lists of every component, one long flag name per line (copied from the project's vendor data). */
const FLAG_LISTS = path.join(__dirname, 'fixtures', 'flags');

function knownFlags(component: string): Set<string> {
  const file = path.join(FLAG_LISTS, `${component}.txt`);
  return new Set(fs.readFileSync(file, 'utf8').split('\n').map(line => line.trim()).filter(Boolean));
}

/** The flag list a container's image is checked against. */
function componentOf(image: string): string {
  const repository = image.replace(/[:@].*$/, '').split('/').pop()!;
  return repository;
}

/** Kubernetes-style binaries treat '_' and '-' alike; etcd (Go's flag package) does not. */
function flagName(arg: string, component: string): string {
  const name = arg.replace(/^--?/, '').split('=')[0];
  return component === 'etcd' ? name : name.replace(/_/g, '-');
}

describe.each(SCENARIOS)('%s', (_scenario, props) => {
  const { objects } = synthTopology(props);

  test('every object validates against its schema: Kubernetes objects with kubernetes-models, cert-manager objects against their CRDs', () => {
    const customKinds = new Set(customResourceKinds());
    for (const object of objects) {
      const kind = `${object.apiVersion}/${object.kind}`;
      if (customKinds.has(kind)) {
        expect(() => validateCustomResource(object)).not.toThrow();
        continue;
      }
      const model = MODELS[kind];
      expect(model).toBeDefined();
      expect(() => new model(object).validate()).not.toThrow();
    }
  });

  test('every flag of every container exists in its component\'s flag list', () => {
    const unknown: string[] = [];
    for (const workload of workloads(objects)) {
      for (const c of workload.spec.template.spec.containers as Manifest[]) {
        const component = componentOf(c.image);
        if (TOOL_IMAGES.includes(component)) continue;
        const flags = knownFlags(component);
        for (const arg of c.args ?? []) {
          expect(arg).toMatch(/^--[a-z0-9-]+=/);
          if (!flags.has(flagName(arg, component))) unknown.push(`${workload.metadata.name}/${c.name}: ${arg}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  test('every $(VAR) in a flag is an env var of its container, and every file a flag names is under a mount', () => {
    for (const workload of workloads(objects).filter(w => !TOOL_IMAGES.includes(componentOf(container(w).image)))) {
      const main = container(workload);
      const envNames = new Set((main.env ?? []).map((e: Manifest) => e.name));
      const mountPaths: string[] = (main.volumeMounts ?? []).map((m: Manifest) => m.mountPath);
      for (const arg of main.args as string[]) {
        for (const [, variable] of arg.matchAll(/\$\(([A-Z_]+)\)/g)) expect(envNames).toContain(variable);
        const value = arg.split('=').slice(1).join('=');
        for (const file of value.split(',').filter(v => v.startsWith('/etc/') || v.startsWith('/var/'))) {
          expect(mountPaths.some(mount => file === mount || file.startsWith(`${mount}/`))).toBe(true);
        }
      }
    }
  });
});

/**
 * The member cluster's workload (pull mode): karmada-agent, run by no HATopology. Its Deployment goes through the
 * same schema, flag and mount checks, with every optional flag on.
 */
describe('karmada-agent in a member cluster', () => {
  const chart = new Chart(Testing.app(), 'member');
  new KarmadaAgent(chart, 'agent', {
    clusterName: 'member-2', clusterApiEndpoint: 'https://member-2.example.com:6443', provider: 'aws', region: 'eu-west-1', zones: ['eu-west-1a'], certRotation: true,
  });
  const agents = workloads(Testing.synth(chart));

  test('its Deployment validates against the schema', () => {
    expect(agents.map(w => w.kind)).toEqual(['Deployment']);
    expect(() => new Deployment(agents[0]).validate()).not.toThrow();
  });

  test('every flag exists in karmada-agent\'s flag list, every file it names is under a mount, every $(VAR) is set', () => {
    const main = container(agents[0]);
    expect(componentOf(main.image)).toBe('karmada-agent');
    const flags = knownFlags('karmada-agent');
    const envNames = new Set((main.env ?? []).map((e: Manifest) => e.name));
    const mountPaths: string[] = main.volumeMounts.map((m: Manifest) => m.mountPath);
    for (const arg of main.args as string[]) {
      expect(arg).toMatch(/^--[a-z0-9-]+=/);
      expect(flags).toContain(flagName(arg, 'karmada-agent'));
      for (const [, variable] of arg.matchAll(/\$\(([A-Z_]+)\)/g)) expect(envNames).toContain(variable);
      const value = arg.split('=').slice(1).join('=');
      for (const file of value.split(',').filter(v => v.startsWith('/etc/') || v.startsWith('/var/'))) {
        expect(mountPaths.some(mount => file.startsWith(`${mount}/`))).toBe(true);
      }
    }
  });
});

test('the flag check can fail: an unknown flag is caught', () => {
  expect(knownFlags('kube-apiserver').has(flagName('--etcd-server=https://x:2379', 'kube-apiserver'))).toBe(false);
  expect(knownFlags('etcd').has(flagName('--initial_cluster=x', 'etcd'))).toBe(false);
  expect(knownFlags('karmada-scheduler').has(flagName('--leader_elect=true', 'karmada-scheduler'))).toBe(true);
});

test('the schema check can fail: a broken Deployment is caught', () => {
  const { objects } = synthTopology();
  const deployment = JSON.parse(JSON.stringify(objects.find(o => o.kind === 'Deployment')));
  deployment.spec.replicas = 'one';
  expect(() => new Deployment(deployment).validate()).toThrow(/replicas/);
});
