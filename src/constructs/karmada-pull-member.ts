import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RBAC_GROUP } from '../components/rbac-rules';
import { Defaults } from '../installation';
import { MemberNames } from '../private/names';
import { installationLabels } from '../private/selectors';
import { checkClusterName, checkInstanceName, checkNamespace } from '../private/validation';

const k8s = kplus.k8s;

/**
 * Props of a pull-mode member's rights inside the Karmada API.
 */
export interface KarmadaPullMemberProps {
  /** The member cluster's name in Karmada (as its `KarmadaAgent`'s): a DNS-1123 label of at most 48 characters. */
  readonly clusterName: string;
  /**
   * The namespace of the members' credential Secrets inside the Karmada API (the agent's `--cluster-namespace`).
   * @default 'karmada-cluster'
   */
  readonly clusterNamespace?: string;
  /**
   * Create the namespace `clusterNamespace`. Turn it off when another construct of the chart already does.
   * @default true
   */
  readonly createClusterNamespace?: boolean;
  /**
   * The installation's name: label `app.kubernetes.io/instance` of the objects.
   * @default 'karmada'
   */
  readonly instance?: string;
}

/**
 * A **pull-mode** member's rights inside the Karmada API: what `karmadactl register` creates there (as
 * `system:karmada:agent:rbac-generator`) before it starts the agent. The agent, user `system:karmada:agent:<cluster>`,
 * may create and watch `Cluster` objects and update its own (and its status), read the resource interpreter
 * configuration, write its leases, events and CSRs, keep its credential Secrets in `karmada-cluster`, and work on the
 * `Work` objects of its execution space `karmada-es-<cluster>` (created here, as register does). Put it in a chart
 * applied with the Karmada kubeconfig, beside the pull-mode objects of `KarmadaApiObjects` (`pullModeApiEndpoint`).
 *
 * @example
 * new KarmadaPullMember(karmadaApiChart, 'member-2', { clusterName: 'member-2' });
 */
export class KarmadaPullMember extends Construct {
  /** The user (certificate CN) the member's agent must present. */
  public readonly agentUser: string;
  /** The member's execution space inside the Karmada API. */
  public readonly executionSpace: string;

  constructor(scope: Construct, id: string, props: KarmadaPullMemberProps) {
    super(scope, id);
    const errors = [
      ...checkClusterName('clusterName', props.clusterName, MemberNames.MAX_CLUSTER_NAME_LENGTH),
      ...(props.clusterNamespace !== undefined ? checkNamespace('clusterNamespace', props.clusterNamespace) : []),
      ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
    ];
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const cluster = props.clusterName;
    const labels = installationLabels(props.instance ?? Defaults.INSTANCE);
    const clusterNamespace = props.clusterNamespace ?? MemberNames.CLUSTER_NAMESPACE;
    this.agentUser = MemberNames.agentUser(cluster);
    this.executionSpace = MemberNames.executionSpace(cluster);
    const subjects = [{ apiGroup: RBAC_GROUP, kind: 'User', name: this.agentUser }];

    if (props.createClusterNamespace ?? true) {
      new k8s.KubeNamespace(this, 'ClusterNamespace', { metadata: { name: clusterNamespace, labels } });
    }
    new k8s.KubeNamespace(this, 'ExecutionSpace', { metadata: { name: this.executionSpace, labels } });

    const agentRole = `system:karmada:${cluster}:agent`;
    new k8s.KubeClusterRole(this, 'AgentRole', {
      metadata: { name: agentRole, labels },
      rules: [
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], resourceNames: [cluster], verbs: ['get', 'delete'] },
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['create', 'list', 'watch'] },
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters/status'], resourceNames: [cluster], verbs: ['update'] },
        { apiGroups: ['config.karmada.io'], resources: ['resourceinterpreterwebhookconfigurations', 'resourceinterpretercustomizations'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'create'] },
        { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['patch', 'create', 'update'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'AgentBinding', {
      metadata: { name: agentRole, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: agentRole },
      subjects,
    });

    const secretRole = `system:karmada:${cluster}:agent-secret`;
    new k8s.KubeRole(this, 'SecretRole', {
      metadata: { name: secretRole, namespace: clusterNamespace, labels },
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: [MemberNames.pushSecret(cluster), MemberNames.impersonatorSecret(cluster)], verbs: ['get', 'patch'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'SecretBinding', {
      metadata: { name: secretRole, namespace: clusterNamespace, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: secretRole },
      subjects,
    });

    const workRole = `system:karmada:${cluster}:agent-work`;
    new k8s.KubeRole(this, 'WorkRole', {
      metadata: { name: workRole, namespace: this.executionSpace, labels },
      rules: [
        { apiGroups: ['work.karmada.io'], resources: ['works'], verbs: ['get', 'create', 'list', 'watch', 'update', 'delete'] },
        { apiGroups: ['work.karmada.io'], resources: ['works/status'], verbs: ['patch', 'update'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'WorkBinding', {
      metadata: { name: workRole, namespace: this.executionSpace, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: workRole },
      subjects,
    });
  }
}
