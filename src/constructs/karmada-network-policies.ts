import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MAX_ETCD_MEMBER_NAME_LENGTH } from './etcd-member';
import { componentSwitches } from '../components/registry';
import { EtcdPlacement, EtcdTopology } from '../etcd-topology';
import { InstallationScopeProps, resolveInstallation } from '../installation';
import { OptionalKarmadaComponents } from '../karmada-components';
import { MAX_CONTROL_PLANE_NODE_NAME_LENGTH } from '../private/names';
import {
  checkNetworkPolicyOptions, DEFAULT_DNS_NAMESPACE, DEFAULT_DNS_POD_LABELS, DEFAULT_MEMBER_CLUSTER_CIDRS, planNetworkPolicies,
} from '../private/network-policy-plan';
import { installationLabels } from '../private/selectors';
import { checkEtcdEndpoint, checkInstanceName, checkNamespace, checkObjectName, checkOwnNamespace, checkUnique } from '../private/validation';
import { addWarning } from '../warnings';

/** A metrics scraper (e.g. Prometheus) admitted to the metrics ports. */
export interface MetricsScraperOptions {
  /**
   * Labels of the scraper's namespace, e.g. `{ 'kubernetes.io/metadata.name': 'monitoring' }`. At least one.
   */
  readonly namespaceLabels: { [key: string]: string };
  /**
   * Labels of the scraper's pods, e.g. `{ 'app.kubernetes.io/name': 'prometheus' }`.
   * @default - every pod of the scraper's namespace
   */
  readonly podLabels?: { [key: string]: string };
}

/**
 * NetworkPolicies of an HA topology: default deny in the namespace, then only the connections the control plane
 * makes. kubelet's probes come from the node, and the common NetworkPolicy implementations (Calico, Cilium, the
 * cloud providers' own) always admit the node's traffic to its pods, so health ports need no rule.
 */
export interface NetworkPolicyOptions {
  /**
   * Create the NetworkPolicies. They take effect only where the cluster's network plugin enforces NetworkPolicy.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Where the member clusters' apiservers live: karmada-controller-manager, karmada-aggregated-apiserver (cluster
   * proxy), karmada-search, karmada-metrics-adapter and the scheduler estimators may open connections to these
   * CIDRs on any port. Narrow it to the member clusters' apiserver addresses.
   * @default ['0.0.0.0/0', '::/0']
   */
  readonly memberClusterCidrs?: string[];
  /**
   * The namespace of the cluster DNS pods every pod of the installation may query on port 53 (UDP and TCP).
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;
  /**
   * The labels of the cluster DNS pods.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly dnsPodLabels?: { [key: string]: string };
  /**
   * A metrics scraper admitted to the metrics ports of every pod: etcd 2381, the Karmada components' 8080,
   * kube-controller-manager's 10257. karmada-apiserver's `/metrics` (5443) is open to every pod of the host cluster
   * anyway; the aggregated API servers serve theirs on 8443, which stays reserved to karmada-apiserver.
   * @default - no scraper is admitted
   */
  readonly metricsScraper?: MetricsScraperOptions;
}

/** Props of an installation's NetworkPolicies. */
export interface KarmadaNetworkPoliciesProps extends InstallationScopeProps, OptionalKarmadaComponents {
  /** Where etcd runs. */
  readonly etcdPlacement: EtcdPlacement;
  /** The control-plane nodes' names, in order. */
  readonly controlPlaneNodeNames: string[];
  /**
   * The etcd members the library runs, in order (stacked: member i beside node i).
   * @default - none: etcd lives outside the cluster
   */
  readonly etcdMemberNames?: string[];
  /**
   * The etcd client URLs outside the cluster (`https://<host>:<port>`): the etcd clients may reach an IP literal's
   * address on its port; a host name's addresses are unknown at synth time, so its port is opened to every address.
   * @default - none
   */
  readonly externalEtcdEndpoints?: string[];
  /**
   * How the HA entry point to the apiservers is exposed. NodePort and LoadBalancer admit every address to the
   * apiservers' port.
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly apiServerServiceType?: kplus.ServiceType;
  /**
   * Scheduler estimators run.
   * @default false
   */
  readonly schedulerEstimators?: boolean;
  /**
   * The bootstrap Job runs.
   * @default true
   */
  readonly bootstrapJob?: boolean;
  /**
   * The etcd backup CronJob runs (in-cluster etcd only).
   * @default true
   */
  readonly etcdBackup?: boolean;
  /**
   * The etcd defragmentation CronJob runs (in-cluster etcd only).
   * @default true
   */
  readonly etcdDefrag?: boolean;
  /**
   * The user's options.
   * @default - the defaults of NetworkPolicyOptions
   */
  readonly options?: NetworkPolicyOptions;
}

/** The etcd the policies open: members in the cluster, or endpoints outside it, as the placement says. */
function checkEtcdPlacementNames(props: KarmadaNetworkPoliciesProps): string[] {
  const members = props.etcdMemberNames ?? [];
  const endpoints = props.externalEtcdEndpoints ?? [];
  const traits = EtcdTopology._traitsOf(props.etcdPlacement);
  if (!traits.runsMembers) {
    return [
      ...(endpoints.length === 0 ? ['externalEtcdEndpoints is empty but etcdPlacement is EXTERNAL_ENDPOINTS: the policies would let karmada-apiserver reach no etcd; list the endpoints'] : []),
      ...(members.length > 0 ? ['etcdMemberNames is set but etcdPlacement is EXTERNAL_ENDPOINTS, where the library runs no member: drop etcdMemberNames'] : []),
    ];
  }
  return [
    ...(members.length === 0 ? [`etcdMemberNames is empty but etcdPlacement is ${traits.enumName}: the policies would let karmada-apiserver reach no etcd member; list the members`] : []),
    ...(traits.pairsMembersWithNodes && members.length > 0 && members.length !== props.controlPlaneNodeNames.length
      ? [`etcdMemberNames lists ${members.length} members but controlPlaneNodeNames ${props.controlPlaneNodeNames.length} nodes: stacked member i runs beside node i, so list one member per node`] : []),
    ...(endpoints.length > 0 ? ['externalEtcdEndpoints is set but etcd runs in the cluster: drop externalEtcdEndpoints'] : []),
  ];
}

