import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LIGHT_COMPONENT_RESOURCES, healthzProbes, karmadaImage } from '../components/component-spec';
import { RBAC_GROUP } from '../components/rbac-rules';
import { HostRequirements } from '../host-requirements';
import { InstallationScopeProps, resolveInstallation } from '../installation';
import { applyHostRequirements } from '../private/host-placement';
import { Component, MemberNames, Ports } from '../private/names';
import { WORKLOAD_CONTAINER_PROPS, WORKLOAD_POD_PROPS, mountSecret, shapeWorkload } from '../private/pod-defaults';
import { checkPriorityClassName, checkResources } from '../private/resources-and-priority';
import { agentPodLabels, agentSelector, installationLabels, podSecurityNamespaceLabels } from '../private/selectors';
import {
  checkClusterName, checkHostRequirements, checkImageReference, checkInstanceName, checkMemberApiEndpoint, checkNamespace, checkNotEmpty,
  checkPositiveInteger, checkUnique,
} from '../private/validation';

const k8s = kplus.k8s;
/** karmada-agent's plain-HTTP `/healthz` port (upstream's). */
const HEALTH_PORT = 10357;
/** Where the agent's kubeconfig for the Karmada API is mounted. */
const KUBECONFIG_DIR = '/etc/karmada/kubeconfig';

/**
 * Props of a member cluster's karmada-agent (pull mode).
 */
export interface KarmadaAgentProps extends InstallationScopeProps {
  /** The member cluster's name in Karmada (`--cluster-name`): a DNS-1123 label of at most 48 characters. */
  readonly clusterName: string;
  /**
   * The https URL of the member's own kube-apiserver as the Karmada control plane should know it
   * (`--cluster-api-endpoint`, the `Cluster`'s `apiEndpoint`; the cluster proxy dials it).
   */
  readonly clusterApiEndpoint: string;
  /**
   * The cloud provider of the member (`--cluster-provider`).
   * @default - none
   */
  readonly provider?: string;
  /**
   * The region of the member (`--cluster-region`).
   * @default - none
   */
  readonly region?: string;
  /**
   * The zones of the member (`--cluster-zones`).
   * @default - none
   */
  readonly zones?: string[];
  /**
   * The agent's kubeconfig for the Karmada API, written into the YAML as Secret `karmada-kubeconfig` (key
   * `karmada-kubeconfig`). It holds the agent's private key: leave it out and create that Secret yourself.
   * @default - no Secret is synthesized: create `<namespace>/karmada-kubeconfig` in the member before the agent starts
   */
  readonly karmadaKubeconfig?: string;
  /**
   * Run the agent's `certRotation` controller, which renews its certificate through a CSR inside the Karmada API
   * before it expires. Its CSRs name the signer `kubernetes.io/kube-apiserver-client-kubelet`, which the library's
   * kube-controller-manager does not sign (it signs `kubernetes.io/kube-apiserver-client` only): turn it on only where
   * something signs those.
   * @default false
   */
  readonly certRotation?: boolean;
  /**
   * The namespace inside the Karmada API of the member's credential Secrets (`--cluster-namespace`).
   * @default 'karmada-cluster'
   */
  readonly clusterNamespace?: string;
  /**
   * Create the agent's namespace, labelled for the restricted Pod Security profile.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Container image.
   * @default 'docker.io/karmada/karmada-agent:v1.18.2'
   */
  readonly image?: string;
  /**
   * Replicas; one leads (a Lease in the agent's namespace), the others wait.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Which hosts of the member may run it.
   * @default - any host
   */
  readonly hosts?: HostRequirements;
  /**
   * Resources of the agent's container.
   * @default - requests 100m CPU and 128Mi memory, limit 1Gi memory
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * The agent's PriorityClass.
   * @default - none (the member cluster is not the library's; `system-cluster-critical` outside `kube-system` needs a
   *   ResourceQuota on some clusters)
   */
  readonly priorityClassName?: string;
}

/**
 * karmada-agent in a member cluster (**pull mode**), as `karmadactl register` deploys it: the agent registers the
 * member as a `Cluster` (`syncMode: Pull`) inside the Karmada API and applies the member's Works, so the Karmada
 * control plane never dials the member. Put it in a chart applied to the member cluster.
 *
 * It synthesizes the namespace, ServiceAccount `karmada-agent-sa` bound to ClusterRole `karmada-agent` (every verb on
 * every resource: it applies workloads of any kind) and the Deployment `karmada-agent`. It reads its kubeconfig for
 * the Karmada API from Secret `karmada-kubeconfig` (key `karmada-kubeconfig`), which it does **not** synthesize unless
 * you pass `karmadaKubeconfig`: a client certificate with CN `system:karmada:agent:<cluster>` and O
 * `system:karmada:agents`, obtained with a bootstrap token (see docs/member-clusters.md). Inside the Karmada API, the
 * pull-mode objects (`HATopology`'s `pullMode`) and the member's own RBAC (`KarmadaPullMember`) must exist.
 *
 * @example
 * new KarmadaAgent(memberChart, 'agent', { clusterName: 'member-1', clusterApiEndpoint: 'https://member-1.example.com:6443' });
 */
export class KarmadaAgent extends Construct {
  /** The agent's Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Secret (in the agent's namespace) the agent reads its kubeconfig from. */
  public readonly kubeconfigSecretName: string;

