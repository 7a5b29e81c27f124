import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ControlPlaneComponentSettings } from '../component-settings';
import { runningComponents } from '../components/registry';
import { EtcdPlacement, EtcdTopology } from '../etcd-topology';
import { EtcdTuning } from '../etcd-tuning';
import { FailureToleranceReport } from '../failure-tolerance';
import { HostRequirements } from '../host-requirements';
import { KarmadaImages } from '../images';
import { KarmadaComponents } from '../karmada-components';
import { LeaderElectionOptions } from '../leader-election';
import { CertificateDescription, Pki } from '../pki';
import { EtcdBackup, EtcdBackupOptions } from './etcd-backup';
import { EtcdDefragmentation, EtcdDefragmentationOptions } from './etcd-defragmentation';
import { EtcdMember } from './etcd-member';
import { KarmadaApiObjectsProps } from './karmada-api-objects';
import { KarmadaBootstrapJob } from './karmada-bootstrap-job';
import { KarmadaControlPlaneNode } from './karmada-control-plane-node';
import { KarmadaNetworkPolicies, NetworkPolicyOptions } from './karmada-network-policies';
import { KarmadaSchedulerEstimator } from './karmada-scheduler-estimator';
import { Defaults, resolveNamespace } from '../installation';
import { addCertManagerPki } from '../private/cert-manager-pki';
import { addDisruptionBudgets } from '../private/disruption-budgets';
import { serviceUrl } from '../private/dns';
import { addEtcdClientService } from '../private/etcd-maintenance';
import { ZONE_LABEL } from '../private/host-placement';
import { Component, Ports, hostServiceName } from '../private/names';
import { describeCertificates, firstServiceIp, planPki, userIssuers } from '../private/pki-plan';
import { componentSelector, libraryLabels, podSecurityNamespaceLabels } from '../private/selectors';
import { HATopologyPlan, planHATopology } from '../private/topology-plan';
import { addWarning } from '../warnings';

/** How the HA entry point to every apiserver is exposed. */
export interface ApiServerServiceOptions {
  /**
   * Service type. Use NODE_PORT or LOAD_BALANCER for clients outside the host cluster (pull-mode members).
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly type?: kplus.ServiceType;
  /**
   * The node port, with NODE_PORT or LOAD_BALANCER.
   * @default - assigned by Kubernetes
   */
  readonly nodePort?: number;
  /**
   * Annotations, e.g. for an internal cloud load balancer.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * With LOAD_BALANCER: the client CIDRs the load balancer admits. Restrict it: the entry point serves bootstrap
   * tokens and anonymous health checks.
   * @default - every address the load balancer can receive from
   */
  readonly loadBalancerSourceRanges?: string[];
  /**
   * DNS names clients outside the host cluster use for the entry point (load balancer, DNS record): added to
   * karmada-apiserver's serving certificate.
   * @default - none
   */
  readonly externalDnsNames?: string[];
  /**
   * IP addresses clients outside the host cluster use for the entry point: added to karmada-apiserver's serving
   * certificate.
   * @default - none
   */
  readonly externalIpAddresses?: string[];
}

/** Serving member clusters in pull mode (karmada-agent registers itself). */
export interface PullModeOptions {
  /**
   * The URL member clusters reach karmada-apiserver at, e.g. `https://karmada.example.com:5443`. It goes into
   * `kube-public/cluster-info` and its host into the apiserver's serving certificate.
   */
  readonly apiServerEndpoint: string;
}

/**
 * Props of an HA Karmada control plane.
 */
