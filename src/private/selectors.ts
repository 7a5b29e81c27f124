import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Component } from './names';
import { KarmadaLabels } from '../labels';

/** Component name used for etcd pods. */
export const ETCD_COMPONENT = 'etcd';

/** The labels of one etcd member's pod. */
export function etcdMemberPodLabels(instance: string, memberName: string, controlPlaneNode?: string): Record<string, string> {
  return {
    ...commonLabels(instance, ETCD_COMPONENT, KarmadaLabels.ROLE_ETCD),
    [KarmadaLabels.ETCD_MEMBER]: memberName,
    ...(controlPlaneNode ? { [KarmadaLabels.CONTROL_PLANE_NODE]: controlPlaneNode } : {}),
  };
}

/** The labels of the pods of an etcd maintenance CronJob (`Component.ETCD_BACKUP` or `Component.ETCD_DEFRAG`). */
export function etcdMaintenancePodLabels(instance: string, component: string): Record<string, string> {
  return {
    ...installationLabels(instance),
    [KarmadaLabels.NAME]: component,
    [KarmadaLabels.COMPONENT]: KarmadaLabels.ROLE_ETCD,
  };
}

/** The labels of one control-plane component's pod on one control-plane node. */
export function controlPlanePodLabels(instance: string, component: string, controlPlaneNode: string): Record<string, string> {
  return {
    ...commonLabels(instance, component, KarmadaLabels.ROLE_CONTROL_PLANE),
    [KarmadaLabels.CONTROL_PLANE_NODE]: controlPlaneNode,
  };
}

/** The labels of one member cluster's scheduler-estimator pods. */
export function schedulerEstimatorPodLabels(instance: string, memberCluster: string): Record<string, string> {
  return {
    ...commonLabels(instance, Component.SCHEDULER_ESTIMATOR, KarmadaLabels.ROLE_CONTROL_PLANE),
    [KarmadaLabels.MEMBER_CLUSTER]: memberCluster,
  };
}

/** The immutable selector of one member cluster's scheduler-estimator Deployment and of its Service. */
export function schedulerEstimatorSelector(instance: string, memberCluster: string): Record<string, string> {
  return { ...componentSelector(instance, Component.SCHEDULER_ESTIMATOR), [KarmadaLabels.MEMBER_CLUSTER]: memberCluster };
}

/** The labels of a member cluster's karmada-agent pods. */
export function agentPodLabels(instance: string, memberCluster: string): Record<string, string> {
  return { ...commonLabels(instance, Component.AGENT, KarmadaLabels.ROLE_MEMBER), [KarmadaLabels.MEMBER_CLUSTER]: memberCluster };
}

/** The immutable selector of a member cluster's karmada-agent Deployment. */
export function agentSelector(instance: string, memberCluster: string): Record<string, string> {
  return { ...componentSelector(instance, Component.AGENT), [KarmadaLabels.MEMBER_CLUSTER]: memberCluster };
}

/** The immutable selector of one etcd member's StatefulSet and of its Service. */
export function etcdMemberSelector(instance: string, memberName: string): Record<string, string> {
  return { ...componentSelector(instance, ETCD_COMPONENT), [KarmadaLabels.ETCD_MEMBER]: memberName };
}

/** The selector of every etcd member of the installation (disruption budget, zone spreading, the client Service). */
export function allEtcdMembersSelector(instance: string): Record<string, string> {
  return componentSelector(instance, ETCD_COMPONENT);
}

/** The immutable selector of one component's workload on one control-plane node. */
export function controlPlaneComponentSelector(instance: string, component: string, controlPlaneNode: string): Record<string, string> {
  return { ...componentSelector(instance, component), [KarmadaLabels.CONTROL_PLANE_NODE]: controlPlaneNode };
}

/** The selector of one component's pods on every control-plane node (e.g. the HA entry point to all apiservers). */
export function componentSelector(instance: string, component: string): Record<string, string> {
  return {
    [KarmadaLabels.INSTANCE]: instance,
    [KarmadaLabels.NAME]: component,
  };
}

/** Every pod of one control-plane node: its components and, when stacked, its etcd member. */
export function selectControlPlaneNode(scope: Construct, id: string, instance: string, controlPlaneNode: string): kplus.Pods {
  return kplus.Pods.select(scope, id, {
    labels: {
      [KarmadaLabels.INSTANCE]: instance,
      [KarmadaLabels.CONTROL_PLANE_NODE]: controlPlaneNode,
    },
  });
}

/**
 * Every pod of every control-plane node of the installation except `controlPlaneNode`'s own.
 * Excluding the node's own pods keeps a rolling update schedulable: a replacement pod never repels its predecessor.
 */
