import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { resolveEtcdTuning, sizeBytes } from '../etcd-tuning';
import { HostRequirements } from '../host-requirements';
import { KarmadaImages } from '../images';
import { InstallationProps, resolveInstallation } from '../installation';
import {
  DEFAULT_ETCD_BACKUP_RETENTION, DEFAULT_ETCD_BACKUP_SCHEDULE, ETCD_BACKUP_MOUNT, ETCD_MAINTENANCE_CLIENT_PKI,
  ETCD_PARTIAL_SNAPSHOT, ETCD_SNAPSHOT_NAME_PATTERN, checkEtcdBackup, checkEtcdMaintenanceProps,
  defaultEtcdBackupStorageGibibytes, etcdClientServiceUrl, etcdctlTlsArgs, etcdMaintenanceCronJob,
} from '../private/etcd-maintenance';
import { applyHostRequirements } from '../private/host-placement';
import { DEFAULT_ETCD_IMAGE, resolveImages } from '../private/image-defaults';
import { Component, SecretNames } from '../private/names';
import { CONTAINER_SECURITY_CONTEXT, mountSecret } from '../private/pod-defaults';
import { etcdMaintenancePodLabels } from '../private/selectors';
import { checkEtcdQuota, checkImageReference } from '../private/validation';
import { addWarning } from '../warnings';

/** When etcd snapshots are taken, how many are kept, and where. */
export interface EtcdBackupSettings {
  /**
   * When to take a snapshot: a cron schedule of 5 fields, in UTC.
   * @default '17 * * * *' (every hour, at minute 17)
   */
  readonly schedule?: string;
  /**
   * How many snapshots to keep (at least 1); the oldest beyond that are deleted after each successful backup.
   * @default 24
   */
  readonly retention?: number;
  /**
   * Size of the backup volume the library creates. Each snapshot is as large as the database, which may grow to
   * the backend quota; the volume holds `retention` snapshots plus the one being written.
   * @default - quota × (retention + 1), in whole GiB: 200 GiB with the 8 GiB default quota and 24 snapshots
   */
  readonly storageSize?: Size;
  /**
   * Storage class of the backup volume the library creates.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;
  /**
   * Keep the snapshots on an existing PersistentVolumeClaim of this name (in the installation's namespace) instead
   * of a claim the library creates.
   * @default - a claim `<instance>-etcd-backups` is created
   */
  readonly existingClaimName?: string;
}