/**
 * The NetworkPolicies (networking.k8s.io/v1) of one installation:
 *
 * - `<instance>-default-deny`: every pod of the namespace, ingress and egress.
 * - DNS on 53/UDP and 53/TCP to the cluster DNS pods, for every pod of the installation.
 * - etcd client port 2379: stacked, a member only from its own node's karmada-apiserver, karmada-aggregated-apiserver
 *   and karmada-search; external, from every node's; always from the etcd backup and defrag pods and the member
 *   itself. Peer port 2380 only among members. With etcd outside the cluster, the etcd clients' egress goes to the
 *   endpoints' ports.
 * - karmada-apiserver 5443 from every pod of the host cluster, and from every address when the entry point is a
 *   NodePort or LoadBalancer; every component that talks to the Karmada API (and the bootstrap Job) may reach it.
 * - 8443 of karmada-webhook, -aggregated-apiserver, -search and -metrics-adapter only from karmada-apiserver.
 * - The scheduler estimators' 10352 only from karmada-scheduler and karmada-descheduler.
 * - The components that talk to member clusters may reach `memberClusterCidrs`, on any port.
 *
 * Both ends of every connection are opened (the client's egress and the server's ingress). kubelet probes are not
 * subject to NetworkPolicy in the common implementations, so health ports have no rule; a metrics scraper is
 * admitted only when configured.
 *
 * @example
 * new KarmadaNetworkPolicies(chart, 'policies', {
 *   etcdPlacement: EtcdPlacement.STACKED,
 *   controlPlaneNodeNames: ['karmada-cp-0', 'karmada-cp-1', 'karmada-cp-2'],
 *   etcdMemberNames: ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'],
 *   options: { memberClusterCidrs: ['10.0.0.0/8'] },
 * });
 */
export class KarmadaNetworkPolicies extends Construct {
  /** The policies' names, in order. */
  public readonly policyNames: string[];

  constructor(scope: Construct, id: string, props: KarmadaNetworkPoliciesProps) {
    super(scope, id);
    const { instance, namespace } = resolveInstallation(this, props);
    const options = props.options ?? {};
    const checks = checkNetworkPolicyOptions(options);
    checks.errors.unshift(
      ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
      ...(props.namespace !== undefined ? checkNamespace('namespace', props.namespace) : []),
      ...props.controlPlaneNodeNames.flatMap((node, index) =>
        checkObjectName(`controlPlaneNodeNames[${index}]`, node, MAX_CONTROL_PLANE_NODE_NAME_LENGTH, `${instance}-cp-${index}`)),
      ...checkUnique('controlPlaneNodeNames', props.controlPlaneNodeNames, 'control-plane node'),
      ...(props.etcdMemberNames ?? []).flatMap((member, index) =>
        checkObjectName(`etcdMemberNames[${index}]`, member, MAX_ETCD_MEMBER_NAME_LENGTH, `${instance}-etcd-${index}`)),
      ...checkUnique('etcdMemberNames', props.etcdMemberNames ?? [], 'etcd member'),
      ...(props.externalEtcdEndpoints ?? []).flatMap((endpoint, index) => checkEtcdEndpoint(`externalEtcdEndpoints[${index}]`, endpoint)),
      ...checkEtcdPlacementNames(props),
      ...checkOwnNamespace(namespace, undefined, 'do not create these policies'),
    );
    if (checks.errors.length > 0) {
      throw new Error(`invalid networkPolicies of '${this.node.path}':\n- ${checks.errors.join('\n- ')}`);
    }
    checks.warnings.forEach(warning => addWarning(this, warning));
    const serviceType = props.apiServerServiceType ?? kplus.ServiceType.CLUSTER_IP;

    const policies = planNetworkPolicies({
      instance,
      stacked: EtcdTopology._traitsOf(props.etcdPlacement).pairsMembersWithNodes,
      controlPlaneNodeNames: props.controlPlaneNodeNames,
      etcdMemberNames: props.etcdMemberNames ?? [],
      externalEtcdEndpoints: props.externalEtcdEndpoints ?? [],
      apiServerExposedOutsideCluster: serviceType === kplus.ServiceType.NODE_PORT || serviceType === kplus.ServiceType.LOAD_BALANCER,
      ...componentSwitches(props),
      schedulerEstimators: props.schedulerEstimators ?? false,
      bootstrapJob: props.bootstrapJob ?? true,
      etcdBackup: props.etcdBackup ?? true,
      etcdDefrag: props.etcdDefrag ?? true,
      memberClusterCidrs: options.memberClusterCidrs ?? DEFAULT_MEMBER_CLUSTER_CIDRS,
      dnsNamespace: options.dnsNamespace ?? DEFAULT_DNS_NAMESPACE,
      dnsPodLabels: options.dnsPodLabels ?? DEFAULT_DNS_POD_LABELS,
      metricsScraper: options.metricsScraper,
    });
    for (const policy of policies) {
      new kplus.k8s.KubeNetworkPolicy(this, policy.name, {
        metadata: { name: policy.name, namespace, labels: installationLabels(instance) },
        spec: policy.spec,
      });
    }
    this.policyNames = policies.map(policy => policy.name);
  }
}
