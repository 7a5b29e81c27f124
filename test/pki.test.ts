/**
 * The synthesized PKI, issued with openssl exactly as its cert-manager objects describe it
 * (test/integ/cert-manager-issuer.ts), and checked with openssl: chains (`openssl verify`), subjects, SANs, usages
 * and CA flags (`openssl x509 -text`), and the names components dial (`openssl x509 -checkhost/-checkip`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as kplus from 'cdk8s-plus-28';
import { EtcdTopology, HATopology, HATopologyProps } from '../src';
import { IssuedSecret, issueCertManagerPki } from './integ/cert-manager-issuer';
import { CertificateText, canonicalIp, certificateCoversHost, readCertificate, verifyCertificate } from './integ/pki';
import { Manifest, flag, synthTopology, workloads } from './util';

/** cert-manager's usage names → how openssl prints them (key usage, extended key usage). */
const OPENSSL_KEY_USAGE: Record<string, string> = {
  'digital signature': 'Digital Signature',
  'key encipherment': 'Key Encipherment',
  'cert sign': 'Certificate Sign',
  'crl sign': 'CRL Sign',
};
const OPENSSL_EXTENDED_KEY_USAGE: Record<string, string> = {
  'server auth': 'TLS Web Server Authentication',
  'client auth': 'TLS Web Client Authentication',
};

/** The client certificates of the components for karmada-apiserver (Secret → CN) in every topology. */
const CORE_CLIENTS: Record<string, string> = {
  'karmada-aggregated-apiserver-client-cert': 'system:karmada:karmada-aggregated-apiserver',
  'karmada-kube-controller-manager-client-cert': 'system:kube-controller-manager',
  'karmada-controller-manager-client-cert': 'system:karmada:karmada-controller-manager',
  'karmada-scheduler-client-cert': 'system:karmada:karmada-scheduler',
  'karmada-webhook-client-cert': 'system:karmada:karmada-webhook',
};

interface Case {
  readonly title: string;
  readonly props: HATopologyProps;
  /** Secret → CN of every component client certificate for karmada-apiserver. */
  readonly componentClients: Record<string, string>;
  /** Host names and addresses karmada-apiserver's certificate must cover, beyond the kubeconfigs' servers. */
  readonly apiServerHosts: readonly string[];
}

const CASES: Case[] = [
  {
    title: 'stacked etcd (defaults)',
    props: {},
    componentClients: CORE_CLIENTS,
    apiServerHosts: [],
  },
  {
    title: 'external etcd members',
    props: { etcd: EtcdTopology.external() },
    componentClients: CORE_CLIENTS,
    apiServerHosts: [],
  },
  {
    title: 'every optional component, pull mode and a load balancer with an external IP',
    props: {
      components: { search: true, metricsAdapter: true, descheduler: true, schedulerEstimatorClusters: ['member-1'] },
      pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
      apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, externalIpAddresses: ['203.0.113.10'] },
    },
    componentClients: {
      ...CORE_CLIENTS,
      'karmada-descheduler-client-cert': 'system:karmada:karmada-descheduler',
      'karmada-search-client-cert': 'system:karmada:karmada-search',
      'karmada-metrics-adapter-client-cert': 'system:karmada:karmada-metrics-adapter',
    },
    apiServerHosts: ['karmada.example.com', '203.0.113.10'],
  },
];

const sorted = (values: readonly string[] | undefined) => [...values ?? []].sort();

