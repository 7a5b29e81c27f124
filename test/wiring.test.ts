import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { EtcdTopology, HATopologyProps, KarmadaLabels } from '../src';
import { Wiring, argValue, covers, filesNamedByFlags } from './integ/wiring';
import { Manifest, synthTopology, workloads } from './util';

/**
 * The synthesized objects must fit together: every file a flag names is in a mounted volume that holds that key;
 * every URL a component dials reaches a server whose certificate covers the host dialled; the client certificate
 * presented is issued by the CA the server trusts, and the CA the client trusts issued the server's certificate.
 */
const SCENARIOS: Array<[string, HATopologyProps]> = [
  ['stacked 3', {}],
  ['external 3+3', { etcd: EtcdTopology.external() }],
  ['external endpoints', {
    etcd: EtcdTopology.externalEndpoints({ endpoints: ['https://e0.example:2379', 'https://e1.example:2379', 'https://e2.example:2379'], clientCertificateSecret: 'etcd-client' }),
  }],
  ['stacked 5, every optional component, pull mode behind a load balancer', {
    controlPlaneNodes: 5,
    namespace: 'karmada-host',
    clusterDomain: 'corp.internal',
    components: { descheduler: true, search: true, metricsAdapter: true, schedulerEstimatorClusters: ['member-1', 'member-2'] },
    pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
    apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, externalIpAddresses: ['203.0.113.10'] },
  }],
];

const componentOf = (workload: Manifest) => workload.spec.template.metadata.labels[KarmadaLabels.NAME];