export interface HATopologyProps {
  /**
   * The installation's name: label `app.kubernetes.io/instance` and the prefix of every object name.
   * @default 'karmada'
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace, or `karmada-system` when the chart has none
   */
  readonly namespace?: string;
  /**
   * The host cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Where etcd runs.
   * @default EtcdTopology.stacked()
   */
  readonly etcd?: EtcdTopology;
  /**
   * How many control-plane nodes (at least 3).
   * @default 3
   */
  readonly controlPlaneNodes?: number;
  /**
   * The control-plane nodes' names.
   * @default - `<name>-cp-<i>` for i = 0..controlPlaneNodes-1
   */
  readonly controlPlaneNodeNames?: string[];
  /**
   * The failure domain that no two control-plane nodes, and no two etcd members, may share.
   * @default kplus.Topology.HOSTNAME
   */
  readonly failureDomain?: kplus.Topology;
  /**
   * Which hosts may run control-plane nodes (and, when stacked, their etcd members).
   * @default - any host
   */
  readonly controlPlaneHosts?: HostRequirements;
  /**
   * External etcd: which hosts may run etcd members.
   * @default - any host that runs no control-plane node
   */
  readonly etcdHosts?: HostRequirements;
  /**
   * The zones (`topology.kubernetes.io/zone`) to spread the control plane over. Control-plane node i (and, when
   * stacked, its etcd member) is required in zone `zones[i % zones.length]`; external etcd members are spread over
   * the zones by a topology spread constraint (at most one more member in any zone than in another). The topology is
   * checked against them and a warning names what a zone failure would cost (fewer than 3 zones, or a zone whose
   * loss takes etcd's quorum). Hard spread constraints are not used for control-plane nodes: their pods are required
   * on one host together, and a constraint per pod could pin a node's first pod into a zone its other pods may not
   * join, leaving them Pending forever; a fixed zone per node cannot. Each zone is listed once, as the nodes' label
   * value.
   * @default - unknown: no zone placement; a zone failure may stop the control plane
   */
  readonly zones?: string[];
  /**
   * The HA entry point to every apiserver.
   * @default - a ClusterIP Service `<name>-apiserver` on port 5443
   */
  readonly apiServerService?: ApiServerServiceOptions;
  /**
   * Control-plane images.
   * @default - the images of Karmada v1.18.2 and Kubernetes v1.35.4
   */
  readonly images?: KarmadaImages;
  /**
   * The etcd image, when etcd runs in the cluster. The synthesized flags are those of etcd 3.6: a tag that names an
   * older version is refused.
   * @default 'registry.k8s.io/etcd:3.6.6-0'
   */
  readonly etcdImage?: string;
  /**
   * etcd performance and retention settings.
   * @default - etcd's defaults for timing, an 8 GiB quota, periodic compaction keeping 1h
   */
  readonly etcdTuning?: EtcdTuning;
  /**
   * Size of each etcd member's volume.
   * @default Size.gibibytes(20)
   */
  readonly etcdStorageSize?: Size;
  /**
   * Storage class of each etcd member's volume.
   * @default - the cluster's default storage class
   */
  readonly etcdStorageClassName?: string;
  /**
   * Where the certificates come from.
   * @default Pki.certManager()
   */
  readonly pki?: Pki;
  /**
   * Optional components.
   * @default - none of them
   */
  readonly components?: KarmadaComponents;
  /**
   * Serve pull-mode member clusters: `cluster-info`, bootstrap-token RBAC and CSR signing.
   * @default - push mode only: kube-controller-manager holds no CA key
   */
  readonly pullMode?: PullModeOptions;
  /**
   * Create the bootstrap Job that applies the objects inside the Karmada API (namespace, CRDs, webhook
   * configurations, APIServices, RBAC) once the apiserver answers, filling every caBundle from the issued CA.
   * @default true
   */
  readonly bootstrapJob?: boolean;
  /**
   * NetworkPolicies: default deny in the namespace, then only the connections the control plane makes.
   * @default - on, with the defaults of NetworkPolicyOptions
   */
  readonly networkPolicies?: NetworkPolicyOptions;
  /**
   * PodDisruptionBudgets: etcd keeps its quorum and every control-plane component all its instances but one through
   * drains and other voluntary disruptions.
   * @default true
   */
  readonly disruptionBudgets?: boolean;
  /**
   * Resources and PriorityClass per component; each replaces that component's default only. On some managed
   * clusters (GKE), pods with `system-node-critical` or `system-cluster-critical` outside `kube-system` are admitted
   * only when their namespace has a ResourceQuota whose scope selector allows those classes: create one (see
   * docs/security.md), or set other classes here.
   * @default - the defaults of the table in docs/security.md: requests on every container, memory limits
   * everywhere, no CPU limit on etcd and karmada-apiserver; `system-node-critical` for etcd and karmada-apiserver,
   * `system-cluster-critical` for the other components and the scheduler estimators
   */
  readonly componentSettings?: ControlPlaneComponentSettings;
  /**
   * Synthesize the Namespace itself (first, so one `kubectl apply` of the file creates it before its objects).
   * Turn off when the namespace is managed elsewhere.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * The Service IP range of the Karmada API.
   * @default '10.96.0.0/12'
   */
  readonly serviceClusterIpRange?: string;
  /**
   * Scheduled etcd snapshots to a volume, with a retention count (when the library runs the etcd members). Restore
   * with `scripts/restore-etcd.sh`.
   * @default - on: hourly at minute 17 (UTC), 24 kept, on a claim `<name>-etcd-backups`
   */
  readonly etcdBackup?: EtcdBackupOptions;
  /**
   * Scheduled defragmentation of the etcd members, one at a time and only while all are healthy (when the library
   * runs the etcd members).
   * @default - on: Sundays at 03:47 UTC
   */
  readonly etcdDefragmentation?: EtcdDefragmentationOptions;
  /**
   * Lease, renew and retry timing of the components that elect a leader; `LeaderElection.failoverSeconds` tells the
   * failover time they imply.
   * @default - 15 s lease, 10 s renew deadline, 2 s retry period (the Kubernetes defaults)
   */
  readonly leaderElection?: LeaderElectionOptions;
}

