import { ApiObject, Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { serviceUrl } from './dns';
import { etcdClientServiceName } from './names';
import { POD_SECURITY_CONTEXT } from './pod-defaults';
import { ETCD_COMPONENT, componentSelector, dropConstructPathLabel, etcdMaintenancePodLabels } from './selectors';
import {
  checkDnsDomain, checkEtcdImage, checkHostRequirements, checkInstanceName, checkNamespace, checkPositiveInteger, checkSecretName, checkSubdomainName,
} from './validation';
import { HostRequirements } from '../host-requirements';
import { EtcdPorts } from '../ports';

/** Where the etcd maintenance pods mount their etcd client certificate (`tls.crt`, `tls.key`, `ca.crt`). */
export const ETCD_MAINTENANCE_CLIENT_PKI = '/etc/etcd/pki/client';
/** Where the backup pod (and the restore pods) mount the backup volume. */
export const ETCD_BACKUP_MOUNT = '/var/lib/etcd-backups';
/** The name `etcdctl snapshot save` writes to before the snapshot is checked; never counted as a backup. */
export const ETCD_PARTIAL_SNAPSHOT = '.etcd-snapshot.partial.db';
/** Kept snapshots are named `etcd-snapshot-<UTC yyyymmddThhmmssZ>.db`: their names sort by time. */
export const ETCD_SNAPSHOT_NAME_PATTERN = '^etcd-snapshot-[0-9]{8}T[0-9]{6}Z\\.db$';

/** The default backup schedule: every hour at minute 17, off the full hour when other hourly jobs crowd. */
export const DEFAULT_ETCD_BACKUP_SCHEDULE = '17 * * * *';
/** The default number of snapshots kept: a day of hourly snapshots. */
export const DEFAULT_ETCD_BACKUP_RETENTION = 24;
/** The default defragmentation schedule: Sundays at 03:47 UTC, away from the backups at minute 17. */
export const DEFAULT_ETCD_DEFRAG_SCHEDULE = '47 3 * * 0';
/** CronJobs run in UTC, whatever the controller manager's local time zone. */
export const ETCD_MAINTENANCE_TIME_ZONE = 'Etc/UTC';

/** The etcdctl flags that present the mounted client certificate and trust the etcd CA. */
export function etcdctlTlsArgs(): string[] {
  return [
    `--cacert=${ETCD_MAINTENANCE_CLIENT_PKI}/ca.crt`,
    `--cert=${ETCD_MAINTENANCE_CLIENT_PKI}/tls.crt`,
    `--key=${ETCD_MAINTENANCE_CLIENT_PKI}/tls.key`,
  ];
}

/** The URL of the etcd client Service: any ready member of the installation. */
export function etcdClientServiceUrl(instance: string, namespace: string, clusterDomain: string): string {
  return serviceUrl(etcdClientServiceName(instance), namespace, clusterDomain, EtcdPorts.CLIENT);
}

/**
 * The size the backup volume needs by default: `retention` snapshots plus the one being written, each as large as
 * the member's database may grow (its quota), in whole GiB.
 */
export function defaultEtcdBackupStorageGibibytes(quotaBackendBytes: number, retention: number): number {
  return Math.ceil((quotaBackendBytes * (retention + 1)) / 1024 ** 3);
}

/** The fields of a CronJob schedule, in order: name, lowest and highest value, and names the field also takes. */
const CRON_FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: string[]; question?: boolean }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], question: true },
];

/**
 * One field of a schedule as Kubernetes reads it: a comma-separated list of `*`, a value, or a range `a-b`, each
 * optionally with a step `/n`; values in range (months and weekdays also by name), a range's start not after its
 * end, a step of at least 1; `?` alone in day-of-month and day-of-week.
 */
