import * as kplus from 'cdk8s-plus-28';

/**
 * Which hosts of the host cluster may run a set of pods: e.g. dedicated control-plane machines that carry a label
 * and a taint.
 */
export interface HostRequirements {
  /**
   * Labels a host must carry (a required node affinity).
   * @default - any host
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Taints the pods tolerate, e.g. `kplus.NodeTaintQuery.exists('node-role.kubernetes.io/control-plane')`.
   * @default - none
   */
  readonly tolerations?: kplus.NodeTaintQuery[];
}