/**
 * A highly available Karmada control plane in the stacked or the external etcd topology.
 *
 * Stacked: N control-plane nodes, each with an etcd member on its host that only its apiserver talks to.
 * External: N control-plane nodes and M etcd members on other hosts; every apiserver talks to every member. Or
 * N control-plane nodes against an etcd outside the cluster. No two control-plane nodes and no two etcd members
 * share a failure domain; external members never share a host with a control-plane node. One Service is the HA
 * entry point to every apiserver. Every input is checked before any object is created.
 *
 * @example
 * import { App, Chart, Duration } from 'cdk8s';
 * import * as kplus from 'cdk8s-plus-28';
 * import { EtcdTopology, HATopology, Pki } from 'cdk8s-karmada';
 *
 * const app = new App();
 * const chart = new Chart(app, 'karmada', { namespace: 'karmada-system' });
 * new HATopology(chart, 'karmada', {
 *   etcd: EtcdTopology.stacked(),   // or EtcdTopology.external({ members: 3 }), EtcdTopology.externalEndpoints({ ... })
 *   controlPlaneNodes: 3,
 *   failureDomain: kplus.Topology.ZONE,
 *   zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
 *   pki: Pki.certManager({ certificateDuration: Duration.days(90) }),
 * });
 * app.synth();
 */
export class HATopology extends Construct {
  /** The installation's name. */
  public readonly name: string;
  /** The namespace of every object. */
  public readonly namespace: string;
  /** Where etcd runs. */
  public readonly etcdPlacement: EtcdPlacement;
  /** The control-plane nodes, in order. */
  public readonly controlPlaneNodes: KarmadaControlPlaneNode[];
  /** The etcd members run by this library, in order (none with external endpoints). */
  public readonly etcdMembers: EtcdMember[];
  /** The HA entry point to every apiserver. */
  public readonly apiServerService: kplus.Service;
  /** The in-cluster URL of the HA entry point. */
  public readonly apiServerUrl: string;
  /**
   * Every certificate the control plane mounts: what cert-manager issues, or, with `Pki.existingSecrets()`, what
   * the Secrets the user creates must hold.
   */
  public readonly certificates: CertificateDescription[];
  /** What the topology needs (hosts, zones) and which host and zone failures it survives. */
  public readonly failureTolerance: FailureToleranceReport;
  /** The objects to create inside the Karmada API, as `KarmadaApiObjects`/`KarmadaApiChart` props (caBundle left to fill). */
  public readonly karmadaApiObjects: KarmadaApiObjectsProps;