function isCronField(text: string, field: typeof CRON_FIELDS[number]): boolean {
  const value = (part: string): number | undefined => {
    if (/^[0-9]+$/.test(part)) return Number(part);
    const index = field.names?.indexOf(part.toUpperCase()) ?? -1;
    return index >= 0 ? index + field.min : undefined;
  };
  if (text === '?' && field.question) return true;
  return text.split(',').every(item => {
    const [range, step, ...more] = item.split('/');
    if (more.length > 0 || (step !== undefined && !(/^[0-9]+$/.test(step) && Number(step) >= 1))) return false;
    if (range === '*') return true;
    const [from, to, ...rest] = range.split('-');
    const low = value(from);
    const high = to === undefined ? low : value(to);
    return rest.length === 0 && low !== undefined && high !== undefined && low >= field.min && high <= field.max && low <= high;
  });
}

/** A Kubernetes CronJob schedule: five fields (minute hour day-of-month month day-of-week), no time zone prefix. */
export function checkCronSchedule(property: string, value: string, example: string): string[] {
  const fields = value.trim().split(/\s+/);
  const field = /^[0-9A-Za-z*/,?-]+$/;
  if (fields.length !== 5 || !fields.every(f => field.test(f))) {
    return [`${property} '${value}' is not a cron schedule of 5 fields (minute hour day-of-month month day-of-week, in UTC): use e.g. '${example}'`];
  }
  return fields.flatMap((text, index) => {
    const spec = CRON_FIELDS[index];
    if (isCronField(text, spec)) return [];
    const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    return [`${property} '${value}' has ${spec.name} '${text}', which Kubernetes refuses: give values ${spec.min}-${spec.max}${names}, as '*', 'a', 'a-b' or 'a,b', each optionally with a step '/n' of at least 1 (and a range's start not after its end), e.g. '${example}'`];
  });
}

/** What an etcd backup may be given, as HATopology and EtcdBackup check it. */
export interface EtcdBackupInput {
  readonly schedule?: string;
  readonly retention?: number;
  readonly storageBytes?: number;
  readonly storageClassName?: string;
  readonly existingClaimName?: string;
  readonly quotaBackendBytes: number;
}

/** Errors and warnings of backup settings; `property` is the prefix of their names, e.g. `etcdBackup`. */
export function checkEtcdBackup(property: string, input: EtcdBackupInput): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (input.schedule !== undefined) errors.push(...checkCronSchedule(`${property}.schedule`, input.schedule, DEFAULT_ETCD_BACKUP_SCHEDULE));
  const retention = input.retention ?? DEFAULT_ETCD_BACKUP_RETENTION;
  errors.push(...checkPositiveInteger(`${property}.retention`, retention));
  if (input.storageBytes !== undefined && (input.storageBytes < 1024 ** 3 || !Number.isInteger(input.storageBytes / 1024 ** 3))) {
    errors.push(`${property}.storageSize must be a whole number of GiB of at least 1, got ${Math.round((input.storageBytes / 1024 ** 3) * 1000) / 1000} GiB: use e.g. Size.gibibytes(200)`);
  }
  if (input.storageClassName !== undefined) {
    errors.push(...checkSubdomainName(`${property}.storageClassName`, input.storageClassName, 'StorageClass', 'fast-ssd'));
  }
  if (input.existingClaimName !== undefined) {
    const claim = input.existingClaimName;
    if (claim.length === 0 || claim.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(claim)) {
      errors.push(`${property}.existingClaimName '${claim}' is not a valid claim name (a DNS-1123 subdomain): use e.g. 'etcd-backups'`);
    }
    const unused = [input.storageBytes !== undefined ? 'storageSize' : undefined, input.storageClassName !== undefined ? 'storageClassName' : undefined]
      .filter((name): name is string => name !== undefined);
    if (unused.length > 0) {
      errors.push(`${property}.existingClaimName is set, so no claim is created and ${unused.map(u => `${property}.${u}`).join(' and ')} would be ignored: drop ${unused.length === 1 ? 'it' : 'them'}, or drop existingClaimName`);
    }
  } else if (input.storageBytes !== undefined && errors.length === 0) {
    const needed = defaultEtcdBackupStorageGibibytes(input.quotaBackendBytes, retention);
    if (input.storageBytes < needed * 1024 ** 3) {
      warnings.push(`${property}.storageSize (${Math.round((input.storageBytes / 1024 ** 3) * 100) / 100} GiB) holds fewer than ${retention} + 1 snapshots as large as etcdTuning.quotaBackend (${needed} GiB): once the database grows, backups fail for want of space; give ${needed} GiB or lower the retention`);
    }
  }
  return { errors, warnings };
}

