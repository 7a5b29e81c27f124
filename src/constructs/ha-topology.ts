import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ControlPlaneCertificates } from '../certificates';
import { API_SERVER, API_SERVER_PORT } from '../components/karmada-apiserver';
import { EtcdPlacement, EtcdTopology } from '../etcd-topology';
import { EtcdTuning } from '../etcd-tuning';
import { HostRequirements } from '../host-requirements';
import { KarmadaImages } from '../images';
import { EtcdMember } from './etcd-member';
import { KarmadaControlPlaneNode } from './karmada-control-plane-node';
import { serviceHostName } from '../private/dns';
import { DEFAULT_ETCD_STORAGE_SIZE, resolveEtcdTuning } from '../private/etcd-tuning';
import { resolveNamespace } from '../private/scope';
import { componentSelector } from '../private/selectors';
import { planHATopology } from '../private/topology-plan';
import { addWarning } from '../private/warnings';

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
   * The zones of the host cluster's nodes, when known. Used to check that the topology can be placed and to warn
   * when it is fragile (fewer than 3 zones).
   * @default - unknown: no zone checks
   */
  readonly zones?: string[];
  /**
   * The HA entry point to every apiserver.
   * @default - a ClusterIP Service `<name>-apiserver` on port 5443
   */
  readonly apiServerService?: ApiServerServiceOptions;
  /**
   * Control-plane images.
   * @default - the images of Karmada v1.18.2 and Kubernetes v1.35.2
   */
  readonly images?: KarmadaImages;
  /**
   * The etcd image, when etcd runs in the cluster. The synthesized flags are those of etcd 3.6.
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
   * The Secrets with the control plane's certificates and keys.
   * @default - the documented default name of each Secret
   */
  readonly certificates?: ControlPlaneCertificates;
  /**
   * The Service IP range of the Karmada API.
   * @default '10.96.0.0/12'
   */
  readonly serviceClusterIpRange?: string;
}

/**
 * A highly available Karmada control plane in the stacked or the external etcd topology.
 *
 * Stacked: N control-plane nodes, each with an etcd member on its host that only its apiserver talks to.
 * External: N control-plane nodes and M etcd members on other hosts; every apiserver talks to every member. Or
 * N control-plane nodes against an etcd outside the cluster. No two control-plane nodes and no two etcd members
 * share a failure domain; external members never share a host with a control-plane node. One Service is the HA
 * entry point to every apiserver. Every input is checked before any object is created.
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

  constructor(scope: Construct, id: string, props: HATopologyProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'karmada';
    this.namespace = resolveNamespace(this, props.namespace);
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const etcd = props.etcd ?? EtcdTopology.stacked();
    const failureDomain = props.failureDomain ?? kplus.Topology.HOSTNAME;
    const apiServerServiceType = props.apiServerService?.type ?? kplus.ServiceType.CLUSTER_IP;
    this.etcdPlacement = etcd.placement;

    // Every check runs before any object exists: bad input fails the synth with every problem listed.
    const plan = planHATopology({
      name: this.name,
      namespace: this.namespace,
      clusterDomain,
      etcd,
      controlPlaneNodes: props.controlPlaneNodes,
      controlPlaneNodeNames: props.controlPlaneNodeNames,
      failureDomainKey: failureDomain.key,
      zones: props.zones,
      apiServerServiceType,
      apiServerNodePort: props.apiServerService?.nodePort,
      apiServerSourceRanges: props.apiServerService?.loadBalancerSourceRanges,
      etcdTuning: resolveEtcdTuning(props.etcdTuning),
      etcdStorageBytes: (props.etcdStorageSize ?? DEFAULT_ETCD_STORAGE_SIZE).toMebibytes() * 1024 * 1024,
      controlPlaneHostLabels: props.controlPlaneHosts?.nodeLabels,
      etcdHostLabels: props.etcdHosts?.nodeLabels,
      etcdHostsGiven: props.etcdHosts !== undefined,
      serviceClusterIpRange: props.serviceClusterIpRange,
      apiServerEtcdClientSecret: props.certificates?.apiServerEtcdClient,
    });
    if (plan.errors.length > 0) {
      throw new Error(`invalid HATopology '${this.node.path}':\n- ${plan.errors.join('\n- ')}`);
    }
    plan.warnings.forEach(warning => addWarning(this, warning));

    const stacked = etcd.placement === EtcdPlacement.STACKED;
    const common = { instance: this.name, namespace: this.namespace, clusterDomain };
    const membersScope = new Construct(this, 'EtcdMembers');
    this.etcdMembers = plan.etcdMemberNames.map((memberName, index) => new EtcdMember(membersScope, memberName, {
      ...common,
      memberName,
      initialClusterMembers: plan.etcdMemberNames,
      controlPlaneNode: stacked ? plan.controlPlaneNodeNames[index] : undefined,
      avoidControlPlaneHosts: !stacked,
      failureDomain,
      image: props.etcdImage,
      tuning: props.etcdTuning,
      storageSize: props.etcdStorageSize,
      storageClassName: props.etcdStorageClassName,
      hosts: stacked ? props.controlPlaneHosts : props.etcdHosts,
    }));

    const externalEtcd = etcd.placement === EtcdPlacement.EXTERNAL_ENDPOINTS;
    const nodesScope = new Construct(this, 'ControlPlaneNodes');
    this.controlPlaneNodes = plan.controlPlaneNodeNames.map((nodeName, index) => new KarmadaControlPlaneNode(nodesScope, nodeName, {
      ...common,
      nodeName,
      localEtcdMember: stacked ? this.etcdMembers[index] : undefined,
      etcdServers: stacked ? undefined : (externalEtcd ? etcd.endpoints : this.etcdMembers.map(member => member.clientUrl)),
      etcdKeyPrefix: externalEtcd ? etcd.keyPrefix : undefined,
      avoidEtcdHosts: etcd.placement === EtcdPlacement.EXTERNAL,
      failureDomain,
      images: props.images,
      certificates: externalEtcd ? { ...props.certificates, apiServerEtcdClient: etcd.clientCertificateSecret } : props.certificates,
      serviceClusterIpRange: props.serviceClusterIpRange,
      hosts: props.controlPlaneHosts,
    }));

    const serviceName = `${this.name}-apiserver`;
    this.apiServerUrl = `https://${serviceHostName(serviceName, this.namespace, clusterDomain)}:${API_SERVER_PORT}`;
    const apiServerSelector = componentSelector(this.name, API_SERVER);
    this.apiServerService = new kplus.Service(this, 'ApiServerService', {
      metadata: {
        name: serviceName,
        namespace: this.namespace,
        labels: apiServerSelector,
        annotations: props.apiServerService?.annotations,
      },
      type: apiServerServiceType,
      loadBalancerSourceRanges: props.apiServerService?.loadBalancerSourceRanges,
      selector: kplus.Pods.select(this, 'ApiServerPods', { labels: apiServerSelector }),
      ports: [{
        name: 'https',
        port: API_SERVER_PORT,
        targetPort: API_SERVER_PORT,
        nodePort: props.apiServerService?.nodePort,
      }],
    });
  }
}
