import { Size, Testing } from 'cdk8s';
import { EtcdBackup, EtcdDefragmentation, EtcdTopology, HATopologyProps, KarmadaWarnings } from '../src';
import { find, Manifest, ofKind, synthTopology } from './util';

const NS = 'karmada-system';
const memberUrl = (member: string) => `https://${member}.${NS}.svc.cluster.local:2379`;
const MEMBERS = ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'];
const TLS = ['--cacert=/etc/etcd/pki/client/ca.crt', '--cert=/etc/etcd/pki/client/tls.crt', '--key=/etc/etcd/pki/client/tls.key'];
const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsGroup: 65532,
  runAsNonRoot: true,
  runAsUser: 65532,
  seccompProfile: { type: 'RuntimeDefault' },
};

const podOf = (cronJob: Manifest): Manifest => cronJob.spec.jobTemplate.spec.template.spec;
const names = (objects: Manifest[]) => objects.map(o => `${o.kind}/${o.metadata.name}`);

describe('GIVEN a default HATopology (stacked etcd)', () => {
  const { objects, topology } = synthTopology();
  const backup = find(objects, 'CronJob', 'karmada-etcd-backup');
  const defrag = find(objects, 'CronJob', 'karmada-etcd-defrag');

  test('THEN the client Service selects every member, on the client port only, and only while ready', () => {
    const service = find(objects, 'Service', 'karmada-etcd-client');
    expect(service.spec).toEqual({
      externalIPs: [],
      ports: [{ name: 'client', port: 2379, targetPort: 2379 }],
      selector: { 'app.kubernetes.io/instance': 'karmada', 'app.kubernetes.io/name': 'etcd' },
      type: 'ClusterIP',
    });
    expect(service.metadata.labels).toEqual({ 'app.kubernetes.io/instance': 'karmada', 'app.kubernetes.io/name': 'etcd' });
  });

  test('THEN every member\'s server certificate covers the client Service\'s names, and each maintenance job has an etcd client certificate of its own', () => {
    for (const member of MEMBERS) {
      const server = topology.certificates.find(c => c.secretName === `${member}-server-cert`)!;
      expect(server.dnsNames).toEqual([
        member, `${member}.${NS}`, `${member}.${NS}.svc`, `${member}.${NS}.svc.cluster.local`,
        'karmada-etcd-client', `karmada-etcd-client.${NS}`, `karmada-etcd-client.${NS}.svc`, `karmada-etcd-client.${NS}.svc.cluster.local`,
      ]);
      // The peer certificate does not: peers never dial the Service.
      expect(topology.certificates.find(c => c.secretName === `${member}-peer-cert`)!.dnsNames).not.toContain('karmada-etcd-client');
    }
    for (const job of ['etcd-backup', 'etcd-defrag']) {
      expect(topology.certificates.find(c => c.secretName === `karmada-${job}-etcd-client-cert`)).toMatchObject({
        issuedBy: 'karmada-etcd-ca', commonName: `system:karmada:${job}-etcd-client`, usages: ['digital signature', 'client auth'], dnsNames: [],
      });
    }
  });

  test('THEN the backup CronJob runs hourly at minute 17 UTC, never two at once, with bounded retries and history', () => {
    expect(backup.metadata.labels).toEqual({
      'app.kubernetes.io/component': 'etcd',
      'app.kubernetes.io/instance': 'karmada',
      'app.kubernetes.io/managed-by': 'cdk8s-karmada',
      'app.kubernetes.io/name': 'etcd-backup',
      'app.kubernetes.io/part-of': 'karmada',
    });
    const { jobTemplate, ...schedule } = backup.spec;
    expect(schedule).toEqual({
      schedule: '17 * * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      suspend: false,
    });
    expect(jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 1800, backoffLimit: 2 });
    expect(jobTemplate.spec.template.metadata.labels).toEqual(backup.metadata.labels);
  });

  test('THEN the backup pod saves a snapshot through the client Service, checks it, then renames it and keeps the newest 24', () => {
    const pod = podOf(backup);
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false });
    const [snapshot, verify] = pod.initContainers;
    expect(snapshot).toMatchObject({ name: 'snapshot', image: 'registry.k8s.io/etcd:3.6.6-0', imagePullPolicy: 'IfNotPresent', command: ['etcdctl'] });
    expect(snapshot.args).toEqual([
      `--endpoints=https://karmada-etcd-client.${NS}.svc.cluster.local:2379`, ...TLS, '--dial-timeout=10s', '--command-timeout=15m',
      'snapshot', 'save', '/var/lib/etcd-backups/.etcd-snapshot.partial.db',
    ]);
    expect(snapshot.volumeMounts).toEqual([
      { mountPath: '/var/lib/etcd-backups', name: 'backups' },
      { mountPath: '/etc/etcd/pki/client', name: 'client-cert', readOnly: true },
    ]);
    expect(verify).toMatchObject({ name: 'verify', image: 'registry.k8s.io/etcd:3.6.6-0', command: ['etcdutl'] });
    expect(verify.args).toEqual(['snapshot', 'status', '/var/lib/etcd-backups/.etcd-snapshot.partial.db', '--write-out=table']);
    expect(verify.volumeMounts).toEqual([{ mountPath: '/var/lib/etcd-backups', name: 'backups', readOnly: true }]);

    const [rotate] = pod.containers;
    expect(rotate).toMatchObject({ name: 'rotate', image: 'docker.io/library/busybox:1.37.0' });
    expect(rotate.command).toEqual(['sh', '-c', [
      'set -eu',
      'cd /var/lib/etcd-backups',
      '[ -s .etcd-snapshot.partial.db ] || { echo "no checked snapshot: .etcd-snapshot.partial.db is missing or empty" >&2; exit 1; }',
      'name="etcd-snapshot-$(date -u +%Y%m%dT%H%M%SZ).db"',
      'mv .etcd-snapshot.partial.db "$name"',
      'echo "saved $name ($(wc -c < "$name") bytes)"',
      'ls -1 | grep -E \'^etcd-snapshot-[0-9]{8}T[0-9]{6}Z\\.db$\' | sort -r | tail -n +25 | while read -r old; do rm -f "$old"; echo "removed $old"; done',
      'echo "kept $(ls -1 | grep -E \'^etcd-snapshot-[0-9]{8}T[0-9]{6}Z\\.db$\' | sort | wc -l) of at most 24 snapshots:"',
      'ls -1 | grep -E \'^etcd-snapshot-[0-9]{8}T[0-9]{6}Z\\.db$\' | sort',
    ].join('\n')]);
    expect(rotate.volumeMounts).toEqual([{ mountPath: '/var/lib/etcd-backups', name: 'backups' }]);

    expect(pod.volumes).toEqual([
      { name: 'backups', persistentVolumeClaim: { claimName: 'karmada-etcd-backups', readOnly: false } },
      {
        name: 'client-cert',
        secret: {
          defaultMode: 0o440,
          secretName: 'karmada-etcd-backup-etcd-client-cert',
          items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }],
        },
      },
    ]);
  });

  test('THEN the backup claim holds 24 + 1 snapshots of the 8 GiB quota', () => {
    const claim = find(objects, 'PersistentVolumeClaim', 'karmada-etcd-backups');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '200Gi' } }, volumeMode: 'Filesystem' });
  });

  test('THEN the defragmentation CronJob runs Sundays 03:47 UTC and takes one member at a time, each after a health check of all', () => {
    const { jobTemplate, ...schedule } = defrag.spec;
    expect(schedule).toEqual({
      schedule: '47 3 * * 0',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 1800,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      suspend: false,
    });
    expect(jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 7200, backoffLimit: 1 });
    expect(jobTemplate.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('etcd-defrag');
    const pod = podOf(defrag);
    const all = `--endpoints=${MEMBERS.map(memberUrl).join(',')}`;
    const run = (c: Manifest) => [c.name, ...c.args];
    expect(pod.initContainers.map(run)).toEqual(MEMBERS.flatMap((member, i) => [
      [`health-${i}`, ...TLS, '--dial-timeout=10s', all, '--command-timeout=30s', 'endpoint', 'health'],
      [`defrag-${i}`, ...TLS, '--dial-timeout=10s', `--endpoints=${memberUrl(member)}`, '--command-timeout=20m', 'defrag'],
    ]));
    expect(pod.containers.map(run)).toEqual([['status', ...TLS, '--dial-timeout=10s', all, '--command-timeout=30s', 'endpoint', 'status', '--write-out=table']]);
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c).toMatchObject({ image: 'registry.k8s.io/etcd:3.6.6-0', command: ['etcdctl'] });
      expect(c.volumeMounts).toEqual([{ mountPath: '/etc/etcd/pki/client', name: 'client-cert', readOnly: true }]);
    }
    expect(pod.volumes).toEqual([{
      name: 'client-cert',
      secret: {
        defaultMode: 0o440,
        secretName: 'karmada-etcd-defrag-etcd-client-cert',
        items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }],
      },
    }]);
  });

  test('THEN every maintenance container runs restricted, with explicit resources, and no pod gets a service-account token', () => {
    for (const cronJob of [backup, defrag]) {
      const pod = podOf(cronJob);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532 });
      for (const c of [...pod.initContainers, ...pod.containers]) {
        expect({ name: c.name, securityContext: c.securityContext }).toEqual({ name: c.name, securityContext: RESTRICTED });
        expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(c.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(c.imagePullPolicy).toBe('IfNotPresent');
      }
    }
  });
});

