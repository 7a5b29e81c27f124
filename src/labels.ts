/**
 * The labels every pod of cdk8s-karmada carries. Selectors, Services and affinity terms are all derived from
 * these keys by one set of helpers, so a placement rule can never drift from the labels it selects.
 *
 * | label | on | value |
 * | --- | --- | --- |
 * | `app.kubernetes.io/name` | every pod | the component: `etcd`, `karmada-apiserver`, `karmada-scheduler`, ... |
 * | `app.kubernetes.io/instance` | every pod | the installation (HATopology) name, e.g. `karmada` |
 * | `app.kubernetes.io/component` | every pod | `etcd`, `control-plane`, or `member` (karmada-agent) |
 * | `app.kubernetes.io/part-of` | every pod | `karmada` |
 * | `app.kubernetes.io/managed-by` | every pod | `cdk8s-karmada` |
 * | `karmada.io/control-plane-node` | control-plane pods, and stacked etcd members | the control-plane node's name |
 * | `karmada.io/etcd-member` | etcd pods | the member's name |
 * | `karmada.io/member-cluster` | scheduler-estimator and karmada-agent pods | the member cluster it estimates for, or runs in |
 */
export class KarmadaLabels {
  /** The component a pod runs (`etcd`, `karmada-apiserver`, ...). */
  public static readonly NAME = 'app.kubernetes.io/name';
  /** The installation a pod belongs to. */
  public static readonly INSTANCE = 'app.kubernetes.io/instance';
  /** The role of a pod: `etcd` or `control-plane`. */
  public static readonly COMPONENT = 'app.kubernetes.io/component';
  /** Always `karmada`. */
  public static readonly PART_OF = 'app.kubernetes.io/part-of';
  /** Always `cdk8s-karmada`. */
  public static readonly MANAGED_BY = 'app.kubernetes.io/managed-by';
  /** The control-plane node (host slot) a pod belongs to. */
  public static readonly CONTROL_PLANE_NODE = 'karmada.io/control-plane-node';
  /** The etcd member a pod runs. */
  public static readonly ETCD_MEMBER = 'karmada.io/etcd-member';
  /** The member cluster a scheduler estimator serves. */
  public static readonly MEMBER_CLUSTER = 'karmada.io/member-cluster';

  /** Value of `app.kubernetes.io/component` on etcd pods. */
  public static readonly ROLE_ETCD = 'etcd';
  /** Value of `app.kubernetes.io/component` on control-plane pods. */
  public static readonly ROLE_CONTROL_PLANE = 'control-plane';
  /** Value of `app.kubernetes.io/component` on the pods the library runs in a member cluster (karmada-agent). */
  public static readonly ROLE_MEMBER = 'member';

  private constructor() {}
}
