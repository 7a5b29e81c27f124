import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { EtcdPlacement, EtcdTopology, HATopologyProps, KarmadaNetworkPolicies, KarmadaWarnings } from '../src';
import { Endpoint, NetworkPolicyModel, Protocol, cidrContains, podEndpoints, selectorMatches } from './network-policy-model';
import { find, Manifest, ofKind, synthTopology, workloads } from './util';

const NAMESPACE = 'karmada-system';
const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });

// ---------------------------------------------------------------------------------------------------------------
// The expectation, written by role from what each component does (not from the policies): who talks to whom.
// ---------------------------------------------------------------------------------------------------------------

/** Open etcd's client port (its data). */
const ETCD_CLIENTS = ['karmada-apiserver', 'karmada-aggregated-apiserver', 'karmada-search'];
/** Hold a kubeconfig for karmada-apiserver. The estimators talk only to their member cluster. */
const KARMADA_API_CLIENTS = [
  'karmada-aggregated-apiserver', 'kube-controller-manager', 'karmada-controller-manager', 'karmada-scheduler', 'karmada-webhook',
  'karmada-descheduler', 'karmada-search', 'karmada-metrics-adapter', 'karmada-bootstrap',
];
/** Called by karmada-apiserver on 8443 (admission, conversion, aggregated APIs). */
const SERVED_BY_APISERVER = ['karmada-webhook', 'karmada-aggregated-apiserver', 'karmada-search', 'karmada-metrics-adapter'];
/** Dial the estimators over gRPC. */
const ESTIMATOR_CLIENTS = ['karmada-scheduler', 'karmada-descheduler'];
/** Talk to member clusters' apiservers. */
const MEMBER_CLUSTER_CLIENTS = [
  'karmada-controller-manager', 'karmada-aggregated-apiserver', 'karmada-search', 'karmada-metrics-adapter', 'karmada-scheduler-estimator',
];
/** Save and defragment etcd. */
const ETCD_MAINTENANCE = ['etcd-backup', 'etcd-defrag'];
/** Metrics-only ports: etcd, the Karmada components, kube-controller-manager. */
const METRICS_PORTS = [2381, 8080, 10257];

/** What a scenario adds to the table: facts about its entry point, member clusters and etcd. */
interface Expectations {
  readonly stacked: boolean;
  /** Clients outside the host cluster may reach the entry point (NodePort, LoadBalancer). */
  readonly exposed: boolean;
  /** The outside addresses that are member clusters' apiservers. */
  readonly memberAddresses: string[];
  /** Etcd outside the cluster: address ('*' for any destination outside the installation) and port. */
  readonly etcdEndpoints: Array<{ address: string; port: number }>;
  readonly scraper: boolean;
}

const ours = (e: Endpoint) => e.namespace === NAMESPACE;
const role = (e: Endpoint) => e.labels?.['app.kubernetes.io/name'] ?? e.name;
const node = (e: Endpoint) => e.labels?.['karmada.io/control-plane-node'];