describe('GIVEN backup and defragmentation options', () => {
  test('WHEN both are switched off THEN no CronJob, claim or maintenance certificate is made, but the client Service stays', () => {
    const { objects, topology } = synthTopology({ etcdBackup: { enabled: false }, etcdDefragmentation: { enabled: false } });
    expect(ofKind(objects, 'CronJob')).toEqual([]);
    expect(ofKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    expect(topology.certificates.map(c => c.secretName).filter(s => /etcd-(backup|defrag)/.test(s))).toEqual([]);
    expect(names(ofKind(objects, 'Service'))).toContain('Service/karmada-etcd-client');
  });

  test('WHEN a schedule, retention, size and storage class are given THEN the CronJob and claim use them', () => {
    const { objects, topology } = synthTopology({
      etcdBackup: { schedule: '5 */6 * * *', retention: 3, storageSize: Size.gibibytes(50), storageClassName: 'fast' },
      etcdDefragmentation: { schedule: '0 4 1 * *' },
    });
    expect(find(objects, 'CronJob', 'karmada-etcd-backup').spec.schedule).toBe('5 */6 * * *');
    expect(find(objects, 'CronJob', 'karmada-etcd-defrag').spec.schedule).toBe('0 4 1 * *');
    const script: string = podOf(find(objects, 'CronJob', 'karmada-etcd-backup')).containers[0].command[2];
    expect(script).toContain('| sort -r | tail -n +4 |');
    expect(script).toContain('of at most 3 snapshots');
    expect(find(objects, 'PersistentVolumeClaim', 'karmada-etcd-backups').spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '50Gi' } } });
    expect(KarmadaWarnings.of(topology)).toEqual([]);
  });

  test('WHEN the quota and retention change THEN the default claim size follows: quota × (retention + 1)', () => {
    const { objects } = synthTopology({ etcdTuning: { quotaBackend: Size.gibibytes(2) }, etcdBackup: { retention: 10 } });
    expect(find(objects, 'PersistentVolumeClaim', 'karmada-etcd-backups').spec.resources.requests.storage).toBe('22Gi');
  });

  test('WHEN an existing claim is named THEN none is created and the backups go to it', () => {
    const { objects } = synthTopology({ etcdBackup: { existingClaimName: 'etcd-backups' } });
    expect(ofKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    expect(podOf(find(objects, 'CronJob', 'karmada-etcd-backup')).volumes[0]).toEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'etcd-backups', readOnly: false } });
  });

  test('WHEN the backup volume is smaller than retention + 1 snapshots at the quota THEN a warning says so', () => {
    const { topology } = synthTopology({ etcdBackup: { storageSize: Size.gibibytes(10) } });
    expect(KarmadaWarnings.of(topology)).toEqual([
      'etcdBackup.storageSize (10 GiB) holds fewer than 24 + 1 snapshots as large as etcdTuning.quotaBackend (200 GiB): once the database grows, backups fail for want of space; give 200 GiB or lower the retention',
    ]);
  });

  test('WHEN etcd is external (members in the cluster) THEN the defragmentation takes the external members', () => {
    const { objects } = synthTopology({ etcd: EtcdTopology.external({ members: 5 }) });
    const pod = podOf(find(objects, 'CronJob', 'karmada-etcd-defrag'));
    expect(pod.initContainers.map((c: Manifest) => c.name)).toEqual([0, 1, 2, 3, 4].flatMap(i => [`health-${i}`, `defrag-${i}`]));
    expect(pod.initContainers[9].args).toContain(`--endpoints=${memberUrl('karmada-etcd-4')}`);
    expect(names(objects)).toEqual(expect.arrayContaining(['Service/karmada-etcd-client', 'CronJob/karmada-etcd-backup']));
  });

  test('WHEN etcd lives outside the cluster THEN there is no client Service, backup or defragmentation (and no options are checked)', () => {
    const { objects, topology } = synthTopology({
      etcd: EtcdTopology.externalEndpoints({ endpoints: ['https://e0:2379', 'https://e1:2379', 'https://e2:2379'], clientCertificateSecret: 'etcd-client' }),
      etcdBackup: { retention: 0 },
    });
    expect(ofKind(objects, 'CronJob')).toEqual([]);
    expect(names(ofKind(objects, 'Service'))).not.toContain('Service/karmada-etcd-client');
    expect(topology.certificates.map(c => c.secretName).filter(s => /etcd-(backup|defrag)/.test(s))).toEqual([]);
  });
});

