import * as kplus from 'cdk8s-plus-28';

/**
 * Resources and scheduling priority of one component's pods.
 */
export interface ComponentSettings {
  /**
   * Resources of the component's container. They replace the component's default resources as a whole (give the
   * memory limit again when you change a request), and only that component's.
   *
   * Keep a memory limit; leave etcd and karmada-apiserver without a CPU limit (throttling stalls heartbeats and
   * lease renewals). A limit below its request is an error.
   * @default - the component's default: see docs/security.md, "Resources, priority and Pod Security"
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * The PriorityClass of the component's pods (`priorityClassName`); `''` sets none.
   *
   * Some managed clusters (GKE) admit pods with `system-node-critical` or `system-cluster-critical` outside
   * `kube-system` only when their namespace has a ResourceQuota whose scope selector allows those classes
   * (scope `PriorityClass`, operator `In`); create one there, or choose other classes.
   * @default - `system-node-critical` for etcd and karmada-apiserver, `system-cluster-critical` for every other
   * control-plane component and the scheduler estimators
   */
  readonly priorityClassName?: string;
}

/**
 * Per-component resources and priority. Each setting applies to that component on every control-plane node (or
 * to every etcd member, or every scheduler estimator) and leaves the others at their defaults.
 */
export interface ControlPlaneComponentSettings {
  /**
   * karmada-apiserver.
   * @default - requests 250m CPU and 512Mi memory, limit 4Gi memory, no CPU limit; `system-node-critical`
   */
  readonly apiServer?: ComponentSettings;
  /**
   * karmada-aggregated-apiserver.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory; `system-cluster-critical`
   */
  readonly aggregatedApiServer?: ComponentSettings;
  /**
   * kube-controller-manager.
   * @default - requests 200m CPU and 256Mi memory, limit 2Gi memory; `system-cluster-critical`
   */
  readonly kubeControllerManager?: ComponentSettings;
  /**
   * karmada-controller-manager.
   * @default - requests 200m CPU and 256Mi memory, limit 2Gi memory; `system-cluster-critical`
   */
  readonly controllerManager?: ComponentSettings;
  /**
   * karmada-scheduler.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory; `system-cluster-critical`
   */
  readonly scheduler?: ComponentSettings;
  /**
   * karmada-webhook.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory; `system-cluster-critical`
   */
  readonly webhook?: ComponentSettings;
  /**
   * karmada-descheduler, when it runs.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory; `system-cluster-critical`
   */
  readonly descheduler?: ComponentSettings;
  /**
   * karmada-search, when it runs.
   * @default - requests 100m CPU and 256Mi memory, limit 2Gi memory; `system-cluster-critical`
   */
  readonly search?: ComponentSettings;
  /**
   * karmada-metrics-adapter, when it runs.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory; `system-cluster-critical`
   */
  readonly metricsAdapter?: ComponentSettings;
  /**
   * Every karmada-scheduler-estimator.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory; `system-cluster-critical`
   */
  readonly schedulerEstimator?: ComponentSettings;
  /**
   * Every etcd member run by the library.
   * @default - requests 500m CPU and 1Gi memory, limit 8Gi memory, no CPU limit; `system-node-critical`
   */
  readonly etcd?: ComponentSettings;
}
