import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ControlPlaneComponentSettings } from '../component-settings';
import { ComponentSpec, ControlPlaneNodeContext, KUBECONFIG_MOUNT, kubeconfigKey } from '../components/component-spec';
import { CONTROL_PLANE_COMPONENTS, runningComponents } from '../components/registry';
import { HostRequirements } from '../host-requirements';
import { KarmadaImages } from '../images';
import { InstallationProps, Defaults, resolveInstallation } from '../installation';
import { KarmadaComponents } from '../karmada-components';
import { EtcdMember } from './etcd-member';
import { LeaderElectionOptions, checkLeaderElection, resolveLeaderElection } from '../leader-election';
import { serviceUrl } from '../private/dns';
import { applyHostRequirements } from '../private/host-placement';
import { resolveImages } from '../private/image-defaults';
import { fileKubeconfig } from '../private/kubeconfig';
import {
  Component, MAX_CONTROL_PLANE_NODE_NAME_LENGTH as MAX_NODE_NAME_LENGTH, Ports, SecretNames, nodeApiServerServiceName,
  schedulerEstimatorServicePrefix, schedulerEstimatorServiceName, shortName,
} from '../private/names';
import { WORKLOAD_CONTAINER_PROPS, WORKLOAD_POD_PROPS, mountSecret, shapeWorkload } from '../private/pod-defaults';
import { checkComponentSettings, resolvePriorityClassName, settingsOf } from '../private/resources-and-priority';
import {
  controlPlaneComponentSelector, controlPlanePodLabels, selectAllEtcdMembers, selectControlPlaneNode,
  selectOtherControlPlaneNodes,
} from '../private/selectors';
import {
  checkDnsDomain, checkEtcdEndpoint, checkHostRequirements, checkImages, checkInstanceName, checkKeyPrefix, checkNamespace, checkObjectName,
  checkSecretName, checkServiceClusterIpRange, checkTopologyKey, checkUnique,
} from '../private/validation';

/** The longest control-plane node name: it prefixes object names such as `<node>-controller-manager`. */
export const MAX_CONTROL_PLANE_NODE_NAME_LENGTH = MAX_NODE_NAME_LENGTH;

/**
 * Props of one control-plane node.
 */
export interface KarmadaControlPlaneNodeProps extends InstallationProps, KarmadaComponents {
  /**
   * The node's name: the value of its pods' `karmada.io/control-plane-node` label and the prefix of its objects.
   * A DNS-1123 label of at most 40 characters.
   */
  readonly nodeName: string;
  /**
   * Stacked topology: the etcd member on this node's host. The apiserver talks only to this member, and every pod
   * of the node is required to share its host. The member must have been created with `controlPlaneNode` set to
   * this node's name, and with this node's `instance` and namespace.
   * @default - not stacked: give `etcdServers`
   */
  readonly localEtcdMember?: EtcdMember;
  /**
   * External topology: the https client URLs of every etcd member, all of which the apiserver dials.
   * @default - stacked: the local member's client URL
   */
  readonly etcdServers?: string[];
  /**
   * The etcd key prefix karmada-apiserver stores its objects under.
   * @default '/registry'
   */
  readonly etcdKeyPrefix?: string;
  /**
   * Container images.
   * @default - the images of Karmada v1.18.2 and Kubernetes v1.35.4
   */
  readonly images?: KarmadaImages;
  /**
   * External endpoints: the Secret with the client certificate every etcd client of this node presents
   * (karmada-apiserver, karmada-aggregated-apiserver, karmada-search): keys `tls.crt`, `tls.key`, `ca.crt`.
   * @default - each client's own Secret, `<instance>-<component>-etcd-client-cert`, issued by the etcd CA
   */
  readonly etcdClientCertificateSecret?: string;
  /**
   * Serve pull-mode member clusters: kube-controller-manager signs karmada-agent client certificates with the
   * Karmada CA, whose key it then mounts (Secret `<instance>-ca`).
   * @default false
   */
  readonly pullMode?: boolean;
  /**
   * The failure domain no two control-plane nodes may share.
   * @default kplus.Topology.HOSTNAME
   */
  readonly failureDomain?: kplus.Topology;
  /**
   * External topology: keep this node's pods off every host that runs an etcd member of the installation.
   * @default false
   */
  readonly avoidEtcdHosts?: boolean;
  /**
   * Which hosts may run this node's pods.
   * @default - any host
   */
  readonly hosts?: HostRequirements;
  /**
   * The Service IP range of the Karmada API (`--service-cluster-ip-range`).
   * @default '10.96.0.0/12'
   */
  readonly serviceClusterIpRange?: string;
  /**
   * Lease, renew and retry timing of karmada-controller-manager, karmada-scheduler, karmada-descheduler and
   * kube-controller-manager.
   * @default - 15 s lease, 10 s renew deadline, 2 s retry period (the Kubernetes defaults)
   */
  readonly leaderElection?: LeaderElectionOptions;
  /**
   * Resources and PriorityClass per component (the `etcd` and `schedulerEstimator` fields are not used here).
   * On some managed clusters (GKE), pods with `system-node-critical` or `system-cluster-critical` outside
   * `kube-system` need a ResourceQuota in their namespace that allows those classes.
   * @default - each component's default resources; `system-node-critical` for karmada-apiserver,
   * `system-cluster-critical` for the others
   */
  readonly componentSettings?: ControlPlaneComponentSettings;
}

