import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'yaml';
import { EtcdTopology, HATopology, IssuerReference, KarmadaLabels, KarmadaWarnings, Pki } from '../src';
import { find, flag, Manifest, ofKind, podLabels, podSpec, synthTopology } from './util';

const NODES = ['karmada-cp-0', 'karmada-cp-1', 'karmada-cp-2'];
const MEMBERS = ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'];
const COMPONENTS = ['apiserver', 'aggregated-apiserver', 'kube-controller-manager', 'controller-manager', 'scheduler', 'webhook'];
const ENDPOINTS = ['https://etcd-a.example.internal:2379', 'https://etcd-b.example.internal:2379', 'https://etcd-c.example.internal:2379'];

const memberUrl = (member: string, port: number) => `https://${member}.karmada-system.svc.cluster.local:${port}`;
const required = (workload: Manifest, kind: 'podAffinity' | 'podAntiAffinity') =>
  podSpec(workload).affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? [];

/** The required affinity term that keeps a node's pods on one host. */
const sameHostAsNode = (node: string) => ({
  labelSelector: { matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.CONTROL_PLANE_NODE]: node } },
  topologyKey: 'kubernetes.io/hostname',
});
/** The required anti-affinity term that keeps other nodes' pods out of a node's failure domain. */
const awayFromOtherNodes = (node: string, topologyKey = 'kubernetes.io/hostname') => ({
  labelSelector: {
    matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada' },
    matchExpressions: [
      { key: KarmadaLabels.CONTROL_PLANE_NODE, operator: 'Exists' },
      { key: KarmadaLabels.CONTROL_PLANE_NODE, operator: 'NotIn', values: [node] },
    ],
  },
  topologyKey,
});
const awayFromOtherMembers = (member: string, topologyKey = 'kubernetes.io/hostname') => ({
  labelSelector: {
    matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'etcd' },
    matchExpressions: [{ key: KarmadaLabels.ETCD_MEMBER, operator: 'NotIn', values: [member] }],
  },
  topologyKey,
});
const awayFromEveryNode = {
  labelSelector: {
    matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada' },
    matchExpressions: [{ key: KarmadaLabels.CONTROL_PLANE_NODE, operator: 'Exists' }],
  },
  topologyKey: 'kubernetes.io/hostname',
};
const awayFromEveryMember = {
  labelSelector: { matchLabels: { [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'etcd' } },
  topologyKey: 'kubernetes.io/hostname',
};

describe('stacked etcd, 3 control-plane nodes', () => {
  // GIVEN the default topology WHEN synthesized
  const { objects, topology } = synthTopology({ etcd: EtcdTopology.stacked() });

  test('synthesizes the whole control plane', () => {
    expect(objects).toMatchSnapshot();
    expect(ofKind(objects, 'StatefulSet').map(o => o.metadata.name)).toEqual(MEMBERS);
    expect(ofKind(objects, 'Deployment')).toHaveLength(18);
    expect(topology.etcdMembers.map(m => m.controlPlaneNode)).toEqual(NODES);
  });

  test.each(NODES.map((node, index) => [node, MEMBERS[index]]))('%s: every pod shares one host with etcd member %s', (node, member) => {
    const etcd = find(objects, 'StatefulSet', member);
    // THEN the member carries its node's label, so the node's affinity term selects it ...
    expect(podLabels(etcd)[KarmadaLabels.CONTROL_PLANE_NODE]).toBe(node);
    // ... and the member and every component of the node are required onto the host of that node's pods.
    expect(required(etcd, 'podAffinity')).toEqual([sameHostAsNode(node)]);
    for (const component of COMPONENTS) {
      expect(required(find(objects, 'Deployment', `${node}-${component}`), 'podAffinity')).toEqual([sameHostAsNode(node)]);
    }
  });

  test.each(NODES.map((node, index) => [node, MEMBERS[index]]))('%s: the apiserver talks only to its local member %s', (node, member) => {
    expect(flag(find(objects, 'Deployment', `${node}-apiserver`), 'etcd-servers')).toBe(memberUrl(member, 2379));
  });

  test('no two control-plane nodes and no two etcd members share a host', () => {
    NODES.forEach((node, index) => {
      for (const component of COMPONENTS) {
        expect(required(find(objects, 'Deployment', `${node}-${component}`), 'podAntiAffinity')).toEqual([awayFromOtherNodes(node)]);
      }
      expect(required(find(objects, 'StatefulSet', MEMBERS[index]), 'podAntiAffinity')).toEqual([
        awayFromOtherMembers(MEMBERS[index]), awayFromOtherNodes(node),
      ]);
    });
  });

  test('every member bootstraps with the same initial cluster', () => {
    const initialCluster = MEMBERS.map(member => `${member}=${memberUrl(member, 2380)}`).join(',');
    for (const member of MEMBERS) {
      const etcd = find(objects, 'StatefulSet', member);
      expect(flag(etcd, 'initial-cluster')).toBe(initialCluster);
      expect(flag(etcd, 'initial-cluster-state')).toBe('new');
      expect(flag(etcd, 'name')).toBe(member);
      expect(flag(etcd, 'initial-advertise-peer-urls')).toBe(memberUrl(member, 2380));
      expect(flag(etcd, 'advertise-client-urls')).toBe(memberUrl(member, 2379));
    }
  });

  test('etcd uses TLS with client certificates for clients and peers', () => {
    for (const member of MEMBERS) {
      const etcd = find(objects, 'StatefulSet', member);
      expect(flag(etcd, 'client-cert-auth')).toBe('true');
      expect(flag(etcd, 'peer-client-cert-auth')).toBe('true');
      expect(flag(etcd, 'listen-client-urls')).toMatch(/^https:/);
      expect(flag(etcd, 'listen-peer-urls')).toMatch(/^https:/);
    }
  });

  test('each member has a headless Service that publishes not-ready addresses and selects only that member', () => {
    for (const member of MEMBERS) {
      const service = find(objects, 'Service', member);
      expect(service.spec.clusterIP).toBe('None');
      expect(service.spec.publishNotReadyAddresses).toBe(true);
      expect(service.spec.selector).toEqual({ [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'etcd', [KarmadaLabels.ETCD_MEMBER]: member });
      expect(find(objects, 'StatefulSet', member).spec.serviceName).toBe(member);
    }
  });

  test('one ClusterIP Service is the entry point to every apiserver; each node also has its own', () => {
    const entryPoint = find(objects, 'Service', 'karmada-apiserver');
    expect(entryPoint.spec.type).toBe('ClusterIP');
    expect(entryPoint.spec.selector).toEqual({ [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'karmada-apiserver' });
    for (const node of NODES) {
      expect(find(objects, 'Service', `${node}-apiserver`).spec.selector).toEqual({
        [KarmadaLabels.INSTANCE]: 'karmada', [KarmadaLabels.NAME]: 'karmada-apiserver', [KarmadaLabels.CONTROL_PLANE_NODE]: node,
      });
    }
    expect(topology.apiServerUrl).toBe('https://karmada-apiserver.karmada-system.svc.cluster.local:5443');
  });

  test('the scheduler and controller manager of a node talk to that node\'s apiserver with their own certificate', () => {
    for (const node of NODES) {
      const kubeconfigs = find(objects, 'ConfigMap', `${node}-kubeconfigs`).data;
      for (const component of ['karmada-scheduler', 'karmada-controller-manager']) {
        const kubeconfig = yaml.parse(kubeconfigs[`${component}.kubeconfig`]);
        expect(kubeconfig.clusters).toEqual([{
          name: 'karmada-apiserver',
          cluster: { 'server': `https://${node}-apiserver.karmada-system.svc.cluster.local:5443`, 'certificate-authority': '/etc/karmada/pki/client/ca.crt' },
        }]);
        // THEN the kubeconfig holds paths to the mounted client certificate, never key material
        expect(kubeconfig.users).toEqual([{ name: component, user: { 'client-certificate': '/etc/karmada/pki/client/tls.crt', 'client-key': '/etc/karmada/pki/client/tls.key' } }]);
        const deployment = find(objects, 'Deployment', `${node}-${component.replace('karmada-', '')}`);
        expect(flag(deployment, 'kubeconfig')).toBe(`/etc/karmada/config/${component}.kubeconfig`);
        expect(podSpec(deployment).volumes).toContainEqual({
          name: 'client-cert', secret: { secretName: `karmada-${component.replace('karmada-', '')}-client-cert`, defaultMode: 0o440 },
        });
      }
    }
  });

  test('selectors and pod labels never depend on the construct path', () => {
    // THEN no object carries cdk8s-plus's path label ...
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
    // ... so renaming the chart and the construct synthesizes exactly the same objects (no selector change, no rollout)
    const app = Testing.app();
    const renamed = new Chart(app, 'another-chart', {});
    new HATopology(renamed, 'renamed-topology', { etcd: EtcdTopology.stacked() });
    expect(Testing.synth(renamed)).toEqual(objects);
  });

  test('etcd members are rolled one at a time by the operator, never all at once by one apply', () => {
    for (const member of MEMBERS) {
      expect(find(objects, 'StatefulSet', member).spec.updateStrategy).toEqual({ type: 'OnDelete' });
    }
  });

  test('each node exposes its Deployments as escape hatches', () => {
    const node = topology.controlPlaneNodes[1];
    expect(node.deploymentOf('karmada-scheduler').name).toBe('karmada-cp-1-scheduler');
    expect(node.deploymentOf('kube-controller-manager').name).toBe('karmada-cp-1-kube-controller-manager');
    expect(() => node.deploymentOf('karmada-search'))
      .toThrow("control-plane node 'karmada-cp-1' runs no component 'karmada-search': it runs karmada-apiserver, karmada-aggregated-apiserver, kube-controller-manager, karmada-controller-manager, karmada-scheduler, karmada-webhook");
  });

  test('no Secret is synthesized: certificates and keys are only referenced', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  });

  test('three members raise no warning', () => {
    expect(KarmadaWarnings.of(topology)).toEqual([]);
  });
});

describe('external etcd, 3 control-plane nodes and 3 members', () => {
  // GIVEN an external etcd WHEN synthesized
  const { objects } = synthTopology({ etcd: EtcdTopology.external({ members: 3 }) });

  test('synthesizes the whole control plane', () => {
    expect(objects).toMatchSnapshot();
    expect(ofKind(objects, 'StatefulSet').map(o => o.metadata.name)).toEqual(MEMBERS);
    expect(ofKind(objects, 'Deployment')).toHaveLength(18);
  });

  test('every apiserver talks to every member', () => {
    for (const node of NODES) {
      expect(flag(find(objects, 'Deployment', `${node}-apiserver`), 'etcd-servers')).toBe(MEMBERS.map(m => memberUrl(m, 2379)).join(','));
    }
  });

  test('members belong to no control-plane node and keep off every control-plane host', () => {
    for (const member of MEMBERS) {
      const etcd = find(objects, 'StatefulSet', member);
      expect(podLabels(etcd)[KarmadaLabels.CONTROL_PLANE_NODE]).toBeUndefined();
      expect(required(etcd, 'podAffinity')).toEqual([]);
      expect(required(etcd, 'podAntiAffinity')).toEqual([awayFromOtherMembers(member), awayFromEveryNode]);
    }
  });

  test('control-plane pods stay together, apart from other nodes and off every etcd host', () => {
    for (const node of NODES) {
      for (const component of COMPONENTS) {
        const deployment = find(objects, 'Deployment', `${node}-${component}`);
        expect(required(deployment, 'podAffinity')).toEqual([sameHostAsNode(node)]);
        expect(required(deployment, 'podAntiAffinity')).toEqual([awayFromOtherNodes(node), awayFromEveryMember]);
      }
    }
  });

  test('every member bootstraps with the same initial cluster', () => {
    const initialCluster = MEMBERS.map(member => `${member}=${memberUrl(member, 2380)}`).join(',');
    for (const member of MEMBERS) {
      expect(flag(find(objects, 'StatefulSet', member), 'initial-cluster')).toBe(initialCluster);
    }
  });
});

describe('etcd outside the cluster', () => {
  // GIVEN external endpoints WHEN synthesized
  const { objects } = synthTopology({
    etcd: EtcdTopology.externalEndpoints({ endpoints: ENDPOINTS, clientCertificateSecret: 'external-etcd-client', keyPrefix: '/karmada/prod' }),
  });

  test('synthesizes the control plane without etcd', () => {
    expect(objects).toMatchSnapshot();
    expect(ofKind(objects, 'StatefulSet')).toEqual([]);
    expect(ofKind(objects, 'Deployment')).toHaveLength(18);
  });

  test('every apiserver dials every endpoint with the given client certificate and key prefix', () => {
    for (const node of NODES) {
      const apiServer = find(objects, 'Deployment', `${node}-apiserver`);
      expect(flag(apiServer, 'etcd-servers')).toBe(ENDPOINTS.join(','));
      expect(flag(apiServer, 'etcd-prefix')).toBe('/karmada/prod');
      expect(podSpec(apiServer).volumes).toContainEqual({ name: 'etcd-client-cert', secret: { secretName: 'external-etcd-client', defaultMode: 0o440 } });
      expect(required(apiServer, 'podAntiAffinity')).toEqual([awayFromOtherNodes(node)]);
    }
  });
});

describe('options', () => {
  test('zone failure domain separates nodes and members per zone', () => {
    // GIVEN the zone as failure domain WHEN synthesized
    const { objects } = synthTopology({ failureDomain: kplus.Topology.ZONE, zones: ['a', 'b', 'c'] });
    // THEN separation uses the zone key while colocation stays on the host
    const apiServer = find(objects, 'Deployment', 'karmada-cp-0-apiserver');
    expect(required(apiServer, 'podAntiAffinity')).toEqual([awayFromOtherNodes('karmada-cp-0', 'topology.kubernetes.io/zone')]);
    expect(required(apiServer, 'podAffinity')).toEqual([sameHostAsNode('karmada-cp-0')]);
    expect(required(find(objects, 'StatefulSet', 'karmada-etcd-0'), 'podAntiAffinity')[0]).toEqual(awayFromOtherMembers('karmada-etcd-0', 'topology.kubernetes.io/zone'));
  });

  test('karmada-search\'s Service publishes not-ready addresses; the other served components\' Services do not', () => {
    // GIVEN every served component WHEN synthesized
    const { objects } = synthTopology({ components: { search: true, metricsAdapter: true } });
    // THEN only karmada-search, which reads its own API group through the aggregator while it starts, is reachable
    // before it is Ready (the real binary never became ready otherwise: test/real-karmada.test.ts)
    const served = ['aggregated-apiserver', 'webhook', 'search', 'metrics-adapter'].map(c => find(objects, 'Service', `karmada-${c}`));
    expect(served.map(s => [s.metadata.name, s.spec.publishNotReadyAddresses ?? false])).toEqual([
      ['karmada-aggregated-apiserver', false], ['karmada-webhook', false], ['karmada-search', true], ['karmada-metrics-adapter', false],
    ]);
    expect(served.map(s => s.spec.ports)).toEqual(served.map(() => [{ name: 'https', port: 443, targetPort: 8443 }]));
  });

  test('a NodePort entry point keeps the given port', () => {
    const { objects } = synthTopology({ apiServerService: { type: kplus.ServiceType.NODE_PORT, nodePort: 32443 } });
    const entryPoint = find(objects, 'Service', 'karmada-apiserver');
    expect(entryPoint.spec.type).toBe('NodePort');
    expect(entryPoint.spec.ports).toEqual([{ name: 'https', port: 5443, targetPort: 5443, nodePort: 32443 }]);
  });

  test('a LoadBalancer entry point admits only the given source ranges', () => {
    const { objects } = synthTopology({
      apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.0.0.0/8'], annotations: { 'example.com/internal': 'true' } },
    });
    const entryPoint = find(objects, 'Service', 'karmada-apiserver');
    expect(entryPoint.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8']);
    expect(entryPoint.metadata.annotations).toEqual({ 'example.com/internal': 'true' });
  });

  test('control-plane and etcd hosts: required node labels and tolerated taints', () => {
    // GIVEN dedicated hosts for the control plane and for an external etcd
    const { objects } = synthTopology({
      etcd: EtcdTopology.external(),
      controlPlaneHosts: {
        nodeLabels: { 'node-role.kubernetes.io/karmada': 'control-plane' },
        tolerations: [kplus.NodeTaintQuery.exists('node-role.kubernetes.io/control-plane', { effect: kplus.TaintEffect.NO_SCHEDULE })],
      },
      etcdHosts: { nodeLabels: { 'node-role.kubernetes.io/karmada': 'etcd' } },
    });
    const nodeAffinity = (workload: Manifest) =>
      podSpec(workload).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    // THEN every control-plane pod requires its label and tolerates the taint; every member requires its own label
    for (const node of NODES) {
      for (const component of COMPONENTS) {
        const deployment = find(objects, 'Deployment', `${node}-${component}`);
        expect(nodeAffinity(deployment)).toEqual([{ matchExpressions: [{ key: 'node-role.kubernetes.io/karmada', operator: 'In', values: ['control-plane'] }] }]);
        expect(podSpec(deployment).tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
      }
    }
    for (const member of MEMBERS) {
      const etcd = find(objects, 'StatefulSet', member);
      expect(nodeAffinity(etcd)).toEqual([{ matchExpressions: [{ key: 'node-role.kubernetes.io/karmada', operator: 'In', values: ['etcd'] }] }]);
      expect(podSpec(etcd).tolerations).toBeUndefined();
    }
  });

  test('stacked members follow the control-plane hosts', () => {
    const { objects } = synthTopology({ controlPlaneHosts: { nodeLabels: { dedicated: 'karmada' } } });
    expect(podSpec(find(objects, 'StatefulSet', 'karmada-etcd-0')).affinity.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'dedicated', operator: 'In', values: ['karmada'] }] }] },
    });
  });

  test('names, namespace and cluster domain flow into every URL', () => {
    const { objects } = synthTopology({
      name: 'kd',
      namespace: 'multi',
      clusterDomain: 'corp.local',
      controlPlaneNodeNames: ['east', 'west', 'north'],
      etcd: EtcdTopology.stacked({ memberNames: ['etcd-e', 'etcd-w', 'etcd-n'] }),
    });
    expect(flag(find(objects, 'Deployment', 'west-apiserver'), 'etcd-servers')).toBe('https://etcd-w.multi.svc.corp.local:2379');
    expect(flag(find(objects, 'Deployment', 'west-apiserver'), 'service-account-issuer')).toBe('https://kubernetes.default.svc.corp.local');
    expect(find(objects, 'Service', 'kd-apiserver').metadata.namespace).toBe('multi');
    expect(podLabels(find(objects, 'StatefulSet', 'etcd-w'))[KarmadaLabels.CONTROL_PLANE_NODE]).toBe('west');
  });

  test('the chart\'s namespace is used when the props name none', () => {
    const { objects } = synthTopology({}, 'karmada-prod');
    expect(new Set(objects.map(o => o.metadata.namespace))).toEqual(new Set(['karmada-prod']));
    expect(flag(find(objects, 'Deployment', 'karmada-cp-0-apiserver'), 'etcd-servers')).toBe('https://karmada-etcd-0.karmada-prod.svc.cluster.local:2379');
  });

  test('5 stacked nodes make 5 members, each apiserver with its own', () => {
    const { objects } = synthTopology({ controlPlaneNodes: 5 });
    expect(ofKind(objects, 'StatefulSet')).toHaveLength(5);
    expect(flag(find(objects, 'Deployment', 'karmada-cp-4-apiserver'), 'etcd-servers')).toBe(memberUrl('karmada-etcd-4', 2379));
  });
});