describe.each(CASES)('the issued PKI, $title', ({ props, componentClients, apiServerHosts }) => {
  let dir: string;
  let objects: Manifest[];
  let topology: HATopology;
  let secrets: Map<string, IssuedSecret>;
  const text = new Map<string, CertificateText>();
  const all = () => [...secrets.values()];
  const cas = () => all().filter(s => s.spec.isCA === true);
  const leaves = () => all().filter(s => s.spec.isCA !== true);
  const certificateText = (secret: IssuedSecret) => text.get(secret.secretName)!;
  const secret = (name: string) => {
    const found = secrets.get(name);
    if (!found) throw new Error(`no Certificate writes Secret ${name}; have ${[...secrets.keys()].join(', ')}`);
    return found;
  };

  beforeAll(() => {
    // GIVEN the synthesized topology WHEN every Certificate is issued as cert-manager would
    ({ objects, topology } = synthTopology(props));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'karmada-pki-test-'));
    secrets = issueCertManagerPki(objects, { dir });
    for (const s of secrets.values()) text.set(s.secretName, readCertificate(s.certFile));
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The CA that must sign a Secret: the etcd CA for etcd's certificates, the front-proxy CA for its client, else the Karmada CA. */
  const expectedCa = (secretName: string): string => {
    if (/-etcd-\d+-(server|peer)-cert$/.test(secretName) || secretName.endsWith('-etcd-client-cert')) return `${topology.name}-etcd-ca`;
    if (secretName === `${topology.name}-front-proxy-client-cert`) return `${topology.name}-front-proxy-ca`;
    return `${topology.name}-ca`;
  };

  test('THEN there are the three CAs, each self-signed and CA:TRUE (critical) with keyCertSign and an ECDSA P-256 key', () => {
    expect(sorted(cas().map(s => s.secretName))).toEqual(sorted([`${topology.name}-ca`, `${topology.name}-etcd-ca`, `${topology.name}-front-proxy-ca`]));
    for (const ca of cas()) {
      const t = certificateText(ca);
      expect({ ca: ca.secretName, signedBy: ca.signedBy, issuer: t.issuer.attributes, basic: t.basicConstraints })
        .toEqual({ ca: ca.secretName, signedBy: undefined, issuer: t.subject.attributes, basic: { critical: true, ca: true } });
      expect(t.keyUsage?.usages).toContain('Certificate Sign');
      expect(verifyCertificate(ca.certFile, ca.caFile)).toMatchObject({ ok: true });
      expect(fs.readFileSync(ca.caFile)).toEqual(fs.readFileSync(ca.certFile));
    }
    for (const s of all()) {
      expect({ secret: s.secretName, key: certificateText(s).publicKeyAlgorithm, curve: certificateText(s).curve })
        .toEqual({ secret: s.secretName, key: 'id-ecPublicKey', curve: 'prime256v1' });
    }
  });

  test('THEN every leaf verifies against the CA that must sign it, its ca.crt is that CA, and it does not verify against any other CA', () => {
    for (const leaf of leaves()) {
      const ca = secret(expectedCa(leaf.secretName));
      expect({ leaf: leaf.secretName, signedBy: leaf.signedBy }).toEqual({ leaf: leaf.secretName, signedBy: ca.secretName });
      expect({ leaf: leaf.secretName, ...verifyCertificate(leaf.certFile, ca.certFile) }).toMatchObject({ leaf: leaf.secretName, ok: true });
      expect(fs.readFileSync(leaf.caFile)).toEqual(fs.readFileSync(ca.certFile));
      expect(certificateText(leaf).issuer.attributes).toEqual(certificateText(ca).subject.attributes);
      expect({ leaf: leaf.secretName, basic: certificateText(leaf).basicConstraints })
        .toEqual({ leaf: leaf.secretName, basic: { critical: true, ca: false } });
      for (const other of cas().filter(c => c !== ca)) {
        expect({ leaf: leaf.secretName, against: other.secretName, ok: verifyCertificate(leaf.certFile, other.certFile).ok })
          .toEqual({ leaf: leaf.secretName, against: other.secretName, ok: false });
      }
    }
    for (const ca of cas()) {
      for (const other of cas().filter(c => c !== ca)) expect(verifyCertificate(ca.certFile, other.certFile).ok).toBe(false);
    }
  });

  test('THEN each certificate\'s CN, O, DNS and IP SANs are exactly its Certificate\'s', () => {
    for (const s of all()) {
      const t = certificateText(s);
      expect({
        secret: s.secretName,
        subject: Object.keys(t.subject.attributes).sort(),
        cn: t.subject.commonName,
        o: sorted(t.subject.organizations),
        dns: sorted(t.dnsNames),
        ip: sorted(t.ipAddresses),
        other: t.otherNames,
      }).toEqual({
        secret: s.secretName,
        subject: s.spec.subject?.organizations?.length ? ['commonName', 'organizationName'] : ['commonName'],
        cn: [s.spec.commonName],
        o: sorted(s.spec.subject?.organizations),
        dns: sorted(s.spec.dnsNames),
        ip: sorted((s.spec.ipAddresses ?? []).map(canonicalIp)),
        other: [],
      });
      expect(s.deviations).toEqual([]);
    }
  });

  test('THEN each certificate\'s key usages (critical) and extended key usages are exactly its Certificate\'s', () => {
    for (const s of all()) {
      const usages = s.spec.usages ?? [];
      const unknown = usages.filter(u => !OPENSSL_KEY_USAGE[u] && !OPENSSL_EXTENDED_KEY_USAGE[u]);
      expect({ secret: s.secretName, unknown }).toEqual({ secret: s.secretName, unknown: [] });
      const t = certificateText(s);
      expect({
        secret: s.secretName,
        keyUsage: sorted(t.keyUsage?.usages),
        keyUsageCritical: t.keyUsage?.critical,
        extendedKeyUsage: sorted(t.extendedKeyUsage?.usages),
      }).toEqual({
        secret: s.secretName,
        keyUsage: sorted(usages.filter(u => OPENSSL_KEY_USAGE[u]).map(u => OPENSSL_KEY_USAGE[u])),
        keyUsageCritical: true,
        extendedKeyUsage: sorted(usages.filter(u => OPENSSL_EXTENDED_KEY_USAGE[u]).map(u => OPENSSL_EXTENDED_KEY_USAGE[u])),
      });
    }
  });

  test('THEN every component\'s client certificate for karmada-apiserver has CN system:karmada:<component> (kube-controller-manager: system:kube-controller-manager)', () => {
    const karmadaCa = `${topology.name}-ca`;
    const clients = leaves().filter(s => s.signedBy === karmadaCa
      && sorted(certificateText(s).extendedKeyUsage?.usages).join() === 'TLS Web Client Authentication'
      && !s.secretName.endsWith('-grpc-client-cert')
      && s.secretName !== `${topology.name}-bootstrap-client-cert` && s.secretName !== `${topology.name}-admin-cert`);
    expect(Object.fromEntries(clients.map(s => [s.secretName, certificateText(s).subject.commonName.join()]))).toEqual(componentClients);
    for (const s of clients) expect({ secret: s.secretName, o: certificateText(s).subject.organizations }).toEqual({ secret: s.secretName, o: [] });
  });

  test('THEN only the bootstrap certificate is in system:masters, and the admin certificate is in karmada:cluster-admins', () => {
    const masters = all().filter(s => certificateText(s).subject.organizations.includes('system:masters')).map(s => s.secretName);
    expect(masters).toEqual([`${topology.name}-bootstrap-client-cert`]);
    const bootstrap = certificateText(secret(`${topology.name}-bootstrap-client-cert`));
    expect({ cn: bootstrap.subject.commonName, o: bootstrap.subject.organizations }).toEqual({ cn: ['system:karmada:bootstrap'], o: ['system:masters'] });
    const admin = certificateText(secret(`${topology.name}-admin-cert`));
    expect({ cn: admin.subject.commonName, o: admin.subject.organizations, eku: admin.extendedKeyUsage?.usages })
      .toEqual({ cn: ['karmada-admin'], o: ['karmada:cluster-admins'], eku: ['TLS Web Client Authentication'] });
  });

  test('THEN etcd\'s server and peer certificates are for both server and client auth, and cover the URLs the members advertise and the apiservers dial', () => {
    const members = objects.filter(o => o.kind === 'StatefulSet' && o.spec.template.metadata.labels['app.kubernetes.io/name'] === 'etcd');
    expect(members.length).toBeGreaterThanOrEqual(3);
    const mountedSecret = (workload: Manifest, file: string) => {
      const spec = workload.spec.template.spec;
      const mount = spec.containers[0].volumeMounts.find((m: Manifest) => file.startsWith(`${m.mountPath}/`));
      return secret(spec.volumes.find((v: Manifest) => v.name === mount?.name)?.secret?.secretName);
    };
    const advertisedClientUrls: string[] = [];
    for (const member of members) {
      const server = mountedSecret(member, flag(member, 'cert-file')!);
      const peer = mountedSecret(member, flag(member, 'peer-cert-file')!);
      for (const s of [server, peer]) {
        expect({ secret: s.secretName, eku: sorted(certificateText(s).extendedKeyUsage?.usages) })
          .toEqual({ secret: s.secretName, eku: ['TLS Web Client Authentication', 'TLS Web Server Authentication'] });
      }
      const clientUrls = flag(member, 'advertise-client-urls')!.split(',');
      advertisedClientUrls.push(...clientUrls);
      for (const url of clientUrls) {
        expect({ url, covered: certificateCoversHost(server.certFile, new URL(url).hostname) }).toEqual({ url, covered: true });
      }
      for (const url of flag(member, 'initial-advertise-peer-urls')!.split(',')) {
        expect({ url, covered: certificateCoversHost(peer.certFile, new URL(url).hostname) }).toEqual({ url, covered: true });
      }
    }
    const etcdClients = workloads(objects).filter(w => w.kind === 'Deployment' && flag(w, 'etcd-servers') !== undefined);
    expect(etcdClients.length).toBeGreaterThan(0);
    for (const client of etcdClients) {
      for (const url of flag(client, 'etcd-servers')!.split(',')) expect(advertisedClientUrls).toContain(url);
      const clientCert = mountedSecret(client, flag(client, 'etcd-certfile')!);
      expect({ workload: client.metadata.name, signedBy: clientCert.signedBy }).toEqual({ workload: client.metadata.name, signedBy: `${topology.name}-etcd-ca` });
    }
  });

  test('THEN karmada-apiserver\'s certificate covers every server the kubeconfigs name, the entry point, and the external names and addresses', () => {
    const apiServer = secret(`${topology.name}-apiserver-cert`);
    const servers = new Set<string>([new URL(topology.apiServerUrl).hostname, ...apiServerHosts]);
    for (const configMap of objects.filter(o => o.kind === 'ConfigMap' && o.data)) {
      for (const value of Object.values(configMap.data as Record<string, string>)) {
        for (const match of value.matchAll(/^\s*server: (\S+)$/gm)) servers.add(new URL(match[1]).hostname);
      }
    }
    expect(servers.size).toBeGreaterThan(3);
    for (const host of servers) expect({ host, covered: certificateCoversHost(apiServer.certFile, host) }).toEqual({ host, covered: true });
  });

  test('THEN the webhook\'s, the aggregated API servers\' and the estimators\' serving certificates cover the names they are dialled by', () => {
    const ns = topology.namespace;
    const dialled: Record<string, string[]> = {
      // karmada-apiserver calls the webhooks by URL, through the host cluster's Service.
      [`${topology.name}-webhook-cert`]: [`${topology.name}-webhook.${ns}.svc`],
      // The aggregator dials the APIService's Service inside the Karmada API: <component>.karmada-system.svc.
      [`${topology.name}-aggregated-apiserver-cert`]: ['karmada-aggregated-apiserver.karmada-system.svc'],
    };
    const estimators = props.components?.schedulerEstimatorClusters ?? [];
    if (props.components?.search) dialled[`${topology.name}-search-cert`] = ['karmada-search.karmada-system.svc'];
    if (props.components?.metricsAdapter) dialled[`${topology.name}-metrics-adapter-cert`] = ['karmada-metrics-adapter.karmada-system.svc'];
    // The (de)scheduler finds no estimator Service inside the Karmada API, so it dials `<prefix>-<cluster>:10352`.
    for (const cluster of estimators) dialled[`${topology.name}-scheduler-estimator-${cluster}-cert`] = [`${topology.name}-scheduler-estimator-${cluster}`];
    for (const [secretName, hosts] of Object.entries(dialled)) {
      const s = secret(secretName);
      expect({ secret: secretName, eku: certificateText(s).extendedKeyUsage?.usages }).toEqual({ secret: secretName, eku: ['TLS Web Server Authentication'] });
      for (const host of hosts) {
        expect({ secretName, host, covered: certificateCoversHost(s.certFile, host) }).toEqual({ secretName, host, covered: true });
      }
    }
    const grpcClients = leaves().filter(s => s.secretName.endsWith('-grpc-client-cert')).map(s => s.secretName);
    expect(sorted(grpcClients)).toEqual(estimators.length === 0 ? [] : sorted([
      `${topology.name}-scheduler-grpc-client-cert`, ...(props.components?.descheduler ? [`${topology.name}-descheduler-grpc-client-cert`] : []),
    ]));
  });
});