  constructor(scope: Construct, id: string, props: KarmadaAgentProps) {
    super(scope, id);
    const { instance, namespace } = resolveInstallation(this, props);
    checkAgentProps(props);
    const component = Component.AGENT;
    const labels = installationLabels(instance);
    const selector = agentSelector(instance, props.clusterName);
    const account = MemberNames.AGENT_SERVICE_ACCOUNT;
    this.kubeconfigSecretName = MemberNames.AGENT_KUBECONFIG_SECRET;

    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: namespace, labels: { ...labels, ...podSecurityNamespaceLabels() } } });
    }
    if (props.karmadaKubeconfig !== undefined) {
      new k8s.KubeSecret(this, 'Kubeconfig', {
        metadata: { name: this.kubeconfigSecretName, namespace, labels },
        type: 'Opaque',
        data: { [this.kubeconfigSecretName]: Buffer.from(props.karmadaKubeconfig).toString('base64') },
      });
    }
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: account, namespace, labels } });
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: component, labels },
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceUrLs: ['*'], verbs: ['get'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: component, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: component },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
    });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: component, namespace, labels: selector },
      podMetadata: { labels: agentPodLabels(instance, props.clusterName) },
      ...WORKLOAD_POD_PROPS,
      // The agent talks to its own cluster's API: it needs its ServiceAccount's token, unlike the control plane.
      automountServiceAccountToken: true,
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccountRef', account),
      replicas: props.replicas ?? 2,
    });
    shapeWorkload(this.deployment, selector, props.priorityClassName === '' ? undefined : props.priorityClassName);
    const healthz = healthzProbes(HEALTH_PORT);
    const container = this.deployment.addContainer({
      ...WORKLOAD_CONTAINER_PROPS,
      name: component,
      image: props.image ?? karmadaImage(component),
      command: [`/bin/${component}`],
      args: agentArgs(props, namespace),
      ports: [
        { name: 'health', number: HEALTH_PORT },
        { name: 'metrics', number: Ports.KARMADA_METRICS },
      ],
      startup: healthz.startup,
      liveness: healthz.liveness,
      readiness: healthz.readiness,
      resources: props.resources ?? LIGHT_COMPONENT_RESOURCES,
    });
    mountSecret(this.deployment, 'karmada-kubeconfig', container, this.kubeconfigSecretName, KUBECONFIG_DIR, [this.kubeconfigSecretName]);
    this.deployment.scheduling.separate(kplus.Pods.select(this, 'Replicas', { labels: selector }), { topology: kplus.Topology.HOSTNAME, weight: 100 });
    applyHostRequirements(this.deployment, props.hosts);
  }
}

/** The agent's command line: every flag is in karmada-agent v1.18.2's flag list. */
function agentArgs(props: KarmadaAgentProps, namespace: string): string[] {
  const kubeconfigSecret = MemberNames.AGENT_KUBECONFIG_SECRET;
  return [
    `--karmada-kubeconfig=${KUBECONFIG_DIR}/${kubeconfigSecret}`,
    // Where certificate rotation finds the Secret to rewrite.
    `--karmada-kubeconfig-namespace=${namespace}`,
    `--cluster-name=${props.clusterName}`,
    `--cluster-api-endpoint=${props.clusterApiEndpoint}`,
    `--cluster-namespace=${props.clusterNamespace ?? MemberNames.CLUSTER_NAMESPACE}`,
    ...(props.provider !== undefined ? [`--cluster-provider=${props.provider}`] : []),
    ...(props.region !== undefined ? [`--cluster-region=${props.region}`] : []),
    ...((props.zones ?? []).length > 0 ? [`--cluster-zones=${props.zones!.join(',')}`] : []),
    `--controllers=${props.certRotation ? '*,certRotation' : '*'}`,
    '--leader-elect=true',
    `--leader-elect-resource-namespace=${namespace}`,
    '--cluster-status-update-frequency=10s',
    `--metrics-bind-address=$(POD_IP):${Ports.KARMADA_METRICS}`,
    `--health-probe-bind-address=$(POD_IP):${HEALTH_PORT}`,
    '--v=2',
  ];
}

/** Validate the props; every problem in one error. */
function checkAgentProps(props: KarmadaAgentProps): void {
  const errors = [
    ...checkClusterName('clusterName', props.clusterName, MemberNames.MAX_CLUSTER_NAME_LENGTH),
    ...checkMemberApiEndpoint('clusterApiEndpoint', props.clusterApiEndpoint),
    ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
    ...(props.namespace !== undefined ? checkNamespace('namespace', props.namespace) : []),
    ...(props.clusterNamespace !== undefined ? checkNamespace('clusterNamespace', props.clusterNamespace) : []),
    ...(props.image !== undefined ? checkImageReference('image', props.image) : []),
    ...(props.replicas !== undefined ? checkPositiveInteger('replicas', props.replicas) : []),
    ...checkUnique('zones', props.zones ?? [], 'zone', 'list every zone once'),
    ...(props.karmadaKubeconfig !== undefined
      ? checkNotEmpty('karmadaKubeconfig', props.karmadaKubeconfig, 'give the agent\'s kubeconfig for the Karmada API, or leave karmadaKubeconfig out and create Secret karmada-kubeconfig yourself')
      : []),
    ...checkHostRequirements('hosts', props.hosts),
    ...checkResources('resources', props.resources),
    ...checkPriorityClassName('priorityClassName', props.priorityClassName),
  ];
  if (errors.length > 0) throw new Error(errors.join('\n'));
}
