import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CertManagerPkiOptions, IssuerKind, IssuerReference } from '../pki';
import { CertificateAuthority, PlannedCertificate } from './pki-plan';
import { installationLabels } from './selectors';
import { checkSubdomainName } from './validation';

/** What the cert-manager objects of one installation need. */
export interface CertManagerPkiInput {
  readonly instance: string;
  readonly namespace: string;
  readonly certificates: PlannedCertificate[];
  readonly options: CertManagerPkiOptions;
}

/** The name of the CA Issuer the library creates for an authority: the CA's Secret name. */
function libraryIssuerName(certificates: PlannedCertificate[], authority: CertificateAuthority): string {
  return certificates.find(certificate => certificate.isCA === authority)!.secretName;
}

/** The default lifetimes of cert-manager certificates the library sets. */
export const DEFAULT_CERTIFICATE_DURATION = Duration.days(365);
export const DEFAULT_RENEW_BEFORE = Duration.days(30);
export const DEFAULT_CA_DURATION = Duration.days(3650);

/** cert-manager refuses a Certificate shorter than this. */
const MINIMUM_CERTIFICATE_SECONDS = 3600;
/** ... and a renewBefore shorter than this. */
const MINIMUM_RENEW_BEFORE_SECONDS = 300;

/**
 * A duration as cert-manager reads it (a Go duration): whole hours as `<n>h`, else whole minutes as `<n>m`, else
 * whole seconds as `<n>s`. Fractions of a second are refused by {@link checkCertManagerPkiOptions}.
 */
export function goDuration(duration: Duration): string {
  const seconds = duration.toSeconds({ integral: false });
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A duration for messages, e.g. `720h (30 days)`. */
function describe(seconds: number): string {
  const days = seconds / 86400;
  return Number.isInteger(days) ? `${goDuration(Duration.seconds(seconds))} (${days} day${days === 1 ? '' : 's'})` : goDuration(Duration.seconds(seconds));
}

/**
 * The lifetimes cert-manager accepts (a Certificate at least 1h, a renewBefore at least 5m and shorter than the
 * Certificate), in whole seconds; the issuers named must be valid object names. A CA that does not outlive the
 * certificates it signs is a warning.
 */
export function checkCertManagerPkiOptions(property: string, options: CertManagerPkiOptions): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const seconds = (name: string, duration: Duration | undefined, fallback: Duration, minimum: number, example: string): number | undefined => {
    const value = (duration ?? fallback).toSeconds({ integral: false });
    if (!Number.isInteger(value)) {
      errors.push(`${property}.${name} must be a whole number of seconds, got ${value}s: cert-manager cannot be given fractions of a second; use e.g. ${example}`);
      return undefined;
    }
    if (value < minimum) {
      errors.push(`${property}.${name} is ${describe(value)}, below the ${goDuration(Duration.seconds(minimum))} cert-manager accepts: use e.g. ${example}`);
      return undefined;
    }
    return value;
  };
  const certificate = seconds('certificateDuration', options.certificateDuration, DEFAULT_CERTIFICATE_DURATION, MINIMUM_CERTIFICATE_SECONDS,
    'Duration.days(90)');
  const renew = seconds('renewBefore', options.renewBefore, DEFAULT_RENEW_BEFORE, MINIMUM_RENEW_BEFORE_SECONDS, 'Duration.days(30)');
  const ca = seconds('caDuration', options.caDuration, DEFAULT_CA_DURATION, MINIMUM_CERTIFICATE_SECONDS, 'Duration.days(3650)');
  if (certificate !== undefined && renew !== undefined && renew >= certificate) {
    errors.push(`${property}.renewBefore (${describe(renew)}) is not shorter than ${property}.certificateDuration (${describe(certificate)}): cert-manager refuses such a Certificate; make renewBefore shorter, e.g. a third of certificateDuration`);
  }
  const libraryCa = !options.karmadaIssuer || !options.etcdIssuer || !options.frontProxyIssuer;
  if (certificate !== undefined && ca !== undefined && libraryCa && ca <= certificate) {
    warnings.push(`${property}.caDuration (${describe(ca)}) is not longer than ${property}.certificateDuration (${describe(certificate)}): the library's CAs expire no later than the certificates they sign, and the CA bundles handed out at bootstrap (webhook configurations, APIServices, kubeconfigs) stop working when they do; give caDuration several times certificateDuration`);
  }
  for (const [name, issuer] of [['karmadaIssuer', options.karmadaIssuer], ['etcdIssuer', options.etcdIssuer], ['frontProxyIssuer', options.frontProxyIssuer]] as const) {
    if (issuer !== undefined) errors.push(...checkSubdomainName(`${property}.${name} name`, issuer.name, issuer.kind, 'corp-ca'));
  }
  return { errors, warnings };
}