  constructor(scope: Construct, id: string, props: HATopologyProps = {}) {
    super(scope, id);
    this.name = props.name ?? Defaults.INSTANCE;
    this.namespace = resolveNamespace(this, props.namespace);
    // Every check runs before any object exists: bad input fails the synth with every problem listed.
    const plan = planHATopology(props, this.name, this.namespace);
    if (plan.errors.length > 0) {
      throw new Error(`invalid HATopology '${this.node.path}':\n- ${plan.errors.join('\n- ')}`);
    }
    plan.warnings.forEach(warning => addWarning(this, warning));
    this.etcdPlacement = plan.etcd.placement;
    this.failureTolerance = plan.failureTolerance!;

    if (props.createNamespace ?? true) {
      new kplus.k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          labels: { ...libraryLabels(), ...podSecurityNamespaceLabels() },
        },
      });
    }
    this.etcdMembers = this.addEtcd(plan, props);
    this.controlPlaneNodes = this.addControlPlaneNodes(plan, props);
    this.apiServerService = this.addEntryPoint(plan, props);
    this.apiServerUrl = serviceUrl(this.apiServerService.name, this.namespace, plan.clusterDomain, Ports.API_SERVER);
    this.addServedComponentServices(plan.components);
    const estimators = this.addSchedulerEstimators(plan, props);
    if (props.disruptionBudgets ?? true) {
      addDisruptionBudgets(new Construct(this, 'DisruptionBudgets'), {
        instance: this.name,
        namespace: this.namespace,
        etcdMembers: this.etcdMembers.length,
        controlPlaneNodes: this.controlPlaneNodes.length,
        components: this.controlPlaneNodes[0].components,
        schedulerEstimatorClusters: plan.schedulerEstimatorClusters,
        schedulerEstimatorReplicas: estimators[0]?.deployment.replicas ?? 0,
      });
    }
    this.certificates = this.addPki(plan, props);

    // The objects inside the Karmada API, and the Job that applies them.
    this.karmadaApiObjects = {
      instance: this.name,
      hostNamespace: this.namespace,
      clusterDomain: plan.clusterDomain,
      ...plan.components,
      pullModeApiEndpoint: props.pullMode?.apiServerEndpoint,
    };
    if (plan.bootstrapJob) {
      new KarmadaBootstrapJob(this, 'Bootstrap', {
        instance: this.name,
        namespace: this.namespace,
        apiServerUrl: this.apiServerUrl,
        karmadaApiObjects: this.karmadaApiObjects,
        images: props.images,
        hosts: props.controlPlaneHosts,
      });
    }
    if (plan.networkPolicies) {
      new KarmadaNetworkPolicies(this, 'NetworkPolicies', {
        instance: this.name,
        namespace: this.namespace,
        etcdPlacement: plan.etcd.placement,
        controlPlaneNodeNames: plan.controlPlaneNodeNames,
        etcdMemberNames: this.etcdMembers.map(member => member.memberName),
        externalEtcdEndpoints: plan.etcd.endpoints,
        apiServerServiceType: plan.apiServerServiceType,
        ...plan.components,
        schedulerEstimators: plan.schedulerEstimatorClusters.length > 0,
        bootstrapJob: plan.bootstrapJob,
        etcdBackup: plan.etcdBackup,
        etcdDefrag: plan.etcdDefragmentation,
        options: props.networkPolicies,
      });
    }
  }

  /** The hosts control-plane node i (and its stacked member) may run on: in zone i mod zones, when zones are given. */
  private nodeHosts(plan: HATopologyPlan, props: HATopologyProps, index: number): HostRequirements | undefined {
    if (plan.zones.length === 0) return props.controlPlaneHosts;
    return {
      ...props.controlPlaneHosts,
      nodeLabels: { ...props.controlPlaneHosts?.nodeLabels, [ZONE_LABEL]: plan.zones[index % plan.zones.length] },
    };
  }

  /** The etcd members the library runs, their client Service, and the maintenance CronJobs. */
  private addEtcd(plan: HATopologyPlan, props: HATopologyProps): EtcdMember[] {
    const stacked = plan.etcd._traits.pairsMembersWithNodes;
    const membersScope = new Construct(this, 'EtcdMembers');
    const members = plan.etcdMemberNames.map((memberName, index) => new EtcdMember(membersScope, memberName, {
      instance: this.name,
      namespace: this.namespace,
      clusterDomain: plan.clusterDomain,
      memberName,
      initialClusterMembers: plan.etcdMemberNames,
      controlPlaneNode: stacked ? plan.controlPlaneNodeNames[index] : undefined,
      avoidControlPlaneHosts: !stacked,
      failureDomain: plan.failureDomain,
      image: props.etcdImage,
      tuning: props.etcdTuning,
      storageSize: props.etcdStorageSize,
      storageClassName: props.etcdStorageClassName,
      resources: props.componentSettings?.etcd?.resources,
      priorityClassName: props.componentSettings?.etcd?.priorityClassName,
      hosts: stacked ? this.nodeHosts(plan, props, index) : props.etcdHosts,
      minZones: !stacked && plan.zones.length > 0 ? Math.min(plan.zones.length, plan.etcdMemberNames.length) : undefined,
    }));
    if (members.length === 0) return members;
    addEtcdClientService(membersScope, 'ClientService', this.name, this.namespace);
    const maintenance = {
      instance: this.name, namespace: this.namespace, clusterDomain: plan.clusterDomain, etcdImage: props.etcdImage, hosts: props.controlPlaneHosts,
    };
    if (plan.etcdBackup) {
      new EtcdBackup(this, 'EtcdBackup', {
        ...maintenance,
        schedule: props.etcdBackup?.schedule,
        retention: props.etcdBackup?.retention,
        storageSize: props.etcdBackup?.storageSize,
        storageClassName: props.etcdBackup?.storageClassName,
        existingClaimName: props.etcdBackup?.existingClaimName,
        quotaBackend: props.etcdTuning?.quotaBackend,
        images: props.images,
      });
    }
    if (plan.etcdDefragmentation) {
      new EtcdDefragmentation(this, 'EtcdDefragmentation', { ...maintenance, memberNames: plan.etcdMemberNames, schedule: props.etcdDefragmentation?.schedule });
    }
    return members;
  }

  /** The control-plane nodes, each dialling the etcd its topology says. */
  private addControlPlaneNodes(plan: HATopologyPlan, props: HATopologyProps): KarmadaControlPlaneNode[] {
    const nodesScope = new Construct(this, 'ControlPlaneNodes');
    return plan.controlPlaneNodeNames.map((nodeName, index) => new KarmadaControlPlaneNode(nodesScope, nodeName, {
      instance: this.name,
      namespace: this.namespace,
      clusterDomain: plan.clusterDomain,
      nodeName,
      ...plan.etcd._etcdOfNode(index, this.etcdMembers),
      failureDomain: plan.failureDomain,
      images: props.images,
      serviceClusterIpRange: props.serviceClusterIpRange,
      hosts: this.nodeHosts(plan, props, index),
      ...plan.components,
      schedulerEstimatorClusters: plan.schedulerEstimatorClusters,
      pullMode: props.pullMode !== undefined,
      componentSettings: props.componentSettings,
      leaderElection: props.leaderElection,
    }));
  }

  /** The HA entry point: one Service in front of every node's apiserver. */
  private addEntryPoint(plan: HATopologyPlan, props: HATopologyProps): kplus.Service {
    const apiServerSelector = componentSelector(this.name, Component.API_SERVER);
    return new kplus.Service(this, 'ApiServerService', {
      metadata: {
        name: hostServiceName(this.name, Component.API_SERVER),
        namespace: this.namespace,
        labels: apiServerSelector,
        annotations: props.apiServerService?.annotations,
      },
      type: plan.apiServerServiceType,
      loadBalancerSourceRanges: props.apiServerService?.loadBalancerSourceRanges,
      selector: kplus.Pods.select(this, 'ApiServerPods', { labels: apiServerSelector }),
      ports: [{
        name: 'https',
        port: Ports.API_SERVER,
        targetPort: Ports.API_SERVER,
        nodePort: props.apiServerService?.nodePort,
      }],
    });
  }

  /** One scheduler estimator per member cluster named. */
  private addSchedulerEstimators(plan: HATopologyPlan, props: HATopologyProps): KarmadaSchedulerEstimator[] {
    const estimatorsScope = new Construct(this, 'SchedulerEstimators');
    return plan.schedulerEstimatorClusters.map(memberClusterName => new KarmadaSchedulerEstimator(estimatorsScope, memberClusterName, {
      memberClusterName,
      instance: this.name,
      namespace: this.namespace,
      image: props.images?.schedulerEstimator,
      hosts: props.controlPlaneHosts,
      resources: props.componentSettings?.schedulerEstimator?.resources,
      priorityClassName: props.componentSettings?.schedulerEstimator?.priorityClassName,
    }));
  }

  /** Every certificate, from one plan: issued by cert-manager, or described for the user's own Secrets. */
  private addPki(plan: HATopologyPlan, props: HATopologyProps): CertificateDescription[] {
    const certificates = planPki({
      instance: this.name,
      namespace: this.namespace,
      clusterDomain: plan.clusterDomain,
      controlPlaneNodeNames: plan.controlPlaneNodeNames,
      etcdMemberNames: plan.etcdMemberNames,
      etcdBackup: plan.etcdBackup,
      etcdDefragmentation: plan.etcdDefragmentation,
      ...plan.components,
      schedulerEstimatorClusters: plan.schedulerEstimatorClusters,
      apiServerDnsNames: props.apiServerService?.externalDnsNames ?? [],
      apiServerIpAddresses: props.apiServerService?.externalIpAddresses ?? [],
      pullModeApiServerEndpoint: props.pullMode?.apiServerEndpoint,
      kubernetesServiceIp: firstServiceIp((props.serviceClusterIpRange ?? Defaults.SERVICE_CLUSTER_IP_RANGE).split(',')[0]),
    });
    const certManager = plan.pki._issuedByCertManager;
    if (certManager) {
      addCertManagerPki(new Construct(this, 'Pki'), { instance: this.name, namespace: this.namespace, certificates, options: certManager });
    }
    return describeCertificates(certificates, certManager ? userIssuers(certManager) : {});
  }

  /**
   * The Services karmada-apiserver reaches the other servers through (443 to 8443): any node's instance will do. A
   * component that must be reached before it is ready (karmada-search: see its file) has its not-ready addresses
   * published.
   */
  private addServedComponentServices(components: KarmadaComponents): void {
    const servedComponents = runningComponents(components).filter(component => component.serving !== undefined && component.serving !== 'apiserver');
    for (const { name: component, publishNotReadyAddresses } of servedComponents) {
      const selector = componentSelector(this.name, component);
      new kplus.Service(this, `${component}-service`, {
        metadata: { name: hostServiceName(this.name, component), namespace: this.namespace, labels: selector },
        selector: kplus.Pods.select(this, `${component}-pods`, { labels: selector }),
        ports: [{ name: 'https', port: Ports.SERVED_COMPONENT_SERVICE, targetPort: Ports.EXTENSION_SERVER }],
        ...(publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      });
    }
  }
}