describe.each(SCENARIOS)('%s', (_scenario, props) => {
  // GIVEN the topology WHEN synthesized
  const { objects, topology } = synthTopology(props);
  const wiring = new Wiring(objects);
  const namespace = topology.namespace;
  const clusterDomain = props.clusterDomain ?? 'cluster.local';
  const externalEtcd = topology.etcdPlacement === 'external-endpoints';
  const containersOf = (component: string) => workloads(objects).filter(w => componentOf(w) === component)
    .map(workload => ({ workload, container: workload.spec.template.spec.containers[0] as Manifest }));
  const fileOf = (entry: { workload: Manifest; container: Manifest }, flagName: string) => {
    const file = argValue(entry.container, flagName);
    if (!file) throw new Error(`${entry.workload.metadata.name} has no --${flagName}`);
    return wiring.fileSource(entry.workload, entry.container, file);
  };
  const secretOf = (entry: { workload: Manifest; container: Manifest }, flagName: string) => {
    const source = fileOf(entry, flagName);
    if (source.kind !== 'secret') throw new Error(`--${flagName} of ${entry.workload.metadata.name} is not from a Secret`);
    return source.secretName;
  };
  /** The workloads behind a host name dialled from `namespace`. */
  const serversOf = (host: string) => {
    const service = wiring.serviceForHost(host, namespace, clusterDomain);
    if (!service) throw new Error(`no Service answers to ${host}`);
    const servers = wiring.servedBy(service);
    if (servers.length === 0) throw new Error(`Service ${service.metadata.name} selects no workload`);
    return { service, servers: servers.map(workload => ({ workload, container: workload.spec.template.spec.containers[0] as Manifest })) };
  };

  test('every file a flag names is in a mounted volume that holds that key', () => {
    let files = 0;
    for (const workload of workloads(objects)) {
      for (const container of workload.spec.template.spec.containers as Manifest[]) {
        for (const file of filesNamedByFlags(container)) {
          expect(() => wiring.fileSource(workload, container, file)).not.toThrow();
          files++;
        }
      }
    }
    expect(files).toBeGreaterThan(40);
  });

  test('every kubeconfig reaches karmada-apiserver: SANs cover the host, each side trusts the other\'s CA', () => {
    let dials = 0;
    for (const workload of workloads(objects)) {
      for (const container of workload.spec.template.spec.containers as Manifest[]) {
        const kubeconfigFile = argValue(container, 'kubeconfig');
        if (!kubeconfigFile) continue;
        const source = wiring.fileSource(workload, container, kubeconfigFile);
        if (source.kind === 'secret') continue; // a member cluster's kubeconfig (scheduler estimator), the user's
        const kubeconfig = parse(wiring.configMapText(source));
        const user = kubeconfig.users[0].user;
        const cluster = kubeconfig.clusters[0].cluster;
        // THEN the key, certificate and CA are files of this container, not data in the ConfigMap
        expect(Object.keys(user).sort()).toEqual(['client-certificate', 'client-key']);
        const clientCertificate = wiring.fileSource(workload, container, user['client-certificate']);
        const clientKey = wiring.fileSource(workload, container, user['client-key']);
        const trusted = wiring.trustedCa(wiring.fileSource(workload, container, cluster['certificate-authority']));
        expect(clientCertificate.kind === 'secret' && clientKey.kind === 'secret' && clientCertificate.secretName === clientKey.secretName).toBe(true);

        const url = new URL(cluster.server);
        const { servers } = serversOf(url.hostname);
        for (const server of servers) {
          expect(componentOf(server.workload)).toBe('karmada-apiserver');
          expect(argValue(server.container, 'secure-port')).toBe(url.port);
          const serving = wiring.certificate(secretOf(server, 'tls-cert-file'));
          expect(covers(serving, url.hostname)).toBe(true);
          expect(serving.usages).toContain('server auth');
          expect(serving.caSecretName).toBe(trusted);
          const client = wiring.certificate((clientCertificate as { secretName: string }).secretName);
          expect(client.usages).toContain('client auth');
          expect(client.caSecretName).toBe(wiring.trustedCa(fileOf(server, 'client-ca-file')));
          dials++;
        }
      }
    }
    expect(dials).toBeGreaterThanOrEqual(topology.controlPlaneNodes.length * 5);
  });

  test('every etcd client reaches its members: SANs cover the host, each side trusts the other\'s CA', () => {
    const clients = ['karmada-apiserver', 'karmada-aggregated-apiserver', 'karmada-search'].flatMap(containersOf);
    expect(clients.length).toBeGreaterThanOrEqual(topology.controlPlaneNodes.length * 2);
    for (const client of clients) {
      const servers = (argValue(client.container, 'etcd-servers') ?? '').split(',');
      const clientSecret = secretOf(client, 'etcd-certfile');
      if (externalEtcd) {
        // THEN every etcd client presents the user's certificate for the etcd outside the cluster
        expect(clientSecret).toBe('etcd-client');
        expect(secretOf(client, 'etcd-cafile')).toBe('etcd-client');
        continue;
      }
      for (const server of servers) {
        const url = new URL(server);
        for (const member of serversOf(url.hostname).servers) {
          expect(componentOf(member.workload)).toBe('etcd');
          const serving = wiring.certificate(secretOf(member, 'cert-file'));
          expect(covers(serving, url.hostname)).toBe(true);
          expect(serving.caSecretName).toBe(wiring.trustedCa(fileOf(client, 'etcd-cafile')));
          expect(wiring.certificate(clientSecret).caSecretName).toBe(wiring.trustedCa(fileOf(member, 'trusted-ca-file')));
          expect(wiring.certificate(clientSecret).usages).toContain('client auth');
        }
      }
    }
  });

  test('every etcd member reaches its peers with peer certificates from the CA they all trust', () => {
    for (const member of containersOf('etcd')) {
      const peers = (argValue(member.container, 'initial-cluster') ?? '').split(',').map(entry => new URL(entry.split('=')[1]));
      expect(peers.length).toBeGreaterThanOrEqual(3);
      const ownPeerCertificate = wiring.certificate(secretOf(member, 'peer-cert-file'));
      for (const peerUrl of peers) {
        for (const peer of serversOf(peerUrl.hostname).servers) {
          const peerCertificate = wiring.certificate(secretOf(peer, 'peer-cert-file'));
          expect(covers(peerCertificate, peerUrl.hostname)).toBe(true);
          expect(peerCertificate.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
          expect(peerCertificate.caSecretName).toBe(wiring.trustedCa(fileOf(member, 'peer-trusted-ca-file')));
          expect(ownPeerCertificate.caSecretName).toBe(wiring.trustedCa(fileOf(peer, 'peer-trusted-ca-file')));
        }
      }
    }
    if (externalEtcd) expect(containersOf('etcd')).toEqual([]);
  });

  test('the bootstrap Job fills every caBundle with the CA that issued the webhook and aggregated API servers\' certificates', () => {
    const job = objects.find(o => o.kind === 'Job')!;
    const jobContainers = [...job.spec.template.spec.initContainers ?? [], ...job.spec.template.spec.containers] as Manifest[];
    const caFiles = jobContainers.flatMap(c => (c.args ?? []).concat(c.command ?? []).join(' ').match(/\/[\w/.-]*ca\.crt/g) ?? []);
    expect(caFiles.length).toBeGreaterThan(0);
    const jobCa = wiring.trustedCa(wiring.fileSource(job, jobContainers.find(c => (c.volumeMounts ?? []).some((m: Manifest) => caFiles[0].startsWith(`${m.mountPath}/`)))!, caFiles[0]));
    expect(jobCa).toBe(`${topology.name}-ca`);

    // Webhooks and CRD conversion: https://<host Service>.<ns>.svc:443/<path>
    const webhookUrls = wiring.karmadaApiObjects.flatMap(o => [
      ...(o.webhooks ?? []).map((w: Manifest) => w.clientConfig.url as string),
      ...(o.spec?.conversion?.webhook ? [o.spec.conversion.webhook.clientConfig.url as string] : []),
    ]);
    expect(webhookUrls.length).toBeGreaterThan(10);
    for (const webhookUrl of webhookUrls) {
      const url = new URL(webhookUrl);
      const { service, servers } = serversOf(url.hostname);
      expect(service.spec.ports[0].port).toBe(Number(url.port || 443));
      for (const server of servers) {
        expect(componentOf(server.workload)).toBe('karmada-webhook');
        expect(String(service.spec.ports[0].targetPort)).toBe(argValue(server.container, 'secure-port'));
        const certDir = argValue(server.container, 'cert-dir')!;
        expect(wiring.fileSource(server.workload, server.container, `${certDir}/tls.key`).kind).toBe('secret');
        const serving = wiring.fileSource(server.workload, server.container, `${certDir}/tls.crt`);
        const certificate = wiring.certificate((serving as { secretName: string }).secretName);
        expect(covers(certificate, url.hostname)).toBe(true);
        expect(certificate.caSecretName).toBe(jobCa);
      }
    }

    // APIServices: the aggregator dials the ExternalName target with TLS server name <service>.<namespace>.svc.
    const apiServices = wiring.karmadaApiObjects.filter(o => o.kind === 'APIService');
    expect(apiServices.length).toBe(1 + (props.components?.search ? 1 : 0) + (props.components?.metricsAdapter ? 3 : 0));
    for (const apiService of apiServices) {
      const ref = apiService.spec.service;
      const externalName = wiring.karmadaApiObjects.find(o => o.kind === 'Service' && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace)!;
      expect(externalName.spec.type).toBe('ExternalName');
      const { service, servers } = serversOf(externalName.spec.externalName);
      for (const server of servers) {
        expect(String(service.spec.ports[0].targetPort)).toBe(argValue(server.container, 'secure-port'));
        const certificate = wiring.certificate(secretOf(server, 'tls-cert-file'));
        expect(covers(certificate, `${ref.name}.${ref.namespace}.svc`)).toBe(true);
        expect(certificate.caSecretName).toBe(jobCa);
      }
    }
  });

  test('the front-proxy identity karmada-apiserver presents is one aggregated API servers accept', () => {
    for (const apiServer of containersOf('karmada-apiserver')) {
      const proxyClient = wiring.certificate(secretOf(apiServer, 'proxy-client-cert-file'));
      expect(proxyClient.caSecretName).toBe(wiring.trustedCa(fileOf(apiServer, 'requestheader-client-ca-file')));
      expect(argValue(apiServer.container, 'requestheader-allowed-names')!.split(',')).toContain(proxyClient.commonName);
      expect(proxyClient.caSecretName).not.toBe(wiring.trustedCa(fileOf(apiServer, 'client-ca-file')));
    }
  });

  test('the scheduler and descheduler reach every estimator over mutual TLS', () => {
    const clusters = props.components?.schedulerEstimatorClusters ?? [];
    const dialers = ['karmada-scheduler', 'karmada-descheduler'].flatMap(containersOf);
    for (const dialer of dialers) {
      const prefix = argValue(dialer.container, 'scheduler-estimator-service-prefix');
      if (clusters.length === 0) {
        expect(prefix).toBeUndefined();
        continue;
      }
      for (const cluster of clusters) {
        const host = `${prefix}-${cluster}`;
        const { service, servers } = serversOf(host);
        expect(String(service.spec.ports[0].port)).toBe(argValue(dialer.container, 'scheduler-estimator-port'));
        for (const estimator of servers) {
          const serving = wiring.certificate(secretOf(estimator, 'grpc-auth-cert-file'));
          expect(covers(serving, host)).toBe(true);
          expect(serving.caSecretName).toBe(wiring.trustedCa(fileOf(dialer, 'scheduler-estimator-ca-file')));
          expect(wiring.certificate(secretOf(dialer, 'scheduler-estimator-cert-file')).caSecretName)
            .toBe(wiring.trustedCa(fileOf(estimator, 'grpc-client-ca-file')));
        }
      }
    }
  });

  test('no Secret and no private key is synthesized', () => {
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/PRIVATE KEY/);
    expect(JSON.stringify(wiring.karmadaApiObjects)).not.toMatch(/PRIVATE KEY/);
  });
});

test('the wiring checks can fail: a SAN that is not there, or a key a Secret does not hold, is caught', () => {
  const { objects } = synthTopology({});
  const wiring = new Wiring(objects);
  const apiServerCertificate = wiring.certificate('karmada-apiserver-cert');
  expect(covers(apiServerCertificate, 'karmada-apiserver.karmada-system.svc')).toBe(true);
  expect(covers(apiServerCertificate, 'karmada-webhook.karmada-system.svc')).toBe(false);
  const apiServer = workloads(objects).find(w => componentOf(w) === 'karmada-apiserver')!;
  const container = apiServer.spec.template.spec.containers[0];
  expect(() => wiring.fileSource(apiServer, container, '/etc/karmada/pki/service-account/tls.crt')).toThrow(/not among the items/);
  expect(() => wiring.fileSource(apiServer, container, '/etc/nowhere/tls.crt')).toThrow(/no volume is mounted/);
  expect(() => wiring.certificate('nobody-cert')).toThrow(/no Certificate issues/);
});
