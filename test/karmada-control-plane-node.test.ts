import { Testing } from 'cdk8s';
import { KarmadaControlPlaneNode } from '../src';
import { find, flag, podSpec } from './util';

describe('KarmadaControlPlaneNode on its own, against an etcd of the user\'s', () => {
  // GIVEN one node composed by hand, with its images mirrored and the user's etcd client certificate
  const chart = Testing.chart();
  const node = new KarmadaControlPlaneNode(chart, 'node', {
    nodeName: 'east',
    etcdServers: ['https://etcd-0.db.example:2379', 'https://etcd-1.db.example:2379', 'https://etcd-2.db.example:2379'],
    etcdKeyPrefix: '/karmada',
    instance: 'kd',
    namespace: 'kd-system',
    images: { apiServer: 'mirror.example.com/kube-apiserver:v1.35.4', scheduler: 'mirror.example.com/karmada-scheduler:v1.18.2' },
    etcdClientCertificateSecret: 'db-etcd-client',
    serviceClusterIpRange: '10.100.0.0/16',
  });
  // WHEN synthesized
  const objects = Testing.synth(chart);
  const apiServer = find(objects, 'Deployment', 'east-apiserver');

  test('synthesizes six Deployments, the node\'s apiserver Service and its kubeconfigs', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/east-kubeconfigs', 'Deployment/east-aggregated-apiserver', 'Deployment/east-apiserver', 'Deployment/east-controller-manager',
      'Deployment/east-kube-controller-manager', 'Deployment/east-scheduler', 'Deployment/east-webhook', 'Service/east-apiserver',
    ]);
  });

  test('the apiserver dials every etcd server given, under the key prefix given', () => {
    expect(flag(apiServer, 'etcd-servers')).toBe('https://etcd-0.db.example:2379,https://etcd-1.db.example:2379,https://etcd-2.db.example:2379');
    expect(flag(apiServer, 'etcd-prefix')).toBe('/karmada');
    expect(flag(apiServer, 'service-cluster-ip-range')).toBe('10.100.0.0/16');
    expect(node.etcdServers).toHaveLength(3);
    expect(node.apiServerUrl).toBe('https://east-apiserver.kd-system.svc.cluster.local:5443');
  });

  test('images are the ones given, the rest keep their defaults; every etcd client presents the user\'s certificate', () => {
    expect(podSpec(apiServer).containers[0].image).toBe('mirror.example.com/kube-apiserver:v1.35.4');
    expect(podSpec(find(objects, 'Deployment', 'east-controller-manager')).containers[0].image).toBe('docker.io/karmada/karmada-controller-manager:v1.18.2');
    const secrets = (deployment: string) => podSpec(find(objects, 'Deployment', deployment)).volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName);
    expect(secrets('east-apiserver')).toEqual(['kd-apiserver-cert', 'db-etcd-client', 'kd-front-proxy-client-cert', 'kd-service-account-key']);
    expect(secrets('east-aggregated-apiserver')).toEqual(['kd-aggregated-apiserver-cert', 'kd-aggregated-apiserver-client-cert', 'db-etcd-client']);
    expect(secrets('east-scheduler')).toEqual(['kd-scheduler-client-cert']);
    expect(secrets('east-controller-manager')).toEqual(['kd-controller-manager-client-cert']);
    expect(flag(find(objects, 'Deployment', 'east-aggregated-apiserver'), 'etcd-prefix')).toBe('/karmada');
  });
});

describe('KarmadaControlPlaneNode with every optional component, estimators and pull mode', () => {
  // GIVEN a stacked-less node with the optional components switched on
  const chart = Testing.chart();
  new KarmadaControlPlaneNode(chart, 'node', {
    nodeName: 'west',
    etcdServers: ['https://etcd-0.db.example:2379'],
    descheduler: true,
    search: true,
    metricsAdapter: true,
    schedulerEstimatorClusters: ['member-1'],
    pullMode: true,
  });
  // WHEN synthesized
  const objects = Testing.synth(chart);
  const deployment = (name: string) => find(objects, 'Deployment', name);

  test('runs nine components', () => {
    expect(objects.filter(o => o.kind === 'Deployment').map(o => o.metadata.name).sort()).toEqual([
      'west-aggregated-apiserver', 'west-apiserver', 'west-controller-manager', 'west-descheduler', 'west-kube-controller-manager',
      'west-metrics-adapter', 'west-scheduler', 'west-search', 'west-webhook',
    ]);
  });

  test('karmada-search opens its own etcd connection, with its own client certificate', () => {
    expect(flag(deployment('west-search'), 'etcd-servers')).toBe('https://etcd-0.db.example:2379');
    const secrets = podSpec(deployment('west-search')).volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName);
    expect(secrets).toContain('karmada-search-etcd-client-cert');
  });

  test('the scheduler and descheduler dial the estimators with their gRPC client certificates', () => {
    for (const name of ['west-scheduler', 'west-descheduler']) {
      expect(flag(deployment(name), 'scheduler-estimator-service-prefix')).toBe('karmada-scheduler-estimator');
      expect(flag(deployment(name), 'scheduler-estimator-cert-file')).toBe('/etc/karmada/pki/estimator-client/tls.crt');
    }
    expect(flag(deployment('west-scheduler'), 'enable-scheduler-estimator')).toBe('true');
    expect(flag(deployment('west-descheduler'), 'enable-scheduler-estimator')).toBeUndefined();
  });

  test('pull mode: kube-controller-manager signs agent certificates with the Karmada CA, whose key only it mounts', () => {
    const kcm = deployment('west-kube-controller-manager');
    expect(flag(kcm, 'controllers')).toContain(',csrsigning');
    expect(flag(kcm, 'cluster-signing-kube-apiserver-client-key-file')).toBe('/etc/karmada/pki/signing-ca/tls.key');
    const mountsOfCa = objects.filter(o => o.kind === 'Deployment'
      && podSpec(o).volumes.some((v: any) => v.secret?.secretName === 'karmada-ca')).map(o => o.metadata.name);
    expect(mountsOfCa).toEqual(['west-kube-controller-manager']);
  });
});
