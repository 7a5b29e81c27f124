import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RBAC_GROUP } from '../components/rbac-rules';
import { Defaults } from '../installation';
import { MemberNames } from '../private/names';
import { installationLabels } from '../private/selectors';
import { checkClusterName, checkInstanceName, checkUnique } from '../private/validation';

const k8s = kplus.k8s;

/**
 * Props of what a push-mode member cluster holds for Karmada.
 */
export interface KarmadaPushMemberAccessProps {
  /** The member cluster's name in Karmada (as in `KarmadaPushMember`): a DNS-1123 label of at most 48 characters. */
  readonly clusterName: string;
  /**
   * Groups of the Karmada API (e.g. the library's administrators, `karmada:cluster-admins`) bound to cluster-admin in
   * the member, so that a request they send through the cluster proxy (`clusters/<name>/proxy`), which karmada-aggregated-apiserver
   * replays as them by impersonation, is authorized there.
   * @default - none: the cluster proxy is authorized for nobody in the member
   */
  readonly proxyGroups?: string[];
  /**
   * Also create a long-lived token Secret (`kubernetes.io/service-account-token`) for each ServiceAccount, which the
   * member's token controller fills in: `karmada-cluster/karmada-<cluster>-token` and
   * `karmada-cluster/karmada-impersonator-token`. Their `token` and `ca.crt` are what the Karmada API's Secrets need.
   * Without them, take short-lived tokens with `kubectl create token`.
   * @default true
   */
  readonly tokenSecrets?: boolean;
  /**
   * The installation's name: label `app.kubernetes.io/instance` of the objects.
   * @default 'karmada'
   */
  readonly instance?: string;
}

/**
 * What a **push-mode** member cluster must hold, as `karmadactl join` creates it: in namespace `karmada-cluster`, the
 * ServiceAccount `karmada-<cluster>` that karmada-controller-manager acts as (bound to `cluster-admin`: it applies
 * workloads of any kind) and the ServiceAccount `karmada-impersonator` the cluster proxy acts as (it may only
 * impersonate users, groups and ServiceAccounts). Put it in a chart applied to the member cluster.
 *
 * @example
 * new KarmadaPushMemberAccess(memberChart, 'karmada', { clusterName: 'member-1', proxyGroups: ['karmada:cluster-admins'] });
 */
export class KarmadaPushMemberAccess extends Construct {
  /** The ServiceAccount karmada-controller-manager acts as (namespace `karmada-cluster`). */
  public readonly controllerServiceAccountName: string;
  /** The ServiceAccount the cluster proxy acts as (namespace `karmada-cluster`). */
  public readonly impersonatorServiceAccountName: string;

  constructor(scope: Construct, id: string, props: KarmadaPushMemberAccessProps) {
    super(scope, id);
    const errors = [
      ...checkClusterName('clusterName', props.clusterName, MemberNames.MAX_CLUSTER_NAME_LENGTH),
      ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
      ...checkUnique('proxyGroups', props.proxyGroups ?? [], 'group', 'list every group once'),
      ...(props.proxyGroups ?? []).filter(group => group.trim().length === 0).map(() => 'proxyGroups contains an empty group name: give the name of a group of the Karmada API, e.g. \'karmada:cluster-admins\''),
    ];
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const labels = installationLabels(props.instance ?? Defaults.INSTANCE);
    const namespace = MemberNames.CLUSTER_NAMESPACE;
    const controller = MemberNames.controllerServiceAccount(props.clusterName);
    const impersonator = MemberNames.IMPERSONATOR_SERVICE_ACCOUNT;
    this.controllerServiceAccountName = controller;
    this.impersonatorServiceAccountName = impersonator;

    new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: namespace, labels } });
    for (const [accountId, account] of [['ControllerAccount', controller], ['ImpersonatorAccount', impersonator]]) {
      new k8s.KubeServiceAccount(this, accountId, { metadata: { name: account, namespace, labels } });
      if (props.tokenSecrets ?? true) {
        new k8s.KubeSecret(this, `${accountId}Token`, {
          metadata: { name: `${account}-token`, namespace, labels, annotations: { 'kubernetes.io/service-account.name': account } },
          type: 'kubernetes.io/service-account-token',
        });
      }
    }
    new k8s.KubeClusterRoleBinding(this, 'ControllerBinding', {
      metadata: { name: `karmada-controller-manager:${controller}`, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: controller, namespace }],
    });
    new k8s.KubeClusterRole(this, 'ImpersonatorRole', {
      metadata: { name: impersonator, labels },
      rules: [{ apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'ImpersonatorBinding', {
      metadata: { name: impersonator, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: impersonator },
      subjects: [{ kind: 'ServiceAccount', name: impersonator, namespace }],
    });
    if ((props.proxyGroups ?? []).length > 0) {
      new k8s.KubeClusterRoleBinding(this, 'ProxyGroupsBinding', {
        metadata: { name: 'karmada-proxy-admins', labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: props.proxyGroups!.map(group => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: group })),
      });
    }
  }
}
