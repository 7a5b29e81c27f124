/** Versions this release of cdk8s-karmada is built and tested against. */
export class KarmadaVersions {
  /** The Karmada release whose components and CRDs are deployed. */
  public static readonly KARMADA = 'v1.18.2';
  /** The Kubernetes release of karmada-apiserver (the upstream kube-apiserver image). */
  public static readonly KUBERNETES = 'v1.35.2';
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
   * @default 'registry.k8s.io/kube-apiserver:v1.35.2'
   */
  readonly apiServer?: string;
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
}