/**
 * One control-plane node: karmada-apiserver, karmada-aggregated-apiserver, kube-controller-manager,
 * karmada-controller-manager, karmada-scheduler and karmada-webhook (plus, when switched on, karmada-descheduler,
 * karmada-search and karmada-metrics-adapter), each a single-replica Deployment, all required to share one host
 * (and, when stacked, the host of their etcd member). Every component talks to this node's apiserver through its
 * own Service; the etcd clients (apiserver, aggregated apiserver, search) dial the local member when stacked.
 *
 * @example
 * // Stacked: the node shares its host with its own etcd member.
 * const member = new EtcdMember(chart, 'etcd-0', {
 *   memberName: 'karmada-etcd-0',
 *   initialClusterMembers: ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'],
 *   controlPlaneNode: 'karmada-cp-0',
 * });
 * new KarmadaControlPlaneNode(chart, 'cp-0', { nodeName: 'karmada-cp-0', localEtcdMember: member, search: true });
 */
export class KarmadaControlPlaneNode extends Construct {
  /** The node's name. */
  public readonly nodeName: string;
  /** The namespace of its objects. */
  public readonly namespace: string;
  /** The etcd client URLs this node's apiserver dials. */
  public readonly etcdServers: string[];
  /** The URL of this node's own apiserver. */
  public readonly apiServerUrl: string;
  /** This node's apiserver Service. */
  public readonly apiServerService: kplus.Service;
  /** The components this node runs, e.g. `karmada-apiserver`. */
  public get components(): string[] {
    return Object.keys(this.deployments);
  }
  /** The node's Deployments, by component name. */
  private readonly deployments: Record<string, kplus.Deployment> = {};
  /** Per-component resources and priority. */
  private readonly componentSettings: ControlPlaneComponentSettings;

