import { IssuerReference, Pki } from '../src';
import { synthTopology } from './util';
import { serviceDnsNames } from '../src/private/dns';
import { firstServiceIp } from '../src/private/pki-plan';

test('the kubernetes Service address is the first of the Service range, IPv4 and IPv6', () => {
  expect(firstServiceIp('10.96.0.0/12')).toBe('10.96.0.1');
  expect(firstServiceIp('10.100.0.0/16')).toBe('10.100.0.1');
  expect(firstServiceIp('fd00:10:96::/112')).toBe('fd00:10:96:0:0:0:0:1');
});

test('a Service answers to four names', () => {
  expect(serviceDnsNames('karmada-webhook', 'karmada-system', 'cluster.local')).toEqual([
    'karmada-webhook', 'karmada-webhook.karmada-system', 'karmada-webhook.karmada-system.svc', 'karmada-webhook.karmada-system.svc.cluster.local',
  ]);
});

test('GIVEN a dual-stack Service range and an extra name given twice THEN the apiserver certificate lists each name once', () => {
  const { objects } = synthTopology({
    serviceClusterIpRange: '10.96.0.0/12,fd00:10:96::/112',
    apiServerService: { externalDnsNames: ['karmada.example.com', 'karmada.example.com'] },
  });
  const certificates = objects.filter(o => o.kind === 'Certificate');
  for (const certificate of certificates) {
    expect(new Set(certificate.spec.dnsNames ?? []).size).toBe((certificate.spec.dnsNames ?? []).length);
  }
  const apiServer = certificates.find(o => o.metadata.name === 'karmada-apiserver-cert')!;
  expect(apiServer.spec.ipAddresses).toEqual(['127.0.0.1', '10.96.0.1']);
  expect(apiServer.spec.dnsNames.filter((name: string) => name === 'karmada.example.com')).toHaveLength(1);
  // THEN the aggregated apiserver's host and Karmada-side Services share a name by default: listed once
  const aggregated = certificates.find(o => o.metadata.name === 'karmada-aggregated-apiserver-cert')!;
  expect(aggregated.spec.dnsNames).toEqual(serviceDnsNames('karmada-aggregated-apiserver', 'karmada-system', 'cluster.local'));
});

test('GIVEN cert-manager THEN topology.certificates describes exactly the synthesized Certificates', () => {
  const { objects, topology } = synthTopology({ components: { search: true } });
  const issuers = new Map(objects.filter(o => o.kind === 'Issuer').map(o => [o.metadata.name, o.spec]));
  const synthesized = objects.filter(o => o.kind === 'Certificate').map(o => ({
    secretName: o.spec.secretName,
    issuedBy: issuers.get(o.spec.issuerRef.name)!.selfSigned ? 'self-signed' : issuers.get(o.spec.issuerRef.name)!.ca.secretName,
    isCa: o.spec.isCA === true,
    commonName: o.spec.commonName,
    organizations: o.spec.subject?.organizations ?? [],
    dnsNames: o.spec.dnsNames ?? [],
    ipAddresses: o.spec.ipAddresses ?? [],
    usages: o.spec.usages,
  }));
  expect(topology.certificates.map(({ purpose, ...rest }) => rest)).toEqual(synthesized);
});

test('GIVEN the user\'s own Secrets THEN nothing is issued, and topology.certificates lists what each Secret must hold', () => {
  const { objects, topology } = synthTopology({ pki: Pki.existingSecrets() });
  expect(objects.filter(o => o.apiVersion === 'cert-manager.io/v1')).toEqual([]);
  const mounted = new Set(objects.flatMap(o => o.spec?.template?.spec?.volumes ?? [])
    .map((volume: Record<string, any>) => volume.secret?.secretName).filter(Boolean));
  const described = new Set(topology.certificates.map(c => c.secretName));
  // THEN every Secret a pod mounts is described (the CAs and the admin certificate are described but not mounted)
  expect([...mounted].filter(name => !described.has(name as string))).toEqual([]);
  expect(topology.certificates.find(c => c.secretName === 'karmada-admin-cert')).toEqual(expect.objectContaining({
    commonName: 'karmada-admin', organizations: ['karmada:cluster-admins'], issuedBy: 'karmada-ca',
  }));
});

test('GIVEN issuers of the user\'s THEN topology.certificates names them, and describes no CA they replace', () => {
  const { objects, topology } = synthTopology({
    pki: Pki.certManager({ karmadaIssuer: IssuerReference.clusterIssuer('corp-ca'), etcdIssuer: IssuerReference.issuer('etcd-ca') }),
  });
  expect(topology.certificates.filter(c => c.isCa).map(c => c.secretName)).toEqual(['karmada-front-proxy-ca']);
  expect(topology.certificates.find(c => c.secretName === 'karmada-apiserver-cert')!.issuedBy).toBe('ClusterIssuer/corp-ca');
  expect(topology.certificates.find(c => c.secretName === 'karmada-etcd-0-server-cert')!.issuedBy).toBe('Issuer/etcd-ca');
  expect(topology.certificates.find(c => c.secretName === 'karmada-front-proxy-client-cert')!.issuedBy).toBe('karmada-front-proxy-ca');
  // THEN the synthesized Certificates point at the same issuers
  const apiServer = objects.find(o => o.kind === 'Certificate' && o.metadata.name === 'karmada-apiserver-cert')!;
  expect(apiServer.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'corp-ca' });
  expect(topology.certificates.map(c => c.secretName).sort()).toEqual(objects.filter(o => o.kind === 'Certificate').map(o => o.metadata.name).sort());
});