function expected(x: Expectations, s: Endpoint, d: Endpoint, port: number, protocol: Protocol): boolean {
  const tcp = protocol === 'TCP';
  if (!ours(s) && !ours(d)) return true; // neither end is the installation's: not ours to restrict
  if (!ours(s)) {
    if (role(d) === 'karmada-apiserver' && tcp && port === 5443) return s.ip === undefined || x.exposed;
    return role(s) === 'prometheus' && x.scraper && tcp && METRICS_PORTS.includes(port);
  }
  const rs = role(s);
  const rd = role(d);
  if (rd === 'kube-dns' && port === 53) return true;
  if (!ours(d)) {
    if (d.ip !== undefined && x.memberAddresses.includes(d.ip) && MEMBER_CLUSTER_CLIENTS.includes(rs)) return true;
    return ETCD_CLIENTS.includes(rs) && tcp && x.etcdEndpoints.some(e => e.port === port && (e.address === '*' || e.address === d.ip));
  }
  if (!tcp) return false;
  if (rd === 'etcd' && port === 2379) {
    return (ETCD_CLIENTS.includes(rs) && (!x.stacked || node(s) === node(d))) || ETCD_MAINTENANCE.includes(rs) || s === d;
  }
  if (rd === 'etcd' && port === 2380) return rs === 'etcd';
  if (rd === 'karmada-apiserver' && port === 5443) return KARMADA_API_CLIENTS.includes(rs);
  if (SERVED_BY_APISERVER.includes(rd) && port === 8443) return rs === 'karmada-apiserver';
  if (rd === 'karmada-scheduler-estimator' && port === 10352) return ESTIMATOR_CLIENTS.includes(rs);
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios and the world around the installation.
// ---------------------------------------------------------------------------------------------------------------

const LB_CLIENT = '203.0.113.9';
const MEMBER_V4 = '198.51.100.7';
const MEMBER_V6 = '2001:db8:1::5';
const ETCD_V4 = '192.0.2.10';
const ETCD_V6 = '2001:db8::10';
const OUTSIDE = [LB_CLIENT, MEMBER_V4, MEMBER_V6, ETCD_V4, ETCD_V6];

interface Scenario {
  readonly name: string;
  readonly props: HATopologyProps;
  readonly expect: Expectations;
  readonly policyNames: string[];
}

const COMMON_NAMES = ['karmada-default-deny', 'karmada-dns'];
const SERVED_NAMES = ['karmada-apiserver', 'karmada-apiserver-clients', 'karmada-served-components'];
const SCENARIOS: Scenario[] = [
  {
    name: 'stacked 3, ClusterIP',
    props: {},
    expect: { stacked: true, exposed: false, memberAddresses: OUTSIDE, etcdEndpoints: [], scraper: false },
    policyNames: [
      ...COMMON_NAMES, 'karmada-etcd-peers', 'karmada-etcd-0-clients', 'karmada-etcd-1-clients', 'karmada-etcd-2-clients',
      'karmada-cp-0-etcd-clients', 'karmada-cp-1-etcd-clients', 'karmada-cp-2-etcd-clients', 'karmada-etcd-maintenance',
      ...SERVED_NAMES, 'karmada-member-clusters',
    ],
  },
  {
    name: 'stacked 3, LoadBalancer, pull mode',
    props: {
      apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['203.0.113.0/24'] },
      pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
    },
    expect: { stacked: true, exposed: true, memberAddresses: OUTSIDE, etcdEndpoints: [], scraper: false },
    policyNames: [
      ...COMMON_NAMES, 'karmada-etcd-peers', 'karmada-etcd-0-clients', 'karmada-etcd-1-clients', 'karmada-etcd-2-clients',
      'karmada-cp-0-etcd-clients', 'karmada-cp-1-etcd-clients', 'karmada-cp-2-etcd-clients', 'karmada-etcd-maintenance',
      ...SERVED_NAMES, 'karmada-member-clusters',
    ],
  },
  {
    name: 'external 3+3, every optional component, two estimators, member CIDRs, a scraper',
    props: {
      etcd: EtcdTopology.external(),
      components: { descheduler: true, search: true, metricsAdapter: true, schedulerEstimatorClusters: ['member-1', 'member-2'] },
      networkPolicies: {
        memberClusterCidrs: ['198.51.100.0/24', '2001:db8:1::/48'],
        metricsScraper: { namespaceLabels: namespaceLabels('monitoring'), podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      },
    },
    expect: { stacked: false, exposed: false, memberAddresses: [MEMBER_V4, MEMBER_V6], etcdEndpoints: [], scraper: true },
    policyNames: [
      ...COMMON_NAMES, 'karmada-etcd-peers', 'karmada-etcd-0-clients', 'karmada-etcd-1-clients', 'karmada-etcd-2-clients',
      'karmada-etcd-clients', 'karmada-etcd-maintenance', ...SERVED_NAMES, 'karmada-scheduler-estimators', 'karmada-estimator-clients',
      'karmada-member-clusters', 'karmada-metrics-scraper',
    ],
  },
  {
    name: 'external endpoints (two IP literals, one host name), NodePort, search',
    props: {
      etcd: EtcdTopology.externalEndpoints({
        endpoints: [`https://${ETCD_V4}:2379`, `https://[${ETCD_V6}]:2379`, 'https://etcd.example.com:12379'],
        clientCertificateSecret: 'etcd-client',
      }),
      apiServerService: { type: kplus.ServiceType.NODE_PORT },
      components: { search: true },
    },
    expect: {
      stacked: false,
      exposed: true,
      memberAddresses: OUTSIDE,
      etcdEndpoints: [{ address: ETCD_V4, port: 2379 }, { address: ETCD_V6, port: 2379 }, { address: '*', port: 12379 }],
      scraper: false,
    },
    policyNames: [...COMMON_NAMES, 'karmada-etcd-clients', ...SERVED_NAMES, 'karmada-member-clusters'],
  },
];

/** The pods and addresses around the installation. */
function world(objects: Manifest[]): Endpoint[] {
  const pods = podEndpoints(objects, namespaceLabels);
  return [
    ...pods,
    { name: 'kube-dns', podIp: '10.244.100.1', namespace: 'kube-system', namespaceLabels: namespaceLabels('kube-system'), labels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
    { name: 'tenant pod', podIp: '10.244.100.2', namespace: 'tenant', namespaceLabels: namespaceLabels('tenant'), labels: { app: 'web' }, ports: [{ port: 8080, protocol: 'TCP' }] },
    { name: 'prometheus', podIp: '10.244.100.3', namespace: 'monitoring', namespaceLabels: namespaceLabels('monitoring'), labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [{ port: 9090, protocol: 'TCP' }] },
    ...OUTSIDE.map(ip => ({ name: `address ${ip}`, ip, ports: [{ port: 6443, protocol: 'TCP' }] })),
  ];
}

/** The connections into the installation's pods that the lenient reading of ipBlocks decides differently. */
function lenientDifferences(policies: Manifest[], endpoints: Endpoint[], ports: number[]): string[] {
  const strict = new NetworkPolicyModel(policies);
  const lenient = new NetworkPolicyModel(policies, true);
  const differences = new Set<string>();
  for (const source of endpoints) {
    for (const destination of endpoints.filter(ours)) {
      for (const port of ports) {
        for (const protocol of ['TCP', 'UDP'] as Protocol[]) {
          if (lenient.allowed(source, destination, port, protocol) !== strict.allowed(source, destination, port, protocol)) {
            differences.add(`${role(source)} -> ${role(destination)} ${port}/${protocol}`);
          }
        }
      }
    }
  }
  return [...differences];
}

describe.each(SCENARIOS)('NetworkPolicies: $name', scenario => {
  const { objects } = synthTopology(scenario.props);
  const policies = ofKind(objects, 'NetworkPolicy');
  const endpoints = world(objects);
  const ports = [...new Set([53, 12379, ...endpoints.flatMap(e => e.ports.map(p => p.port))])].sort((a, b) => a - b);

  test('the policies are exactly these, in the control plane\'s namespace', () => {
    expect(policies.map(p => p.metadata.name)).toEqual(scenario.policyNames);
    expect(new Set(policies.map(p => p.metadata.namespace))).toEqual(new Set([NAMESPACE]));
  });

  test('every policy is a valid networking.k8s.io/v1 NetworkPolicy', () => {
    for (const policy of policies) expect(() => new NetworkPolicy(policy as any).validate()).not.toThrow();
  });

  test('every (source, destination, port, protocol) is allowed exactly when the role table says so', () => {
    // GIVEN every pod template of the output, the DNS pods, a pod elsewhere, a scraper and addresses outside
    const model = new NetworkPolicyModel(policies);
    const mismatches: string[] = [];
    let allowed = 0;
    let checked = 0;
    // WHEN every connection over every port any destination exposes is evaluated
    for (const source of endpoints) {
      for (const destination of endpoints) {
        for (const port of ports) {
          for (const protocol of ['TCP', 'UDP'] as Protocol[]) {
            const actual = model.allowed(source, destination, port, protocol);
            const wanted = expected(scenario.expect, source, destination, port, protocol);
            checked++;
            if (actual) allowed++;
            if (actual !== wanted) mismatches.push(`${source.name} -> ${destination.name} ${port}/${protocol}: ${actual ? 'allowed' : 'denied'}, expected ${wanted ? 'allowed' : 'denied'}`);
          }
        }
      }
    }
    // THEN the policies and the table agree everywhere, on a world big enough to mean something
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(checked).toBeGreaterThan(15000);
    expect(allowed).toBeGreaterThan(100);
  });

  test('the world holds every pod template of the output, the etcd backup and defrag CronJobs\' included', () => {
    const roles = endpoints.filter(ours).map(role);
    expect(roles.length).toBe(workloads(objects).length + ofKind(objects, 'CronJob').length);
    expect(roles).toEqual(expect.arrayContaining(['karmada-bootstrap', 'karmada-apiserver', 'karmada-webhook']));
    if (scenario.expect.etcdEndpoints.length === 0) expect(roles).toEqual(expect.arrayContaining(['etcd', ...ETCD_MAINTENANCE]));
  });

  test('where ipBlocks match pod addresses too (Calico), the installation\'s pods admit nothing more but what namespaceSelector {} admits anyway', () => {
    // GIVEN the strict and the lenient reading of ipBlocks WHEN every connection into the installation's pods is
    // evaluated under both THEN they differ at most where the member-cluster CIDRs cover pod addresses and a pod
    // without Karmada credentials (an estimator) meets the apiservers' namespaceSelector {}
    const podsInMemberCidrs = scenario.props.networkPolicies?.memberClusterCidrs === undefined;
    const hasEstimators = endpoints.some(e => role(e) === 'karmada-scheduler-estimator');
    expect(lenientDifferences(policies, endpoints, ports)).toEqual(podsInMemberCidrs && hasEstimators
      ? ['karmada-scheduler-estimator -> karmada-apiserver 5443/TCP'] : []);
  });

  test('every pod of the installation is isolated in both directions', () => {
    const model = new NetworkPolicyModel(policies);
    for (const pod of endpoints.filter(ours)) {
      expect(model.governing(pod, 'Ingress').length).toBeGreaterThan(0);
      expect(model.governing(pod, 'Egress').length).toBeGreaterThan(0);
    }
  });
});

describe('NetworkPolicies: spot checks that read as prose', () => {
  const { objects } = synthTopology({});
  const model = new NetworkPolicyModel(ofKind(objects, 'NetworkPolicy'));
  const endpoints = world(objects);
  const pod = (name: string) => endpoints.find(e => e.name === name)!;

  test('stacked: an apiserver reaches only its own etcd member', () => {
    expect(model.allowed(pod('Deployment/karmada-cp-0-apiserver'), pod('StatefulSet/karmada-etcd-0'), 2379, 'TCP')).toBe(true);
    expect(model.allowed(pod('Deployment/karmada-cp-0-apiserver'), pod('StatefulSet/karmada-etcd-1'), 2379, 'TCP')).toBe(false);
  });

  test('a component that holds no etcd certificate cannot reach etcd, and nobody outside reaches the peer port', () => {
    expect(model.allowed(pod('Deployment/karmada-cp-0-controller-manager'), pod('StatefulSet/karmada-etcd-0'), 2379, 'TCP')).toBe(false);
    expect(model.allowed(pod('tenant pod'), pod('StatefulSet/karmada-etcd-0'), 2380, 'TCP')).toBe(false);
    expect(model.allowed(pod('StatefulSet/karmada-etcd-1'), pod('StatefulSet/karmada-etcd-0'), 2380, 'TCP')).toBe(true);
  });

  test('where ipBlocks match pod addresses, the default member CIDRs let the estimators reach the apiservers, and nothing else of ours', () => {
    const estimators = synthTopology({ components: { schedulerEstimatorClusters: ['member-1'] } });
    const policies = ofKind(estimators.objects, 'NetworkPolicy');
    expect(lenientDifferences(policies, world(estimators.objects), [53, 2379, 2380, 2381, 5443, 8080, 8443, 10257, 10352])).toEqual([
      'karmada-scheduler-estimator -> karmada-apiserver 5443/TCP',
    ]);
  });

  test('ClusterIP: pods anywhere in the host cluster reach the entry point, addresses outside do not', () => {
    expect(model.allowed(pod('tenant pod'), pod('Deployment/karmada-cp-2-apiserver'), 5443, 'TCP')).toBe(true);
    expect(model.allowed(pod(`address ${LB_CLIENT}`), pod('Deployment/karmada-cp-2-apiserver'), 5443, 'TCP')).toBe(false);
  });
});

describe('NetworkPolicies: exact objects', () => {
  test('stacked: etcd member 0 admits its node\'s etcd clients, the maintenance Jobs and itself on 2379', () => {
    const { objects } = synthTopology({});
    const member = 'karmada-etcd-0';
    const memberSelector = { matchLabels: { 'app.kubernetes.io/instance': 'karmada', 'app.kubernetes.io/name': 'etcd', 'karmada.io/etcd-member': member } };
    expect(find(objects, 'NetworkPolicy', `${member}-clients`)).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: `${member}-clients`,
        namespace: NAMESPACE,
        labels: { 'app.kubernetes.io/part-of': 'karmada', 'app.kubernetes.io/managed-by': 'cdk8s-karmada', 'app.kubernetes.io/instance': 'karmada' },
      },
      spec: {
        podSelector: memberSelector,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          from: [
            {
              podSelector: {
                matchLabels: { 'app.kubernetes.io/instance': 'karmada', 'karmada.io/control-plane-node': 'karmada-cp-0' },
                matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['karmada-apiserver', 'karmada-aggregated-apiserver'] }],
              },
            },
            {
              podSelector: {
                matchLabels: { 'app.kubernetes.io/instance': 'karmada' },
                matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['etcd-backup', 'etcd-defrag'] }],
              },
            },
            { podSelector: memberSelector },
          ],
          ports: [{ protocol: 'TCP', port: 2379 }],
        }],
        egress: [{ to: [{ podSelector: memberSelector }], ports: [{ protocol: 'TCP', port: 2379 }] }],
      },
    });
  });

  test('default deny selects every pod of the namespace, both directions, and nothing else', () => {
    const { objects } = synthTopology({});
    expect(find(objects, 'NetworkPolicy', 'karmada-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('LoadBalancer: the apiservers admit every pod and every address on 5443, and call only the served components', () => {
    const { objects } = synthTopology({ apiServerService: { type: kplus.ServiceType.LOAD_BALANCER } });
    expect(find(objects, 'NetworkPolicy', 'karmada-apiserver').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'karmada', 'app.kubernetes.io/name': 'karmada-apiserver' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
        ports: [{ protocol: 'TCP', port: 5443 }],
      }],
      egress: [{
        to: [{
          podSelector: {
            matchLabels: { 'app.kubernetes.io/instance': 'karmada' },
            matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['karmada-aggregated-apiserver', 'karmada-webhook'] }],
          },
        }],
        ports: [{ protocol: 'TCP', port: 8443 }],
      }],
    });
  });

  test('external endpoints: IP literals become /32 and /128 blocks; a host name opens its port to every address', () => {
    const { objects } = synthTopology(SCENARIOS[3].props);
    expect(find(objects, 'NetworkPolicy', 'karmada-etcd-clients').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: `${ETCD_V4}/32` } }, { ipBlock: { cidr: `${ETCD_V6}/128` } }], ports: [{ protocol: 'TCP', port: 2379 }] },
      { ports: [{ protocol: 'TCP', port: 12379 }] },
    ]);
  });

  test('DNS: the namespace and labels of the DNS pods can be changed', () => {
    const { objects } = synthTopology({ networkPolicies: { dnsNamespace: 'dns', dnsPodLabels: { app: 'coredns' } } });
    expect(find(objects, 'NetworkPolicy', 'karmada-dns').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('a scraper without pod labels is every pod of its namespace, on the metrics ports only', () => {
    const { objects } = synthTopology({ networkPolicies: { metricsScraper: { namespaceLabels: { team: 'observability' } } } });
    expect(find(objects, 'NetworkPolicy', 'karmada-metrics-scraper').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { team: 'observability' } } }],
      ports: [{ protocol: 'TCP', port: 2381 }, { protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 10257 }],
    }]);
  });

  test('switched off: no NetworkPolicy at all', () => {
    const { objects } = synthTopology({ networkPolicies: { enabled: false } });
    expect(ofKind(objects, 'NetworkPolicy')).toEqual([]);
  });

  test('without backups, only the defrag pods reach etcd besides its clients', () => {
    const { objects } = synthTopology({ etcdBackup: { enabled: false } });
    expect(find(objects, 'NetworkPolicy', 'karmada-etcd-maintenance').spec.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'karmada', 'app.kubernetes.io/name': 'etcd-defrag' },
    });
  });

  test('without the bootstrap Job, it gets no egress to the apiservers', () => {
    const { objects } = synthTopology({ bootstrapJob: false });
    const clients = find(objects, 'NetworkPolicy', 'karmada-apiserver-clients').spec.podSelector.matchExpressions[0].values;
    expect(clients).not.toContain('karmada-bootstrap');
    expect(clients).toContain('kube-controller-manager');
  });
});