describe('GIVEN invalid backup or defragmentation options THEN the synth fails naming the property and the fix', () => {
  const ERRORS: Array<[string, HATopologyProps, string]> = [
    ['a retention of 0', { etcdBackup: { retention: 0 } }, 'etcdBackup.retention must be a whole number of at least 1, got 0'],
    ['a fractional retention', { etcdBackup: { retention: 1.5 } }, 'etcdBackup.retention must be a whole number of at least 1, got 1.5'],
    ['a schedule of 6 fields', { etcdBackup: { schedule: '0 17 * * * *' } },
      'etcdBackup.schedule \'0 17 * * * *\' is not a cron schedule of 5 fields (minute hour day-of-month month day-of-week, in UTC): use e.g. \'17 * * * *\''],
    ['a schedule with a time zone', { etcdBackup: { schedule: 'CRON_TZ=UTC 17 * * * *' } },
      'etcdBackup.schedule \'CRON_TZ=UTC 17 * * * *\' is not a cron schedule of 5 fields (minute hour day-of-month month day-of-week, in UTC): use e.g. \'17 * * * *\''],
    ['a defragmentation schedule macro', { etcdDefragmentation: { schedule: '@weekly' } },
      'etcdDefragmentation.schedule \'@weekly\' is not a cron schedule of 5 fields (minute hour day-of-month month day-of-week, in UTC): use e.g. \'47 3 * * 0\''],
    ['an existing claim with a size', { etcdBackup: { existingClaimName: 'backups', storageSize: Size.gibibytes(10), storageClassName: 'fast' } },
      'etcdBackup.existingClaimName is set, so no claim is created and etcdBackup.storageSize and etcdBackup.storageClassName would be ignored: drop them, or drop existingClaimName'],
    ['an invalid claim name', { etcdBackup: { existingClaimName: 'Etcd Backups' } },
      'etcdBackup.existingClaimName \'Etcd Backups\' is not a valid claim name (a DNS-1123 subdomain): use e.g. \'etcd-backups\''],
    ['a member named like the client Service', { etcd: EtcdTopology.stacked({ memberNames: ['karmada-etcd-client', 'e-1', 'e-2'] }) },
      'the etcd client Service and etcd member \'karmada-etcd-client\' would both create Service \'karmada-etcd-client\': rename one of them'],
  ];
  test.each(ERRORS)('%s', (_, props, message) => {
    expect(() => synthTopology(props)).toThrow(`invalid HATopology 'test/karmada':\n- ${message}`);
  });

  test('a switched-off backup is not checked', () => {
    expect(() => synthTopology({ etcdBackup: { enabled: false, retention: 0 } })).not.toThrow();
  });
});

