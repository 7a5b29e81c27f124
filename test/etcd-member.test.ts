import { Duration, Size, Testing } from 'cdk8s';
import { EtcdCompactionMode, EtcdMember } from '../src';
import { find, flag, podSpec } from './util';

describe('EtcdMember on its own', () => {
  // GIVEN one member of a 3-member cluster composed by hand, with every knob turned
  const chart = Testing.chart();
  const member = new EtcdMember(chart, 'member', {
    memberName: 'etcd-b',
    initialClusterMembers: ['etcd-a', 'etcd-b', 'etcd-c'],
    instance: 'kd',
    namespace: 'etcd',
    clusterDomain: 'corp.local',
    clusterToken: 'kd-etcd-2026',
    image: 'mirror.example.com/etcd:3.6.6-0',
    tuning: {
      heartbeatInterval: Duration.millis(250),
      electionTimeout: Duration.millis(2500),
      quotaBackend: Size.gibibytes(4),
      snapshotCount: 5000,
      autoCompactionMode: EtcdCompactionMode.REVISION,
      autoCompactionRetention: '20000',
    },
    storageSize: Size.gibibytes(50),
    storageClassName: 'fast-ssd',
    serverCertificateSecret: 'etcd-b-serving',
    peerCertificateSecret: 'etcd-b-peering',
  });
  // WHEN synthesized
  const objects = Testing.synth(chart);
  const statefulSet = find(objects, 'StatefulSet', 'etcd-b');

  test('synthesizes one StatefulSet and one headless Service', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/etcd-b', 'StatefulSet/etcd-b']);
  });

  test('its URLs and identity come from its name, namespace and cluster domain', () => {
    expect(member.clientUrl).toBe('https://etcd-b.etcd.svc.corp.local:2379');
    expect(member.peerUrl).toBe('https://etcd-b.etcd.svc.corp.local:2380');
    expect(flag(statefulSet, 'initial-cluster')).toBe(
      'etcd-a=https://etcd-a.etcd.svc.corp.local:2380,etcd-b=https://etcd-b.etcd.svc.corp.local:2380,etcd-c=https://etcd-c.etcd.svc.corp.local:2380');
    expect(flag(statefulSet, 'initial-cluster-token')).toBe('kd-etcd-2026');
  });

  test('the tuning becomes flags in etcd\'s units', () => {
    expect(flag(statefulSet, 'heartbeat-interval')).toBe('250');
    expect(flag(statefulSet, 'election-timeout')).toBe('2500');
    expect(flag(statefulSet, 'quota-backend-bytes')).toBe(String(4 * 1024 ** 3));
    expect(flag(statefulSet, 'snapshot-count')).toBe('5000');
    expect(flag(statefulSet, 'auto-compaction-mode')).toBe('revision');
    expect(flag(statefulSet, 'auto-compaction-retention')).toBe('20000');
  });

  test('its volume, image and Secrets are the ones given', () => {
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '50Gi' } } },
    }]);
    expect(podSpec(statefulSet).containers[0].image).toBe('mirror.example.com/etcd:3.6.6-0');
    expect(podSpec(statefulSet).volumes.map((v: any) => v.secret.secretName)).toEqual(['etcd-b-serving', 'etcd-b-peering']);
  });

  test('not stacked: it is tied to no control-plane node', () => {
    expect(podSpec(statefulSet).affinity.podAffinity).toBeUndefined();
    expect(member.controlPlaneNode).toBeUndefined();
  });
});