/**
 * The ClusterIP Service `<instance>-etcd-client` in front of every *ready* etcd member of the installation (not
 * publishing not-ready addresses: a member is ready only while it is part of a quorum). Backups dial it; the
 * members' server certificates carry its names.
 */
export function addEtcdClientService(scope: Construct, id: string, instance: string, namespace: string): kplus.Service {
  const selector = componentSelector(instance, ETCD_COMPONENT);
  const service = new kplus.Service(scope, id, {
    metadata: { name: etcdClientServiceName(instance), namespace, labels: selector },
    selector: kplus.Pods.select(scope, `${id}Pods`, { labels: selector }),
    ports: [{ name: 'client', port: EtcdPorts.CLIENT, targetPort: EtcdPorts.CLIENT }],
  });
  dropConstructPathLabel(ApiObject.of(service), '/spec/selector');
  return service;
}

/** What differs between the etcd maintenance CronJobs (backup, defragmentation). */
export interface EtcdMaintenanceCronJobOptions {
  /** `Component.ETCD_BACKUP` or `Component.ETCD_DEFRAG`: the CronJob is `<instance>-<component>`. */
  readonly component: string;
  readonly instance: string;
  readonly namespace: string;
  /** A cron schedule of 5 fields, in UTC (checked with {@link checkCronSchedule}). */
  readonly schedule: string;
  /** A run that could not start within this long after its time is skipped until the next one. */
  readonly startingDeadline: Duration;
  /** How long one run may take. */
  readonly activeDeadline: Duration;
  /** Retries of a failed run. */
  readonly backoffLimit: number;
}

/** Finished Jobs kept for inspection. */
const MAINTENANCE_JOBS_RETAINED = 3;

/**
 * The CronJob of an etcd maintenance task, without containers: never two runs at once, in UTC, no restarts inside a
 * run (a failed run is retried as a whole), no service-account token, the restricted pod security context, and the
 * maintenance pod labels (the NetworkPolicies admit exactly those to the members' client port).
 */
export function etcdMaintenanceCronJob(scope: Construct, id: string, options: EtcdMaintenanceCronJobOptions): kplus.CronJob {
  const labels = etcdMaintenancePodLabels(options.instance, options.component);
  const [minute, hour, day, month, weekDay] = options.schedule.trim().split(/\s+/);
  const cronJob = new kplus.CronJob(scope, id, {
    metadata: { name: `${options.instance}-${options.component}`, namespace: options.namespace, labels },
    podMetadata: { labels },
    schedule: Cron.schedule({ minute, hour, day, month, weekDay }),
    timeZone: ETCD_MAINTENANCE_TIME_ZONE,
    concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
    startingDeadline: options.startingDeadline,
    successfulJobsRetained: MAINTENANCE_JOBS_RETAINED,
    failedJobsRetained: MAINTENANCE_JOBS_RETAINED,
    activeDeadline: options.activeDeadline,
    backoffLimit: options.backoffLimit,
    restartPolicy: kplus.RestartPolicy.NEVER,
    automountServiceAccountToken: false,
    securityContext: POD_SECURITY_CONTEXT,
  });
  dropConstructPathLabel(ApiObject.of(cronJob), '/spec/jobTemplate/spec/template/metadata/labels');
  return cronJob;
}

/** The checks every etcd maintenance construct makes of the props it shares with the others. */
export function checkEtcdMaintenanceProps(props: {
  readonly instance?: string; readonly namespace?: string; readonly etcdImage?: string; readonly hosts?: HostRequirements;
}, clusterDomain: string, clientCertificateSecret: string): string[] {
  return [
    ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
    ...(props.namespace !== undefined ? checkNamespace('namespace', props.namespace) : []),
    ...checkDnsDomain('clusterDomain', clusterDomain),
    ...checkSecretName('clientCertificateSecret', clientCertificateSecret),
    ...(props.etcdImage !== undefined ? checkEtcdImage('etcdImage', props.etcdImage) : []),
    ...checkHostRequirements('hosts', props.hosts),
  ];
}
