import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LIGHT_COMPONENT_RESOURCES, healthzProbes } from '../components/component-spec';
import { HostRequirements } from '../host-requirements';
import { InstallationScopeProps, resolveInstallation } from '../installation';
import { applyHostRequirements } from '../private/host-placement';
import { DEFAULT_IMAGES } from '../private/image-defaults';
import { Component, Ports, SecretNames, schedulerEstimatorServiceName } from '../private/names';
import { WORKLOAD_CONTAINER_PROPS, WORKLOAD_POD_PROPS, mountSecret, shapeWorkload } from '../private/pod-defaults';
import { checkPriorityClassName, checkResources, resolvePriorityClassName } from '../private/resources-and-priority';
import { schedulerEstimatorPodLabels, schedulerEstimatorSelector } from '../private/selectors';
import {
  checkHostRequirements, checkImageReference, checkInstanceName, checkNamespace, checkObjectName, checkPositiveInteger, checkSecretName,
} from '../private/validation';

const HEALTH_PORT = 10351;
const SERVING_PKI = '/etc/karmada/pki/serving';
const MEMBER_KUBECONFIG = '/etc/karmada/member';

/**
 * Props of one member cluster's scheduler estimator.
 */
export interface KarmadaSchedulerEstimatorProps extends InstallationScopeProps {
  /** The member cluster's name, as registered in Karmada (`--cluster-name`). A DNS-1123 label. */
  readonly memberClusterName: string;
  /**
   * Container image.
   * @default 'docker.io/karmada/karmada-scheduler-estimator:v1.18.2'
   */
  readonly image?: string;
  /**
   * Replicas; they are spread over hosts. The scheduler falls back to its general estimate while none answers.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The Secret with a kubeconfig (key `kubeconfig`) for the member cluster, with read access to its nodes and pods.
   * @default - `<instance>-scheduler-estimator-<memberClusterName>-kubeconfig`
   */
  readonly memberKubeconfigSecret?: string;
  /**
   * Which hosts may run it.
   * @default - any host
   */
  readonly hosts?: HostRequirements;
  /**
   * Resources of the estimator's container.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * The estimator's PriorityClass; `''` sets none. On some managed clusters (GKE), pods with
   * `system-cluster-critical` outside `kube-system` need a ResourceQuota in their namespace that allows that class.
   * @default 'system-cluster-critical'
   */
  readonly priorityClassName?: string;
}

/**
 * karmada-scheduler-estimator for one member cluster: a Deployment and the Service `<instance>-scheduler-estimator-<cluster>`
 * that karmada-scheduler (and karmada-descheduler) dial over mutually authenticated gRPC (TLS serving certificate
 * from the Karmada CA; clients must present a certificate from the same CA).
 *
 * @example
 * // Needs Secret karmada-scheduler-estimator-member-1-kubeconfig (key `kubeconfig`) of member cluster member-1.
 * new KarmadaSchedulerEstimator(chart, 'member-1', { memberClusterName: 'member-1', replicas: 2 });
 */
export class KarmadaSchedulerEstimator extends Construct {
  /** The Service the scheduler dials. */
  public readonly service: kplus.Service;
  /** The estimator's Deployment. */
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: KarmadaSchedulerEstimatorProps) {
    super(scope, id);
    const { instance, namespace } = resolveInstallation(this, props);
    const name = schedulerEstimatorServiceName(instance, props.memberClusterName);
    const errors = [
      ...checkObjectName('memberClusterName', props.memberClusterName, 63 - name.length + props.memberClusterName.length, 'member-1'),
      ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
      ...(props.namespace !== undefined ? checkNamespace('namespace', props.namespace) : []),
      ...(props.image !== undefined ? checkImageReference('image', props.image) : []),
      ...(props.replicas !== undefined ? checkPositiveInteger('replicas', props.replicas) : []),
      ...(props.memberKubeconfigSecret !== undefined ? checkSecretName('memberKubeconfigSecret', props.memberKubeconfigSecret) : []),
      ...checkHostRequirements('hosts', props.hosts),
      ...checkResources('resources', props.resources),
      ...checkPriorityClassName('priorityClassName', props.priorityClassName),
    ];
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const component = Component.SCHEDULER_ESTIMATOR;
    const selector = schedulerEstimatorSelector(instance, props.memberClusterName);

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, namespace, labels: selector },
      podMetadata: { labels: schedulerEstimatorPodLabels(instance, props.memberClusterName) },
      ...WORKLOAD_POD_PROPS,
      replicas: props.replicas ?? 2,
    });
    shapeWorkload(this.deployment, selector, resolvePriorityClassName(component, props.priorityClassName));
    const healthz = healthzProbes(HEALTH_PORT);
    const container = this.deployment.addContainer({
      ...WORKLOAD_CONTAINER_PROPS,
      name: component,
      image: props.image ?? DEFAULT_IMAGES.schedulerEstimator,
      command: [`/bin/${component}`],
      args: [
        `--kubeconfig=${MEMBER_KUBECONFIG}/kubeconfig`,
        `--cluster-name=${props.memberClusterName}`,
        `--server-port=${Ports.SCHEDULER_ESTIMATOR}`,
        `--health-probe-bind-address=$(POD_IP):${HEALTH_PORT}`,
        `--metrics-bind-address=$(POD_IP):${Ports.KARMADA_METRICS}`,
        `--grpc-auth-cert-file=${SERVING_PKI}/tls.crt`,
        `--grpc-auth-key-file=${SERVING_PKI}/tls.key`,
        `--grpc-client-ca-file=${SERVING_PKI}/ca.crt`,
        '--v=2',
      ],
      ports: [
        { name: 'grpc', number: Ports.SCHEDULER_ESTIMATOR },
        { name: 'health', number: HEALTH_PORT },
        { name: 'metrics', number: Ports.KARMADA_METRICS },
      ],
      startup: healthz.startup,
      liveness: healthz.liveness,
      readiness: healthz.readiness,
      resources: props.resources ?? LIGHT_COMPONENT_RESOURCES,
    });
    mountSecret(this.deployment, 'serving-cert', container, SecretNames.schedulerEstimator(instance, props.memberClusterName), SERVING_PKI);
    mountSecret(this.deployment, 'member-kubeconfig', container, props.memberKubeconfigSecret ?? SecretNames.memberKubeconfig(instance, props.memberClusterName), MEMBER_KUBECONFIG, ['kubeconfig']);
    this.deployment.scheduling.separate(kplus.Pods.select(this, 'Replicas', { labels: selector }), { topology: kplus.Topology.HOSTNAME, weight: 100 });
    applyHostRequirements(this.deployment, props.hosts);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, namespace, labels: selector },
      selector: kplus.Pods.select(this, 'Pods', { labels: selector }),
      ports: [{ name: 'grpc', port: Ports.SCHEDULER_ESTIMATOR, targetPort: Ports.SCHEDULER_ESTIMATOR }],
    });
  }
}