export function selectOtherControlPlaneNodes(scope: Construct, id: string, instance: string, controlPlaneNode: string): kplus.Pods {
  return kplus.Pods.select(scope, id, {
    labels: { [KarmadaLabels.INSTANCE]: instance },
    expressions: [
      kplus.LabelExpression.exists(KarmadaLabels.CONTROL_PLANE_NODE),
      kplus.LabelExpression.notIn(KarmadaLabels.CONTROL_PLANE_NODE, [controlPlaneNode]),
    ],
  });
}

/** Every etcd member of the installation except `memberName`. */
export function selectOtherEtcdMembers(scope: Construct, id: string, instance: string, memberName: string): kplus.Pods {
  return kplus.Pods.select(scope, id, {
    labels: componentSelector(instance, ETCD_COMPONENT),
    expressions: [kplus.LabelExpression.notIn(KarmadaLabels.ETCD_MEMBER, [memberName])],
  });
}

/** Every pod of every control-plane node of the installation. */
export function selectAllControlPlaneNodes(scope: Construct, id: string, instance: string): kplus.Pods {
  return kplus.Pods.select(scope, id, {
    labels: { [KarmadaLabels.INSTANCE]: instance },
    expressions: [kplus.LabelExpression.exists(KarmadaLabels.CONTROL_PLANE_NODE)],
  });
}

/** Every etcd member of the installation. */
export function selectAllEtcdMembers(scope: Construct, id: string, instance: string): kplus.Pods {
  return kplus.Pods.select(scope, id, { labels: componentSelector(instance, ETCD_COMPONENT) });
}

/**
 * The Pod Security admission version the namespace enforces: pinned, so a host-cluster upgrade that tightens the
 * `restricted` profile can never start rejecting a replacement etcd or apiserver pod; `audit` and `warn` follow
 * `latest`, so a new rule shows up as a warning on `kubectl apply` first. v1.28 is the oldest API (cdk8s-plus-28)
 * the library targets; every pod also passes the latest profile (test/pod-security.test.ts).
 */
export const POD_SECURITY_ENFORCE_VERSION = 'v1.28';

/** The namespace labels that make Pod Security admission enforce, audit and warn on the `restricted` profile. */
export function podSecurityNamespaceLabels(): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': POD_SECURITY_ENFORCE_VERSION,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': 'latest',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'latest',
  };
}

/** The labels that mark an object as the library's (e.g. the namespace, which several installations may share). */
export function libraryLabels(): Record<string, string> {
  return {
    [KarmadaLabels.PART_OF]: 'karmada',
    [KarmadaLabels.MANAGED_BY]: 'cdk8s-karmada',
  };
}

/** The labels of an installation's objects that are not a component's pods: Certificates, the bootstrap objects, the objects inside the Karmada API. */
export function installationLabels(instance: string): Record<string, string> {
  return { ...libraryLabels(), [KarmadaLabels.INSTANCE]: instance };
}

/** A NetworkPolicy selector of every pod of the installation (components, etcd, Jobs). */
export function installationPodSelector(instance: string): kplus.k8s.LabelSelector {
  return { matchLabels: installationLabels(instance) };
}

/**
 * A NetworkPolicy selector of the pods of `components` in the installation, on one control-plane node when
 * `controlPlaneNode` is given.
 */
export function componentsPodSelector(instance: string, components: string[], controlPlaneNode?: string): kplus.k8s.LabelSelector {
  const node: Record<string, string> = controlPlaneNode ? { [KarmadaLabels.CONTROL_PLANE_NODE]: controlPlaneNode } : {};
  if (components.length === 1) return { matchLabels: { ...componentSelector(instance, components[0]), ...node } };
  return {
    matchLabels: { [KarmadaLabels.INSTANCE]: instance, ...node },
    matchExpressions: [{ key: KarmadaLabels.NAME, operator: 'In', values: [...components] }],
  };
}

/** A NetworkPolicy selector of one namespace by name (the label Kubernetes sets on every namespace). */
export function namespaceNameSelector(namespace: string): kplus.k8s.LabelSelector {
  return { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
}

function commonLabels(instance: string, component: string, role: string): Record<string, string> {
  return {
    ...installationLabels(instance),
    [KarmadaLabels.NAME]: component,
    [KarmadaLabels.COMPONENT]: role,
  };
}

/** The label cdk8s-plus stamps on every pod template and on the selectors it builds from a construct's path. */
const CONSTRUCT_PATH_LABEL_POINTER = '/cdk8s.io~1metadata.addr';

/**
 * Drop cdk8s-plus's construct-path label from a workload's pod template (or a Service's selector): nothing of
 * ours selects on it, and a label that changes when a construct is renamed would roll every pod (all etcd members
 * at once) for no reason.
 */
export function dropConstructPathLabel(object: ApiObject,
  labelsPointer: '/spec/template/metadata/labels' | '/spec/jobTemplate/spec/template/metadata/labels' | '/spec/selector'): void {
  object.addJsonPatch(JsonPatch.remove(`${labelsPointer}${CONSTRUCT_PATH_LABEL_POINTER}`));
}
