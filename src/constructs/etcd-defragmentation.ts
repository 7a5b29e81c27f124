import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MAX_ETCD_MEMBER_NAME_LENGTH } from './etcd-member';
import { HostRequirements } from '../host-requirements';
import { InstallationProps, resolveInstallation } from '../installation';
import { EtcdPorts } from '../ports';
import { serviceHostName } from '../private/dns';
import {
  DEFAULT_ETCD_DEFRAG_SCHEDULE, ETCD_MAINTENANCE_CLIENT_PKI, checkCronSchedule, checkEtcdMaintenanceProps, etcdctlTlsArgs,
  etcdMaintenanceCronJob,
} from '../private/etcd-maintenance';
import { applyHostRequirements } from '../private/host-placement';
import { DEFAULT_ETCD_IMAGE } from '../private/image-defaults';
import { Component, SecretNames } from '../private/names';
import { CONTAINER_SECURITY_CONTEXT, secretVolume } from '../private/pod-defaults';
import { checkObjectName, checkUnique } from '../private/validation';

/** When etcd members are defragmented. */
export interface EtcdDefragmentationSettings {
  /**
   * When to defragment: a cron schedule of 5 fields, in UTC.
   * @default '47 3 * * 0' (Sundays at 03:47)
   */
  readonly schedule?: string;
}

/** HATopology's etcd defragmentation (only when the library runs the etcd members). */
export interface EtcdDefragmentationOptions extends EtcdDefragmentationSettings {
  /**
   * Defragment the etcd members on a schedule.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props of the etcd defragmentation CronJob. */
export interface EtcdDefragmentationProps extends InstallationProps, EtcdDefragmentationSettings {
  /**
   * The members to defragment, in this order, one at a time: their Services' names (`https://<member>.<namespace>.svc.<clusterDomain>:2379`).
   */
  readonly memberNames: string[];
  /**
   * The etcd image (`etcdctl`).
   * @default 'registry.k8s.io/etcd:3.6.6-0'
   */
  readonly etcdImage?: string;
  /**
   * Secret with the etcd client certificate the Job presents (keys `tls.crt`, `tls.key`, and `ca.crt`: the etcd CA).
   * @default - `<instance>-etcd-defrag-etcd-client-cert`
   */
  readonly clientCertificateSecret?: string;
  /**
   * Which hosts may run the Job's pods.
   * @default - any host
   */
  readonly hosts?: HostRequirements;
}

/** How long one run may take: a member's defragmentation rewrites its database (seconds to minutes per GiB). */
const ACTIVE_DEADLINE = Duration.hours(2);
/** Each member's defragmentation may take this long; the Job fails beyond it. */
const DEFRAG_TIMEOUT = '20m';
/** Health and status calls. */
const CHECK_TIMEOUT = '30s';
const STARTING_DEADLINE = Duration.minutes(30);
/** One retry: a run that failed because the cluster was degraded fails again until it recovers. */
const BACKOFF_LIMIT = 1;

/**
 * A CronJob `<instance>-etcd-defrag` that defragments the etcd members one at a time, returning the space that
 * compaction freed inside each member's database file to the file system (and keeping the database under its
 * quota). A member blocks its reads and writes while it defragments, so members are taken one by one, and only while
 * the whole cluster is healthy.
 *
 * The pod (etcd image, no shell, no service-account token, the restricted Pod Security profile) runs a chain of init
 * containers: for each member, `etcdctl endpoint health` over every member (any unhealthy member fails the Job, so
 * nothing is defragmented while the cluster is degraded), then `etcdctl defrag` of that member alone. Its last
 * container prints `etcdctl endpoint status` of every member as a table (database size in use and allocated).
 *
 * @example
 * new EtcdDefragmentation(chart, 'defrag', {
 *   memberNames: ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'],
 *   schedule: '0 4 * * 0',
 * });
 */
export class EtcdDefragmentation extends Construct {
  /** The CronJob. */
  public readonly cronJob: kplus.CronJob;

  constructor(scope: Construct, id: string, props: EtcdDefragmentationProps) {
    super(scope, id);
    const { instance, namespace, clusterDomain } = resolveInstallation(this, props);
    const schedule = props.schedule ?? DEFAULT_ETCD_DEFRAG_SCHEDULE;
    const clientSecret = props.clientCertificateSecret ?? SecretNames.etcdClient(instance, Component.ETCD_DEFRAG);

    const errors = [
      ...checkEtcdMaintenanceProps(props, clusterDomain, clientSecret),
      ...(props.memberNames.length === 0 ? ['memberNames is empty: name every etcd member to defragment'] : []),
      ...props.memberNames.flatMap((member, index) => checkObjectName(`memberNames[${index}]`, member, MAX_ETCD_MEMBER_NAME_LENGTH, `${instance}-etcd-${index}`)),
      ...checkUnique('memberNames', props.memberNames, 'etcd member'),
      ...(props.schedule !== undefined ? checkCronSchedule('etcdDefragmentation.schedule', props.schedule, DEFAULT_ETCD_DEFRAG_SCHEDULE) : []),
    ];
    if (errors.length > 0) throw new Error(errors.join('\n'));

    this.cronJob = etcdMaintenanceCronJob(this, 'CronJob', {
      component: Component.ETCD_DEFRAG,
      instance,
      namespace,
      schedule,
      startingDeadline: STARTING_DEADLINE,
      activeDeadline: ACTIVE_DEADLINE,
      backoffLimit: BACKOFF_LIMIT,
    });

    const endpointOf = (member: string) => `https://${serviceHostName(member, namespace, clusterDomain)}:${EtcdPorts.CLIENT}`;
    const allEndpoints = `--endpoints=${props.memberNames.map(endpointOf).join(',')}`;
    const image = props.etcdImage ?? DEFAULT_ETCD_IMAGE;
    const clientCert = secretVolume(this.cronJob, 'client-cert', clientSecret, ['tls.crt', 'tls.key', 'ca.crt']);
    const etcdctl = (name: string, args: string[], init: boolean) => {
      const options: kplus.ContainerProps = {
        name,
        image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['etcdctl'],
        args: [...etcdctlTlsArgs(), '--dial-timeout=10s', ...args],
        securityContext: CONTAINER_SECURITY_CONTEXT,
        resources: {
          cpu: { request: kplus.Cpu.millis(20), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
        },
      };
      const container = init ? this.cronJob.addInitContainer(options) : this.cronJob.addContainer(options);
      container.mount(ETCD_MAINTENANCE_CLIENT_PKI, clientCert, { readOnly: true });
    };
    props.memberNames.forEach((member, index) => {
      etcdctl(`health-${index}`, [allEndpoints, `--command-timeout=${CHECK_TIMEOUT}`, 'endpoint', 'health'], true);
      etcdctl(`defrag-${index}`, [`--endpoints=${endpointOf(member)}`, `--command-timeout=${DEFRAG_TIMEOUT}`, 'defrag'], true);
    });
    etcdctl('status', [allEndpoints, `--command-timeout=${CHECK_TIMEOUT}`, 'endpoint', 'status', '--write-out=table'], false);

    applyHostRequirements(this.cronJob, props.hosts);
  }
}
