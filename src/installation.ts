import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * Which installation a construct belongs to, and where its objects go: the props every construct of an installation
 * shares. Give every construct of one installation the same values (or none: the defaults agree).
 */
export interface InstallationScopeProps {
  /**
   * The installation's name: label `app.kubernetes.io/instance`, which every selector of the installation matches,
   * and the prefix of its objects' names.
   * @default 'karmada'
   */
  readonly instance?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace, or `karmada-system` when the chart has none
   */
  readonly namespace?: string;
}

/** An installation's scope and the host cluster's DNS domain, for the constructs that build in-cluster URLs. */
export interface InstallationProps extends InstallationScopeProps {
  /**
   * The host cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

// How the library resolves them (not exported from the package's index).

/** The defaults of the props an installation's constructs share, each written once. */
export const Defaults = {
  /** The installation's name (`instance`; `HATopology`'s `name`). */
  INSTANCE: 'karmada',
  /** The namespace used when neither the props nor the chart name one. */
  NAMESPACE: 'karmada-system',
  /** The host cluster's DNS domain. */
  CLUSTER_DOMAIN: 'cluster.local',
  /** The Service IP range of the Karmada API. */
  SERVICE_CLUSTER_IP_RANGE: '10.96.0.0/12',
  /** The key prefix karmada-apiserver stores its objects under in an etcd the library runs. */
  ETCD_KEY_PREFIX: '/registry',
  /** ... and in an etcd outside the cluster, which others may share. */
  EXTERNAL_ETCD_KEY_PREFIX: '/registry/karmada',
} as const;

/** An installation's shared props, resolved. */
export interface ResolvedInstallation {
  readonly instance: string;
  readonly namespace: string;
  readonly clusterDomain: string;
}

/** The namespace a construct's objects go to: the props', else the chart's, else `karmada-system`. */
export function resolveNamespace(scope: Construct, namespace: string | undefined): string {
  return namespace ?? Chart.of(scope).namespace ?? Defaults.NAMESPACE;
}

/** The shared props of a construct, with their defaults. */
export function resolveInstallation(scope: Construct, props: InstallationProps): ResolvedInstallation {
  return {
    instance: props.instance ?? Defaults.INSTANCE,
    namespace: resolveNamespace(scope, props.namespace),
    clusterDomain: props.clusterDomain ?? Defaults.CLUSTER_DOMAIN,
  };
}
