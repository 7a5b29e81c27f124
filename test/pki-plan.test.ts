import { synthTopology } from './util';
import { firstServiceIp, serviceDnsNames } from '../src/private/pki-plan';

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