describe('NetworkPolicies: input checks', () => {
  const INVALID: Array<[string, HATopologyProps['networkPolicies'], string]> = [
    ['a member CIDR that is not one', { memberClusterCidrs: ['10.0.0.0/8', '10.1.2.3'] },
      "networkPolicies.memberClusterCidrs entry '10.1.2.3' is not a CIDR: write it as e.g. '10.0.0.0/8' or '2001:db8::/32'"],
    ['a DNS namespace that is not a name', { dnsNamespace: 'Kube_System' },
      "networkPolicies.dnsNamespace 'Kube_System' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. 'karmada-system'"],
    ['empty DNS pod labels', { dnsPodLabels: {} },
      "networkPolicies.dnsPodLabels is empty: it would admit DNS traffic to every pod of the DNS namespace; give the DNS pods' labels, e.g. { 'k8s-app': 'kube-dns' }"],
    ['a scraper label value that is not one', { metricsScraper: { namespaceLabels: { team: 'a b' } } },
      "networkPolicies.metricsScraper.namespaceLabels value 'a b' of 'team' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"],
    ['a scraper with no namespace labels', { metricsScraper: { namespaceLabels: {}, podLabels: { app: 'prometheus' } } },
      "networkPolicies.metricsScraper.namespaceLabels is empty: it would admit the scraper's pod labels in every namespace; give the scraper namespace's labels, e.g. { 'kubernetes.io/metadata.name': 'monitoring' }"],
    ['a scraper pod label key that is not one', { metricsScraper: { namespaceLabels: { team: 'o11y' }, podLabels: { '-app': 'p' } } },
      "networkPolicies.metricsScraper.podLabels key '-app' is not a label key: use e.g. 'app.kubernetes.io/name'"],
  ];

  test.each(INVALID)('fails on %s', (_case, networkPolicies, message) => {
    // GIVEN bad network-policy options WHEN synthesized THEN it fails naming the property and the fix
    expect(() => synthTopology({ networkPolicies })).toThrow(message);
  });

  test('the checks run with the topology\'s own, before any object exists, and list every problem at once', () => {
    expect(() => synthTopology({ serviceClusterIpRange: '10.96.0.0', networkPolicies: { memberClusterCidrs: ['10.0.0.0/33'] } })).toThrow(
      "invalid HATopology 'test/karmada':\n"
      + "- serviceClusterIpRange '10.96.0.0' is not a CIDR (or two, IPv4 and IPv6, separated by a comma): use e.g. '10.96.0.0/12'\n"
      + "- networkPolicies.memberClusterCidrs entry '10.0.0.0/33' is not a CIDR: write it as e.g. '10.0.0.0/8' or '2001:db8::/32'");
  });

  test('switched off, the options are not checked', () => {
    expect(() => synthTopology({ networkPolicies: { enabled: false, memberClusterCidrs: ['nonsense'] } })).not.toThrow();
  });

  test('the construct on its own checks its options too', () => {
    expect(() => new KarmadaNetworkPolicies(Testing.chart(), 'np', {
      etcdPlacement: EtcdPlacement.STACKED, controlPlaneNodeNames: ['cp-0'], etcdMemberNames: ['etcd-0'], options: { dnsNamespace: 'A' },
    })).toThrow("invalid networkPolicies of 'test/np':\n- networkPolicies.dnsNamespace 'A' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. 'karmada-system'");
  });

  test('no member CIDR is legal but warned about, and gives no member-cluster egress', () => {
    const chart = Testing.chart();
    const policies = new KarmadaNetworkPolicies(chart, 'np', {
      etcdPlacement: EtcdPlacement.STACKED, controlPlaneNodeNames: ['cp-0'], etcdMemberNames: ['etcd-0'], options: { memberClusterCidrs: [] },
    });
    expect(policies.policyNames).not.toContain('karmada-member-clusters');
    expect(KarmadaWarnings.of(policies)).toEqual([
      "networkPolicies.memberClusterCidrs is empty: karmada-controller-manager, karmada-search, karmada-metrics-adapter, the cluster proxy and the scheduler estimators cannot reach any member cluster; list the CIDRs of the member clusters' apiservers",
    ]);
  });
});