/** HATopology's etcd backups (only when the library runs the etcd members). */
export interface EtcdBackupOptions extends EtcdBackupSettings {
  /**
   * Take scheduled snapshots of etcd.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props of the etcd backup CronJob. */
export interface EtcdBackupProps extends InstallationProps, EtcdBackupSettings {
  /**
   * The etcd image: `etcdctl` takes the snapshot and `etcdutl` checks it.
   * @default 'registry.k8s.io/etcd:3.6.6-0'
   */
  readonly etcdImage?: string;
  /**
   * Images (`shell` renames and rotates the snapshots).
   * @default - busybox
   */
  readonly images?: KarmadaImages;
  /**
   * Secret with the etcd client certificate the backup presents (keys `tls.crt`, `tls.key`, and `ca.crt`: the etcd
   * CA, which signs the members' server certificates).
   * @default - `<instance>-etcd-backup-etcd-client-cert`
   */
  readonly clientCertificateSecret?: string;
  /**
   * The members' backend quota, from which the default volume size is derived.
   * @default Size.gibibytes(8)
   */
  readonly quotaBackend?: Size;
  /**
   * Which hosts may run the backup pods.
   * @default - any host
   */
  readonly hosts?: HostRequirements;
}

/** How long one backup may run: a snapshot of an 8 GiB database streams in minutes. */
const ACTIVE_DEADLINE = Duration.minutes(30);
/** `etcdctl snapshot save` has no timeout unless given one. */
const SNAPSHOT_TIMEOUT = '15m';
/** A run that could not start within this long after its time is skipped until the next one. */
const STARTING_DEADLINE = Duration.minutes(10);
/** Retries of a failed backup within the hour. */
const BACKOFF_LIMIT = 2;

/**
 * A CronJob `<instance>-etcd-backup` that saves an etcd snapshot on a schedule and keeps the newest `retention`.
 *
 * Each run, one pod (no service-account token, the restricted Pod Security profile):
 * 1. `etcdctl snapshot save` (etcd image) through the client Service `<instance>-etcd-client`, which forwards to a
 *    ready member (one that belongs to a quorum), into the backup volume under a temporary name;
 * 2. `etcdutl snapshot status` (etcd image) opens the snapshot read-only and walks it: a damaged file fails the run;
 * 3. the shell image renames it `etcd-snapshot-<UTC yyyymmddThhmmssZ>.db` and deletes the oldest snapshots beyond
 *    `retention`. Files of other names on the volume are left alone.
 *
 * Runs never overlap (concurrency policy Forbid); a failed run retries twice and leaves the kept snapshots as they
 * were. Restore with `scripts/restore-etcd.sh` (see docs/etcd.md, "Backup and restore").
 *
 * @example
 * new EtcdBackup(chart, 'backup', { schedule: '17 * * * *', retention: 24, storageSize: Size.gibibytes(200) });
 */
export class EtcdBackup extends Construct {
  /** The CronJob. */
  public readonly cronJob: kplus.CronJob;
  /** The name of the claim that holds the snapshots. */
  public readonly claimName: string;
  /** The claim the library created, unless an existing one was named. */
  public readonly claim?: kplus.PersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: EtcdBackupProps = {}) {
    super(scope, id);
    const { instance, namespace, clusterDomain } = resolveInstallation(this, props);
    const quotaBackendBytes = resolveEtcdTuning({ quotaBackend: props.quotaBackend }).quotaBackendBytes;
    const retention = props.retention ?? DEFAULT_ETCD_BACKUP_RETENTION;
    const schedule = props.schedule ?? DEFAULT_ETCD_BACKUP_SCHEDULE;
    const clientSecret = props.clientCertificateSecret ?? SecretNames.etcdClient(instance, Component.ETCD_BACKUP);

    const findings = checkEtcdBackup('etcdBackup', {
      schedule: props.schedule,
      retention: props.retention,
      storageBytes: props.storageSize ? sizeBytes(props.storageSize) : undefined,
      storageClassName: props.storageClassName,
      existingClaimName: props.existingClaimName,
      quotaBackendBytes,
    });
    const errors = [
      ...checkEtcdMaintenanceProps(props, clusterDomain, clientSecret),
      ...findings.errors,
      ...(props.images?.shell !== undefined ? checkImageReference('images.shell', props.images.shell) : []),
      ...(props.quotaBackend !== undefined ? checkEtcdQuota(quotaBackendBytes).errors : []),
    ];
    if (errors.length > 0) throw new Error(errors.join('\n'));
    findings.warnings.forEach(warning => addWarning(this, warning));

    const labels = etcdMaintenancePodLabels(instance, Component.ETCD_BACKUP);
    if (props.existingClaimName !== undefined) {
      this.claimName = props.existingClaimName;
    } else {
      this.claimName = `${instance}-etcd-backups`;
      this.claim = new kplus.PersistentVolumeClaim(this, 'Claim', {
        metadata: { name: this.claimName, namespace, labels },
        accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
        volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
        storage: props.storageSize ?? Size.gibibytes(defaultEtcdBackupStorageGibibytes(quotaBackendBytes, retention)),
        storageClassName: props.storageClassName,
      });
    }

    this.cronJob = etcdMaintenanceCronJob(this, 'CronJob', {
      component: Component.ETCD_BACKUP,
      instance,
      namespace,
      schedule,
      startingDeadline: STARTING_DEADLINE,
      activeDeadline: ACTIVE_DEADLINE,
      backoffLimit: BACKOFF_LIMIT,
    });

    const backups = kplus.Volume.fromPersistentVolumeClaim(this, 'Backups',
      this.claim ?? kplus.PersistentVolumeClaim.fromClaimName(this, 'ExistingClaim', this.claimName), { name: 'backups' });
    const etcdImage = props.etcdImage ?? DEFAULT_ETCD_IMAGE;
    const partial = `${ETCD_BACKUP_MOUNT}/${ETCD_PARTIAL_SNAPSHOT}`;

    const snapshot = this.cronJob.addInitContainer({
      name: 'snapshot',
      image: etcdImage,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['etcdctl'],
      args: [
        `--endpoints=${etcdClientServiceUrl(instance, namespace, clusterDomain)}`,
        ...etcdctlTlsArgs(),
        '--dial-timeout=10s',
        `--command-timeout=${SNAPSHOT_TIMEOUT}`,
        'snapshot', 'save', partial,
      ],
      securityContext: CONTAINER_SECURITY_CONTEXT,
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
      },
    });
    snapshot.mount(ETCD_BACKUP_MOUNT, backups);
    mountSecret(this.cronJob, 'client-cert', snapshot, clientSecret, ETCD_MAINTENANCE_CLIENT_PKI, ['tls.crt', 'tls.key', 'ca.crt']);

    const verify = this.cronJob.addInitContainer({
      name: 'verify',
      image: etcdImage,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['etcdutl'],
      args: ['snapshot', 'status', partial, '--write-out=table'],
      securityContext: CONTAINER_SECURITY_CONTEXT,
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
        memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
      },
    });
    verify.mount(ETCD_BACKUP_MOUNT, backups, { readOnly: true });

    const rotate = this.cronJob.addContainer({
      name: 'rotate',
      image: resolveImages(props.images).shell,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['sh', '-c', rotationScript(retention)],
      securityContext: CONTAINER_SECURITY_CONTEXT,
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(200) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
      },
    });
    rotate.mount(ETCD_BACKUP_MOUNT, backups);

    applyHostRequirements(this.cronJob, props.hosts);
  }
}

/** Renames the checked snapshot to its UTC time and deletes the oldest beyond `retention` (names sort by time). */
function rotationScript(retention: number): string {
  const kept = `ls -1 | grep -E '${ETCD_SNAPSHOT_NAME_PATTERN}' | sort`;
  return [
    'set -eu',
    `cd ${ETCD_BACKUP_MOUNT}`,
    `[ -s ${ETCD_PARTIAL_SNAPSHOT} ] || { echo "no checked snapshot: ${ETCD_PARTIAL_SNAPSHOT} is missing or empty" >&2; exit 1; }`,
    'name="etcd-snapshot-$(date -u +%Y%m%dT%H%M%SZ).db"',
    `mv ${ETCD_PARTIAL_SNAPSHOT} "$name"`,
    'echo "saved $name ($(wc -c < "$name") bytes)"',
    `${kept} -r | tail -n +${retention + 1} | while read -r old; do rm -f "$old"; echo "removed $old"; done`,
    `echo "kept $(${kept} | wc -l) of at most ${retention} snapshots:"`,
    `${kept}`,
  ].join('\n');
}
