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
