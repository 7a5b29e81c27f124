/** Where etcd runs relative to the control plane. */
export enum EtcdPlacement {
  /** One member on each control-plane node's host; each apiserver talks only to its own member. */
  STACKED = 'stacked',
  /** Members on hosts of their own, apart from the control-plane hosts; every apiserver talks to every member. */
  EXTERNAL = 'external',
  /** An etcd outside the cluster, given as endpoints; every apiserver talks to every endpoint. */
  EXTERNAL_ENDPOINTS = 'external-endpoints',
}

/** Options of the stacked etcd topology. */
export interface StackedEtcdOptions {
  /**
   * Member names, one per control-plane node, in the order of the nodes.
   * @default - `<name>-etcd-<i>` for i = 0..controlPlaneNodes-1
   */
  readonly memberNames?: string[];
}

/** Options of an external etcd cluster run by this library on hosts of its own. */
export interface ExternalEtcdOptions {
  /**
   * How many voting members. Odd counts tolerate as many failures as the next even count, with fewer writes.
   * @default 3
   */
  readonly members?: number;
  /**
   * Member names.
   * @default - `<name>-etcd-<i>` for i = 0..members-1
   */
  readonly memberNames?: string[];
}

/** Options of an etcd that lives outside the host cluster. */
export interface ExternalEtcdEndpointsOptions {
  /** The etcd client URLs, each `https://<host>:<port>`. */
  readonly endpoints: string[];
  /**
   * The Secret with the client certificate every etcd client of the control plane presents to that etcd
   * (karmada-apiserver, karmada-aggregated-apiserver, and karmada-search when on): keys `tls.crt`, `tls.key` and
   * `ca.crt` (the CA that signed the etcd servers' certificates).
   */
  readonly clientCertificateSecret: string;
  /**
   * The key prefix karmada-apiserver stores its objects under. Keep it apart from any other user of that etcd.
   * @default '/registry/karmada'
   */
  readonly keyPrefix?: string;
}

/** Everything an EtcdTopology records. */
interface EtcdTopologyFields {
  readonly placement: EtcdPlacement;
  readonly members?: number;
  readonly memberNames?: string[];
  readonly endpoints?: string[];
  readonly clientCertificateSecret?: string;
  readonly keyPrefix?: string;
}

/**
 * The etcd topology of an HA Karmada control plane: stacked, external members, or external endpoints.
 */
export class EtcdTopology {
  /** Stacked etcd: one member beside each control-plane node, talking only to that node's apiserver. */
  public static stacked(options: StackedEtcdOptions = {}): EtcdTopology {
    return new EtcdTopology({ placement: EtcdPlacement.STACKED, memberNames: options.memberNames });
  }

  /** External etcd: members on hosts apart from every control-plane host; every apiserver talks to every member. */
  public static external(options: ExternalEtcdOptions = {}): EtcdTopology {
    return new EtcdTopology({ placement: EtcdPlacement.EXTERNAL, members: options.members, memberNames: options.memberNames });
  }

  /** An etcd outside the cluster, reached over TLS with a client certificate. */
  public static externalEndpoints(options: ExternalEtcdEndpointsOptions): EtcdTopology {
    return new EtcdTopology({
      placement: EtcdPlacement.EXTERNAL_ENDPOINTS,
      endpoints: [...options.endpoints],
      clientCertificateSecret: options.clientCertificateSecret,
      keyPrefix: options.keyPrefix ?? '/registry/karmada',
    });
  }

  /** Where etcd runs. */
  public readonly placement: EtcdPlacement;
  /** External members: how many, when given. */
  public readonly members?: number;
  /** Member names, when given. */
  public readonly memberNames?: string[];
  /** External endpoints: the client URLs. */
  public readonly endpoints?: string[];
  /** External endpoints: the Secret with the etcd clients' certificate. */
  public readonly clientCertificateSecret?: string;
  /** External endpoints: the key prefix. */
  public readonly keyPrefix?: string;

  private constructor(fields: EtcdTopologyFields) {
    this.placement = fields.placement;
    this.members = fields.members;
    this.memberNames = fields.memberNames;
    this.endpoints = fields.endpoints;
    this.clientCertificateSecret = fields.clientCertificateSecret;
    this.keyPrefix = fields.keyPrefix;
  }
}