  constructor(scope: Construct, id: string, props: KarmadaControlPlaneNodeProps) {
    super(scope, id);
    const { instance, namespace, clusterDomain } = resolveInstallation(this, props);
    const failureDomain = props.failureDomain ?? kplus.Topology.HOSTNAME;
    this.nodeName = props.nodeName;
    this.namespace = namespace;
    this.etcdServers = resolveEtcdServers(props, instance, this.namespace, clusterDomain, failureDomain.key);
    this.componentSettings = props.componentSettings ?? {};

    const apiServerServiceName = nodeApiServerServiceName(this.nodeName);
    this.apiServerUrl = serviceUrl(apiServerServiceName, this.namespace, clusterDomain, Ports.API_SERVER);
    const context: ControlPlaneNodeContext = {
      instance,
      namespace: this.namespace,
      clusterDomain,
      nodeName: this.nodeName,
      etcdServers: this.etcdServers,
      etcdKeyPrefix: props.etcdKeyPrefix ?? Defaults.ETCD_KEY_PREFIX,
      serviceClusterIpRange: props.serviceClusterIpRange ?? Defaults.SERVICE_CLUSTER_IP_RANGE,
      images: resolveImages(props.images),
      etcdClientSecret: component => props.etcdClientCertificateSecret ?? SecretNames.etcdClient(instance, component),
      pullMode: props.pullMode ?? false,
      schedulerEstimatorServicePrefix: (props.schedulerEstimatorClusters ?? []).length > 0 ? schedulerEstimatorServicePrefix(instance) : undefined,
      leaderElection: resolveLeaderElection(props.leaderElection),
    };
    const components = runningComponents(props).map(component => component.render(context));

    const kubeconfigs = new kplus.ConfigMap(this, 'Kubeconfigs', {
      metadata: { name: `${this.nodeName}-kubeconfigs`, namespace: this.namespace },
      data: Object.fromEntries(components.filter(spec => spec.kubeconfig).map(spec =>
        [kubeconfigKey(spec.component), fileKubeconfig(this.apiServerUrl, spec.component, spec.kubeconfig!.clientCertificateMountPath)])),
    });

    for (const spec of components) {
      const deployment = this.addComponent(spec, context, kubeconfigs);
      deployment.scheduling.colocate(selectControlPlaneNode(deployment, 'OwnNode', instance, this.nodeName), { topology: kplus.Topology.HOSTNAME });
      deployment.scheduling.separate(selectOtherControlPlaneNodes(deployment, 'OtherNodes', instance, this.nodeName), { topology: failureDomain });
      applyHostRequirements(deployment, props.hosts);
      if (props.avoidEtcdHosts) {
        deployment.scheduling.separate(selectAllEtcdMembers(deployment, 'EtcdHosts', instance), { topology: kplus.Topology.HOSTNAME });
      }
    }

    const apiServerSelector = controlPlaneComponentSelector(instance, Component.API_SERVER, this.nodeName);
    this.apiServerService = new kplus.Service(this, 'ApiServerService', {
      metadata: { name: apiServerServiceName, namespace: this.namespace, labels: apiServerSelector },
      selector: kplus.Pods.select(this, 'ApiServerPods', { labels: apiServerSelector }),
      ports: [{ name: 'https', port: Ports.API_SERVER, targetPort: Ports.API_SERVER }],
    });
  }

  /** The Deployment that runs `component` on this node, e.g. `karmada-apiserver`. */
  public deploymentOf(component: string): kplus.Deployment {
    const deployment = this.deployments[component];
    if (!deployment) {
      throw new Error(`control-plane node '${this.nodeName}' runs no component '${component}': it runs ${Object.keys(this.deployments).join(', ')}`);
    }
    return deployment;
  }

  private addComponent(spec: ComponentSpec, context: ControlPlaneNodeContext, kubeconfigs: kplus.ConfigMap): kplus.Deployment {
    const selector = controlPlaneComponentSelector(context.instance, spec.component, context.nodeName);
    const deployment = new kplus.Deployment(this, spec.component, {
      metadata: {
        name: `${context.nodeName}-${shortName(spec.component)}`,
        namespace: context.namespace,
        labels: selector,
      },
      podMetadata: { labels: controlPlanePodLabels(context.instance, spec.component, context.nodeName) },
      ...WORKLOAD_POD_PROPS,
      replicas: 1,
      // The replacement pod starts beside its predecessor: same host (own node's affinity), and the anti-affinity
      // only repels *other* nodes' pods, so the surge pod is always schedulable.
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
    });
    const settings = settingsOf(this.componentSettings, spec.component);
    shapeWorkload(deployment, selector, resolvePriorityClassName(spec.component, settings?.priorityClassName));
    const container = deployment.addContainer({
      ...WORKLOAD_CONTAINER_PROPS,
      name: spec.component,
      image: spec.image,
      command: spec.command,
      args: spec.args,
      ports: spec.ports,
      startup: spec.startup,
      readiness: spec.readiness,
      liveness: spec.liveness,
      resources: settings?.resources ?? spec.resources,
    });
    for (const mount of spec.secretMounts) {
      mountSecret(deployment, mount.id, container, mount.secretName, mount.mountPath, mount.items);
    }
    (spec.scratchDirectories ?? []).forEach((directory, index) => {
      container.mount(directory, kplus.Volume.fromEmptyDir(deployment, `scratch-${index}`, `scratch-${index}`));
    });
    if (spec.kubeconfig) {
      container.mount(KUBECONFIG_MOUNT, kplus.Volume.fromConfigMap(deployment, 'kubeconfig', kubeconfigs, {
        name: 'kubeconfig',
        items: { [kubeconfigKey(spec.component)]: { path: kubeconfigKey(spec.component) } },
      }), { readOnly: true });
    }
    this.deployments[spec.component] = deployment;
    return deployment;
  }
}

