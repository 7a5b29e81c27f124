/**
 * The switches of the optional control-plane components: one field per component that runs only when asked for.
 * `HATopology`, `KarmadaControlPlaneNode`, `KarmadaApiObjects` and `KarmadaNetworkPolicies` all read the same
 * switches, so a component is switched on everywhere it matters at once.
 */
export interface OptionalKarmadaComponents {
  /**
   * karmada-descheduler on every control-plane node, with its RBAC inside the Karmada API (it needs scheduler
   * estimators to act on).
   * @default false
   */
  readonly descheduler?: boolean;
  /**
   * karmada-search on every control-plane node, with its APIService `v1alpha1.search.karmada.io` and its RBAC inside
   * the Karmada API.
   * @default false
   */
  readonly search?: boolean;
  /**
   * karmada-metrics-adapter on every control-plane node, with its metrics APIServices (`metrics.k8s.io`,
   * `custom.metrics.k8s.io`) and its RBAC inside the Karmada API.
   * @default false
   */
  readonly metricsAdapter?: boolean;
}

/** The optional Karmada components, each off unless switched on, and the member clusters given an estimator. */
export interface KarmadaComponents extends OptionalKarmadaComponents {
  /**
   * Member clusters to run a karmada-scheduler-estimator for (one Deployment and Service each); the scheduler and
   * descheduler dial them. Each needs a Secret `<name>-scheduler-estimator-<cluster>-kubeconfig` with key
   * `kubeconfig` for that member cluster.
   * @default - none: the scheduler runs without estimators
   */
  readonly schedulerEstimatorClusters?: string[];
}
