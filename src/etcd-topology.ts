import type { EtcdMember } from './constructs/etcd-member';
import type { KarmadaControlPlaneNodeProps } from './constructs/karmada-control-plane-node';
import { Defaults } from './installation';

/** Where etcd runs relative to the control plane. */
export enum EtcdPlacement {
  /** One member on each control-plane node's host; each apiserver talks only to its own member. */
  STACKED = 'stacked',
  /** Members on hosts of their own, apart from the control-plane hosts; every apiserver talks to every member. */
  EXTERNAL = 'external',
  /** An etcd outside the cluster, given as endpoints; every apiserver talks to every endpoint. */
  EXTERNAL_ENDPOINTS = 'external-endpoints',
}

/**
 * What a placement means to the rest of the library. Every question whose answer depends on where etcd runs is
 * answered here, so that no other file tells the placements apart.
 * @internal
 */
export interface EtcdPlacementTraits {
  /** The library runs the members (backups, defragmentation, peer TLS and the etcd CA come with them). */
  readonly runsMembers: boolean;
  /** Member i runs on the host of control-plane node i, and only that node's etcd clients dial it. */
  readonly pairsMembersWithNodes: boolean;
  /** The members need hosts of their own, apart from every control-plane node's. */
  readonly membersOnOwnHosts: boolean;
  /** The placement as `EtcdPlacement` spells it, for messages. */
  readonly enumName: string;
  /** The topology in a few words, e.g. `stacked etcd, 3 control-plane nodes each with its etcd member`. */
  readonly describe: (controlPlaneNodes: string, etcdMembers: string) => string;
}

const PLACEMENT_TRAITS: Record<EtcdPlacement, EtcdPlacementTraits> = {
  [EtcdPlacement.STACKED]: {
    runsMembers: true,
    pairsMembersWithNodes: true,
    membersOnOwnHosts: false,
    enumName: 'STACKED',
    describe: nodes => `stacked etcd, ${nodes} each with its etcd member`,
  },
  [EtcdPlacement.EXTERNAL]: {
    runsMembers: true,
    pairsMembersWithNodes: false,
    membersOnOwnHosts: true,
    enumName: 'EXTERNAL',
    describe: (nodes, members) => `external etcd, ${nodes} and ${members}`,
  },
  [EtcdPlacement.EXTERNAL_ENDPOINTS]: {
    runsMembers: false,
    pairsMembersWithNodes: false,
    membersOnOwnHosts: false,
    enumName: 'EXTERNAL_ENDPOINTS',
    describe: nodes => `etcd outside the cluster, ${nodes}`,
  },
};

/**
 * The props of a control-plane node that say which etcd it dials.
 * @internal
 */
export type NodeEtcdProps = Pick<KarmadaControlPlaneNodeProps,
'localEtcdMember' | 'etcdServers' | 'etcdKeyPrefix' | 'etcdClientCertificateSecret' | 'avoidEtcdHosts'>;

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
      keyPrefix: options.keyPrefix ?? Defaults.EXTERNAL_ETCD_KEY_PREFIX,
    });
  }

  /**
   * What a placement means to the rest of the library.
   * @internal
   */
  public static _traitsOf(placement: EtcdPlacement): EtcdPlacementTraits {
    return PLACEMENT_TRAITS[placement];
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

  /**
   * What this topology's placement means to the rest of the library.
   * @internal
   */
  public get _traits(): EtcdPlacementTraits {
    return PLACEMENT_TRAITS[this.placement];
  }

  /**
   * The etcd that control-plane node `index` dials: its own member (stacked), every member run by the library
   * (external), or the etcd outside the cluster with its key prefix and client certificate.
   * @internal
   */
  public _etcdOfNode(index: number, members: EtcdMember[]): NodeEtcdProps {
    switch (this.placement) {
      case EtcdPlacement.STACKED:
        return { localEtcdMember: members[index], avoidEtcdHosts: false };
      case EtcdPlacement.EXTERNAL:
        return { etcdServers: members.map(member => member.clientUrl), avoidEtcdHosts: true };
      case EtcdPlacement.EXTERNAL_ENDPOINTS:
        return {
          etcdServers: this.endpoints,
          etcdKeyPrefix: this.keyPrefix,
          etcdClientCertificateSecret: this.clientCertificateSecret,
          avoidEtcdHosts: false,
        };
    }
  }
}
