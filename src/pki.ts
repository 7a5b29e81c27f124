import { Duration } from 'cdk8s';

/** The kind of a cert-manager issuer. */
export enum IssuerKind {
  /** A namespaced `Issuer`, in the namespace of the control plane. */
  ISSUER = 'Issuer',
  /** A cluster-wide `ClusterIssuer`. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** A cert-manager issuer that already exists in the host cluster. */
export class IssuerReference {
  /** A namespaced `Issuer` in the control plane's namespace. */
  public static issuer(name: string): IssuerReference {
    return new IssuerReference(name, IssuerKind.ISSUER);
  }

  /** A `ClusterIssuer`. */
  public static clusterIssuer(name: string): IssuerReference {
    return new IssuerReference(name, IssuerKind.CLUSTER_ISSUER);
  }

  private constructor(
    /** The issuer's name. */
    public readonly name: string,
    /** `Issuer` or `ClusterIssuer`. */
    public readonly kind: IssuerKind,
  ) {}
}

/** How cert-manager issues the control plane's certificates. */
export interface CertManagerPkiOptions {
  /**
   * The issuer of every Karmada certificate (apiserver, webhook, aggregated API servers, component clients). It
   * must be a CA issuer: the `ca.crt` of what it issues is what karmada-apiserver trusts for client certificates.
   * @default - a Karmada CA created by the library: a self-signed root in Secret `<name>-ca` and an Issuer `<name>-ca`
   */
  readonly karmadaIssuer?: IssuerReference;
  /**
   * The issuer of every etcd certificate (member server, peer, client). Keep it apart from the Karmada CA: anything
   * the Karmada CA signs could otherwise read and write etcd.
   * @default - an etcd CA created by the library (Secret and Issuer `<name>-etcd-ca`)
   */
  readonly etcdIssuer?: IssuerReference;
  /**
   * The issuer of the front-proxy client certificate (the identity karmada-apiserver asserts users with to aggregated
   * API servers). Keep it apart from the Karmada CA.
   * @default - a front-proxy CA created by the library (Secret and Issuer `<name>-front-proxy-ca`)
   */
  readonly frontProxyIssuer?: IssuerReference;
  /**
   * Lifetime of each leaf certificate. cert-manager renews it `renewBefore` ahead of expiry. At least 1 hour, in
   * whole seconds (written as a Go duration: whole hours as `<n>h`).
   * @default Duration.days(365)
   */
  readonly certificateDuration?: Duration;
  /**
   * How long before expiry a leaf certificate is renewed. At least 5 minutes and shorter than `certificateDuration`.
   * @default Duration.days(30)
   */
  readonly renewBefore?: Duration;
  /**
   * Lifetime of the CAs the library creates. Their keys are never rotated on renewal. At least 1 hour; keep it
   * several times `certificateDuration` (a warning says when it is not longer).
   * @default Duration.days(3650)
   */
  readonly caDuration?: Duration;
}

/** Where the control plane's certificates come from. */
export enum PkiMode {
  /** cert-manager issues every certificate from Certificate objects the library synthesizes. */
  CERT_MANAGER = 'cert-manager',
  /** The user creates every Secret, with the documented names and keys; nothing about certificates is synthesized. */
  EXISTING_SECRETS = 'existing-secrets',
}

/**
 * The control plane's public-key infrastructure: issued by cert-manager (the default), or Secrets the user already
 * has. Either way the components only mount Secrets: no private key ever appears in the synthesized YAML.
 */
export class Pki {
  /** cert-manager issues every certificate; install cert-manager in the host cluster first. */
  public static certManager(options: CertManagerPkiOptions = {}): Pki {
    return new Pki(PkiMode.CERT_MANAGER, options);
  }

  /**
   * Every certificate comes from a Secret the user has already created (keys `tls.crt`, `tls.key`, `ca.crt`; the
   * service-account Secret needs only `tls.key`), named as the certificate table of docs/pki.md lists.
   */
  public static existingSecrets(): Pki {
    return new Pki(PkiMode.EXISTING_SECRETS, {});
  }

  /**
   * The options cert-manager issues the certificates with; undefined when the user's own Secrets hold them.
   * @internal
   */
  public get _issuedByCertManager(): CertManagerPkiOptions | undefined {
    return this.mode === PkiMode.CERT_MANAGER ? this.certManagerOptions : undefined;
  }

  private constructor(
    /** Where the certificates come from. */
    public readonly mode: PkiMode,
    /** The cert-manager options (empty with existing Secrets). */
    public readonly certManagerOptions: CertManagerPkiOptions,
  ) {}
}

/**
 * One certificate of the control plane: what cert-manager issues, or what a Secret of the user's must hold.
 */
export interface CertificateDescription {
  /** The Secret that holds it (keys `tls.crt`, `tls.key`, `ca.crt`), and the name of its cert-manager Certificate. */
  readonly secretName: string;
  /** What it is for. */
  readonly purpose: string;
  /**
   * Who signs it: the Secret of the library's CA that does (e.g. `karmada-ca`), `Issuer/<name>` or
   * `ClusterIssuer/<name>` for an issuer of the user's, or `self-signed` for a root CA.
   */
  readonly issuedBy: string;
  /** This certificate is a CA. */
  readonly isCa: boolean;
  /** The subject's common name: for a client certificate, the user name it authenticates as. */
  readonly commonName: string;
  /** The subject's organizations: for a client certificate, the groups it authenticates with. */
  readonly organizations: string[];
  /** DNS subject alternative names. */
  readonly dnsNames: string[];
  /** IP subject alternative names. */
  readonly ipAddresses: string[];
  /** Key usages and extended key usages, as cert-manager spells them (`server auth`, `client auth`, ...). */
  readonly usages: string[];
}