describe('the openssl issuer of cert-manager objects', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'karmada-pki-issuer-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const issuer = (name: string, spec: Manifest) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name, namespace: 'ns' }, spec });
  const certificate = (name: string, spec: Manifest) => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: 'ns' },
    spec: { secretName: name, commonName: name, privateKey: { algorithm: 'ECDSA', size: 256 }, ...spec },
  });
  const selfSigned = { name: 'self', kind: 'Issuer', group: 'cert-manager.io' };

  test('WHEN a usage has no mapping THEN it fails', () => {
    expect(() => issueCertManagerPki([issuer('self', { selfSigned: {} }), certificate('a', { issuerRef: selfSigned, usages: ['code signing'] })], { dir }))
      .toThrow(/usage "code signing" is not mapped/);
  });

  test('WHEN the issuer is missing, a ClusterIssuer, or a CA issuer whose Secret no Certificate writes THEN it fails', () => {
    expect(() => issueCertManagerPki([certificate('a', { issuerRef: selfSigned })], { dir })).toThrow(/Issuer self .* is not among the objects/);
    expect(() => issueCertManagerPki([certificate('a', { issuerRef: { name: 'x', kind: 'ClusterIssuer' } })], { dir }))
      .toThrow(/ClusterIssuer x is not among the objects/);
    expect(() => issueCertManagerPki([issuer('ca', { ca: { secretName: 'nowhere' } }), certificate('a', { issuerRef: { name: 'ca' } })], { dir }))
      .toThrow(/signs with Secret nowhere, which no Certificate/);
    expect(() => issueCertManagerPki([issuer('acme', { acme: {} }), certificate('a', { issuerRef: { name: 'acme' } })], { dir }))
      .toThrow(/only selfSigned and ca are mapped/);
  });

  test('WHEN a CA issuer names a Secret of a certificate that is not a CA, or a spec field is not mapped THEN it fails', () => {
    expect(() => issueCertManagerPki([
      issuer('self', { selfSigned: {} }), issuer('ca', { ca: { secretName: 'leaf' } }),
      certificate('leaf', { issuerRef: selfSigned }), certificate('b', { issuerRef: { name: 'ca' } }),
    ], { dir })).toThrow(/is not isCA/);
    expect(() => issueCertManagerPki([issuer('self', { selfSigned: {} }), certificate('a', { issuerRef: selfSigned, uris: ['spiffe://x'] })], { dir }))
      .toThrow(/spec fields uris are not mapped/);
    expect(() => issueCertManagerPki([issuer('self', { selfSigned: {} }), certificate('a', { issuerRef: selfSigned, privateKey: { algorithm: 'RSA', size: 2048 } })], { dir }))
      .toThrow(/only ECDSA 256/);
  });
});
