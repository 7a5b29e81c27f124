/** Versions this release of cdk8s-karmada is built and tested against. */
export class KarmadaVersions {
  /** The Karmada release whose components and CRDs are deployed. */
  public static readonly KARMADA = 'v1.18.2';
  /** The Kubernetes release of karmada-apiserver and kube-controller-manager (the upstream images) and of kubectl. */
  public static readonly KUBERNETES = 'v1.35.4';
  /** The etcd image tag; the synthesized etcd flags are those of etcd 3.6. */
  public static readonly ETCD = '3.6.6-0';

  private constructor() {}
}

/**
 * Container images of the control plane. Every field may be overridden, e.g. to pull from a mirror.
 */
export interface KarmadaImages {
  /**
   * karmada-apiserver: the upstream kube-apiserver image.
   * @default 'registry.k8s.io/kube-apiserver:v1.35.4'
   */
  readonly apiServer?: string;
  /**
   * karmada-aggregated-apiserver.
   * @default 'docker.io/karmada/karmada-aggregated-apiserver:v1.18.2'
   */
  readonly aggregatedApiServer?: string;
  /**
   * kube-controller-manager: the upstream image.
   * @default 'registry.k8s.io/kube-controller-manager:v1.35.4'
   */
  readonly kubeControllerManager?: string;
  /**
   * karmada-controller-manager.
   * @default 'docker.io/karmada/karmada-controller-manager:v1.18.2'
   */
  readonly controllerManager?: string;
  /**
   * karmada-scheduler.
   * @default 'docker.io/karmada/karmada-scheduler:v1.18.2'
   */
  readonly scheduler?: string;
  /**
   * karmada-webhook.
   * @default 'docker.io/karmada/karmada-webhook:v1.18.2'
   */
  readonly webhook?: string;
  /**
   * karmada-descheduler (when switched on).
   * @default 'docker.io/karmada/karmada-descheduler:v1.18.2'
   */
  readonly descheduler?: string;
  /**
   * karmada-search (when switched on).
   * @default 'docker.io/karmada/karmada-search:v1.18.2'
   */
  readonly search?: string;
  /**
   * karmada-metrics-adapter (when switched on).
   * @default 'docker.io/karmada/karmada-metrics-adapter:v1.18.2'
   */
  readonly metricsAdapter?: string;
  /**
   * karmada-scheduler-estimator (one per member cluster named).
   * @default 'docker.io/karmada/karmada-scheduler-estimator:v1.18.2'
   */
  readonly schedulerEstimator?: string;
  /**
   * kubectl, run by the bootstrap Job to apply the objects inside the Karmada API.
   * @default 'registry.k8s.io/kubectl:v1.35.4'
   */
  readonly kubectl?: string;
  /**
   * A minimal shell image (with `sh`, `gunzip`, `sed`, `base64`) that prepares the bootstrap Job's manifest.
   * @default 'docker.io/library/busybox:1.37.0'
   */
  readonly shell?: string;
}