describe('the evaluator itself', () => {
  test('selectors: labels and every operator', () => {
    const labels = { a: '1', b: '2' };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '2' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'In', values: ['1'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });

  test('CIDRs of both families', () => {
    expect(cidrContains('198.51.100.0/24', '198.51.100.7')).toBe(true);
    expect(cidrContains('198.51.100.0/24', '198.51.101.7')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(cidrContains('::/0', '2001:db8::1')).toBe(true);
    expect(cidrContains('2001:db8:1::/48', '2001:db8:1::5')).toBe(true);
    expect(cidrContains('2001:db8:1::/48', '2001:db8:2::5')).toBe(false);
    expect(cidrContains('2001:db8::10/128', '2001:db8:0:0:0:0:0:10')).toBe(true);
  });

  test('isolation needs a selecting policy of that type; a connection needs both ends', () => {
    const a: Endpoint = { name: 'a', namespace: 'n', namespaceLabels: {}, labels: { app: 'a' }, ports: [] };
    const b: Endpoint = { name: 'b', namespace: 'n', namespaceLabels: {}, labels: { app: 'b' }, ports: [] };
    const policy = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'n' }, spec });
    expect(new NetworkPolicyModel([]).allowed(a, b, 80, 'TCP')).toBe(true);
    const denyB = policy('deny-b', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] });
    expect(new NetworkPolicyModel([denyB]).allowed(a, b, 80, 'TCP')).toBe(false);
    expect(new NetworkPolicyModel([denyB]).allowed(b, a, 80, 'TCP')).toBe(true);
    const admitA = policy('admit-a', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 80 }] }] });
    const model = new NetworkPolicyModel([denyB, admitA]);
    expect(model.allowed(a, b, 80, 'TCP')).toBe(true);
    expect(model.allowed(a, b, 80, 'UDP')).toBe(false);
    expect(model.allowed(a, b, 81, 'TCP')).toBe(false);
    const denyAOut = policy('deny-a-out', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'] });
    expect(new NetworkPolicyModel([denyB, admitA, denyAOut]).allowed(a, b, 80, 'TCP')).toBe(false);
  });
});