/**
 * The cert-manager objects that issue one installation's PKI: a self-signed Issuer that signs the library's CAs,
 * one CA Issuer per CA, and one Certificate per Secret. Issuers the user names replace the library's CAs.
 */
export function addCertManagerPki(scope: Construct, input: CertManagerPkiInput): void {
  const { instance, namespace, certificates, options } = input;
  const userIssuers: Partial<Record<CertificateAuthority, IssuerReference>> = {
    [CertificateAuthority.KARMADA]: options.karmadaIssuer,
    [CertificateAuthority.ETCD]: options.etcdIssuer,
    [CertificateAuthority.FRONT_PROXY]: options.frontProxyIssuer,
  };
  const labels = installationLabels(instance);
  const libraryCas = certificates.filter(certificate => certificate.isCA && !userIssuers[certificate.isCA]);
  const selfSignedIssuer = `${instance}-selfsigned`;
  if (libraryCas.length > 0) {
    certManagerObject(scope, 'SelfSignedIssuer', 'Issuer', { name: selfSignedIssuer, namespace, labels }, { selfSigned: {} });
  }
  const issuerOf = (authority: CertificateAuthority): Json => {
    const userIssuer = userIssuers[authority];
    return userIssuer
      ? { group: 'cert-manager.io', kind: userIssuer.kind, name: userIssuer.name }
      : { group: 'cert-manager.io', kind: IssuerKind.ISSUER, name: libraryIssuerName(certificates, authority) };
  };

  for (const certificate of certificates) {
    if (certificate.isCA && userIssuers[certificate.isCA]) continue;
    const issuerRef = certificate.isCA
      ? { group: 'cert-manager.io', kind: IssuerKind.ISSUER, name: selfSignedIssuer }
      : issuerOf(certificate.issuer!);
    // The spec's keys in the bindings' order (see certManagerObject).
    certManagerObject(scope, certificate.secretName, 'Certificate', { name: certificate.secretName, namespace, labels }, {
      commonName: certificate.commonName,
      dnsNames: certificate.dnsNames.length > 0 ? certificate.dnsNames : undefined,
      duration: goDuration(certificate.isCA
        ? options.caDuration ?? DEFAULT_CA_DURATION
        : options.certificateDuration ?? DEFAULT_CERTIFICATE_DURATION),
      ipAddresses: certificate.ipAddresses.length > 0 ? certificate.ipAddresses : undefined,
      isCA: certificate.isCA ? true : undefined,
      issuerRef,
      privateKey: {
        algorithm: 'ECDSA',
        encoding: certificate.keyEncoding === 'PKCS1' ? 'PKCS1' : 'PKCS8',
        rotationPolicy: certificate.keepPrivateKey ? 'Never' : 'Always',
        size: 256,
      },
      renewBefore: certificate.isCA ? undefined : goDuration(options.renewBefore ?? DEFAULT_RENEW_BEFORE),
      revisionHistoryLimit: 2,
      secretName: certificate.secretName,
      secretTemplate: { labels },
      subject: certificate.organizations.length > 0 ? { organizations: certificate.organizations } : undefined,
      // cert-manager's names of the usages are the plan's.
      usages: [...certificate.usages],
    });
    if (certificate.isCA) {
      certManagerObject(scope, `${certificate.secretName}-issuer`, 'Issuer', { name: certificate.secretName, namespace, labels },
        { ca: { secretName: certificate.secretName } });
    }
  }
}

type Json = Record<string, unknown>;

/**
 * An Issuer or Certificate (`cert-manager.io/v1`) as a plain `ApiObject`, not through the generated bindings
 * (`certmanager`): loading those (1.8 MB compiled) cost every synth several milliseconds, and for these objects the
 * bindings only rename `isCa` to `isCA` and put each map's keys in alphabetical order. The specs here are written
 * with the JSON names, in that order, so the YAML is byte for byte the bindings' also with `CDK8S_DISABLE_SORT`
 * (`test/cert-manager-pki.test.ts` checks it); cdk8s drops the undefined values, as the bindings do.
 */
function certManagerObject(scope: Construct, id: string, kind: 'Certificate' | 'Issuer', metadata: ApiObjectMetadata, spec: Json): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'cert-manager.io/v1', kind, metadata, spec });
}