describe('GIVEN the constructs on their own', () => {
  test('EtcdBackup with another instance and namespace dials that instance\'s client Service and mounts its certificate', () => {
    const chart = Testing.chart();
    new EtcdBackup(chart, 'backup', { instance: 'prod', namespace: 'karmada-prod', clusterDomain: 'example.internal' });
    const cronJob = find(Testing.synth(chart), 'CronJob', 'prod-etcd-backup');
    expect(cronJob.metadata.namespace).toBe('karmada-prod');
    expect(podOf(cronJob).initContainers[0].args[0]).toBe('--endpoints=https://prod-etcd-client.karmada-prod.svc.example.internal:2379');
    expect(podOf(cronJob).volumes[1].secret.secretName).toBe('prod-etcd-backup-etcd-client-cert');
  });

  test('EtcdDefragmentation without members, or with a repeated one, is refused', () => {
    expect(() => new EtcdDefragmentation(Testing.chart(), 'd', { memberNames: [] })).toThrow('memberNames is empty: name every etcd member to defragment');
    expect(() => new EtcdDefragmentation(Testing.chart(), 'd', { memberNames: ['a', 'a', 'b'] }))
      .toThrow('memberNames contains \'a\' more than once: give every etcd member a name of its own');
  });

  test('EtcdBackup refuses a retention below 1', () => {
    expect(() => new EtcdBackup(Testing.chart(), 'b', { retention: -1 })).toThrow('etcdBackup.retention must be a whole number of at least 1, got -1');
  });
});