/**
 * Whole-output snapshots of the option combinations the three scenarios above leave out, so that a change of
 * structure inside the library is seen to change no synthesized byte.
 */
describe('every option, in each etcd placement', () => {
  const everyComponent = {
    descheduler: true,
    search: true,
    metricsAdapter: true,
    schedulerEstimatorClusters: ['member-1', 'member-2'],
  };

  test('GIVEN stacked 3 with every optional part switched on WHEN synthesized THEN the whole output is pinned', () => {
    const { objects } = synthTopology({
      etcd: EtcdTopology.stacked(),
      failureDomain: kplus.Topology.ZONE,
      zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      components: everyComponent,
      apiServerService: {
        type: kplus.ServiceType.LOAD_BALANCER,
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        externalDnsNames: ['karmada.example.com'],
        externalIpAddresses: ['192.0.2.10'],
      },
      pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
      pki: Pki.certManager({ certificateDuration: Duration.days(90), renewBefore: Duration.days(30) }),
      networkPolicies: {
        memberClusterCidrs: ['10.0.0.0/8'],
        metricsScraper: { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      },
      leaderElection: { leaseDuration: Duration.seconds(30), renewDeadline: Duration.seconds(20), retryPeriod: Duration.seconds(4) },
    });
    expect(objects).toMatchSnapshot();
  });

  test('GIVEN external 3+5 with every optional component, existing Secrets, a NodePort and custom names WHEN synthesized THEN the whole output is pinned', () => {
    const { objects } = synthTopology({
      name: 'kd',
      namespace: 'multi',
      clusterDomain: 'corp.local',
      etcd: EtcdTopology.external({ members: 5 }),
      controlPlaneNodeNames: ['east', 'west', 'north'],
      controlPlaneHosts: { nodeLabels: { role: 'control-plane' } },
      etcdHosts: { nodeLabels: { role: 'etcd' } },
      components: everyComponent,
      apiServerService: { type: kplus.ServiceType.NODE_PORT, nodePort: 31443 },
      pki: Pki.existingSecrets(),
      serviceClusterIpRange: '10.100.0.0/16',
      etcdBackup: { schedule: '5 * * * *', retention: 48 },
      componentSettings: { scheduler: { priorityClassName: '' }, etcd: { priorityClassName: 'etcd-critical' } },
    });
    expect(objects).toMatchSnapshot();
  });

  test('GIVEN etcd outside the cluster with every optional component and user issuers WHEN synthesized THEN the whole output is pinned', () => {
    const { objects } = synthTopology({
      etcd: EtcdTopology.externalEndpoints({ endpoints: ENDPOINTS, clientCertificateSecret: 'external-etcd-client' }),
      components: everyComponent,
      pki: Pki.certManager({ karmadaIssuer: IssuerReference.clusterIssuer('corp-ca'), etcdIssuer: IssuerReference.issuer('etcd-ca') }),
      bootstrapJob: false,
      disruptionBudgets: false,
    });
    expect(objects).toMatchSnapshot();
  });
});