/** The components whose settings a control-plane node applies. */
const CONTROL_PLANE_SETTINGS_COMPONENTS = CONTROL_PLANE_COMPONENTS.map(component => component.name);

/**
 * The etcd servers of a node: its local member's, or the ones given; exactly one of the two. Every other prop is
 * checked here too, so that all problems are listed at once.
 */
function resolveEtcdServers(props: KarmadaControlPlaneNodeProps, instance: string, namespace: string, clusterDomain: string,
  failureDomainKey: string): string[] {
  const errors = checkObjectName('nodeName', props.nodeName, MAX_CONTROL_PLANE_NODE_NAME_LENGTH, 'karmada-cp-0');
  if (props.instance !== undefined) errors.push(...checkInstanceName('instance', props.instance));
  if (props.namespace !== undefined) errors.push(...checkNamespace('namespace', props.namespace));
  errors.push(...checkDnsDomain('clusterDomain', clusterDomain));
  errors.push(...checkImages('images', props.images));
  if (props.etcdClientCertificateSecret !== undefined) errors.push(...checkSecretName('etcdClientCertificateSecret', props.etcdClientCertificateSecret));
  const clusters = props.schedulerEstimatorClusters ?? [];
  clusters.forEach((cluster, index) => errors.push(...checkObjectName(`schedulerEstimatorClusters[${index}]`, cluster,
    63 - schedulerEstimatorServiceName(instance, cluster).length + cluster.length, 'member-1')));
  errors.push(...checkUnique('schedulerEstimatorClusters', clusters, 'member cluster'));
  errors.push(...checkTopologyKey('failureDomain', failureDomainKey));
  errors.push(...checkHostRequirements('hosts', props.hosts));
  errors.push(...checkServiceClusterIpRange(props.serviceClusterIpRange));
  errors.push(...checkLeaderElection(resolveLeaderElection(props.leaderElection)));
  errors.push(...checkComponentSettings('componentSettings', props.componentSettings, CONTROL_PLANE_SETTINGS_COMPONENTS).errors);
  if (props.localEtcdMember && props.etcdServers) {
    errors.push(`control-plane node '${props.nodeName}' has both localEtcdMember and etcdServers: give localEtcdMember for the stacked topology or etcdServers for the external one`);
  } else if (props.localEtcdMember) {
    const member = props.localEtcdMember;
    if (member.controlPlaneNode !== props.nodeName) {
      errors.push(`localEtcdMember '${member.memberName}' is not stacked with control-plane node '${props.nodeName}': create it with controlPlaneNode: '${props.nodeName}'`);
    }
    if (member.instance !== instance) {
      errors.push(`localEtcdMember '${member.memberName}' belongs to instance '${member.instance}' but control-plane node '${props.nodeName}' to instance '${instance}': each finds the other by its instance label, so they would not be kept on one host; give both the same instance`);
    }
    if (props.avoidEtcdHosts) {
      errors.push(`avoidEtcdHosts is set on control-plane node '${props.nodeName}', which has a localEtcdMember: its pods would have to share the member's host and keep off it, and would stay Pending; drop avoidEtcdHosts (stacked) or localEtcdMember (external)`);
    }
    if (member.namespace !== namespace) {
      errors.push(`localEtcdMember '${member.memberName}' is in namespace '${member.namespace}' but control-plane node '${props.nodeName}' in '${namespace}': pod affinity only sees pods of its own namespace, so they would not be kept on one host; put both in one namespace`);
    }
  } else if (!props.etcdServers || props.etcdServers.length === 0) {
    errors.push(`control-plane node '${props.nodeName}' has no etcd: give localEtcdMember (stacked) or etcdServers (external)`);
  } else {
    props.etcdServers.forEach((url, index) => errors.push(...checkEtcdEndpoint(`etcdServers[${index}]`, url)));
    errors.push(...checkUnique('etcdServers', props.etcdServers, 'etcd server', 'list every etcd server once'));
  }
  if (props.etcdKeyPrefix !== undefined) errors.push(...checkKeyPrefix('etcdKeyPrefix', props.etcdKeyPrefix));
  if (errors.length > 0) {
    throw new Error(errors.join('\n'));
  }
  return props.localEtcdMember ? [props.localEtcdMember.clientUrl] : [...props.etcdServers!];
}
