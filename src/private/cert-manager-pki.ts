import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as cm from '../imports/cert-manager.io';
import { CertManagerPkiOptions, IssuerKind, IssuerReference } from '../pki';
import { CertificateAuthority, KeyUsage, PlannedCertificate } from './pki-plan';
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
    new cm.Issuer(scope, 'SelfSignedIssuer', {
      metadata: { name: selfSignedIssuer, namespace, labels },
      spec: { selfSigned: {} },
    });
  }
  const issuerOf = (authority: CertificateAuthority): cm.CertificateSpecIssuerRef => {
    const userIssuer = userIssuers[authority];
    return userIssuer
      ? { name: userIssuer.name, kind: userIssuer.kind, group: 'cert-manager.io' }
      : { name: libraryIssuerName(certificates, authority), kind: IssuerKind.ISSUER, group: 'cert-manager.io' };
  };

  for (const certificate of certificates) {
    if (certificate.isCA && userIssuers[certificate.isCA]) continue;
    const issuerRef = certificate.isCA
      ? { name: selfSignedIssuer, kind: IssuerKind.ISSUER, group: 'cert-manager.io' }
      : issuerOf(certificate.issuer!);
    new cm.Certificate(scope, certificate.secretName, {
      metadata: { name: certificate.secretName, namespace, labels },
      spec: {
        secretName: certificate.secretName,
        secretTemplate: { labels },
        issuerRef,
        isCa: certificate.isCA ? true : undefined,
        commonName: certificate.commonName,
        subject: certificate.organizations.length > 0 ? { organizations: certificate.organizations } : undefined,
        dnsNames: certificate.dnsNames.length > 0 ? certificate.dnsNames : undefined,
        ipAddresses: certificate.ipAddresses.length > 0 ? certificate.ipAddresses : undefined,
        usages: certificate.usages.map(usageOf),
        duration: goDuration(certificate.isCA
          ? options.caDuration ?? DEFAULT_CA_DURATION
          : options.certificateDuration ?? DEFAULT_CERTIFICATE_DURATION),
        renewBefore: certificate.isCA ? undefined : goDuration(options.renewBefore ?? DEFAULT_RENEW_BEFORE),
        privateKey: {
          algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          encoding: certificate.keyEncoding === 'PKCS1' ? cm.CertificateSpecPrivateKeyEncoding.PKCS1 : cm.CertificateSpecPrivateKeyEncoding.PKCS8,
          rotationPolicy: certificate.keepPrivateKey
            ? cm.CertificateSpecPrivateKeyRotationPolicy.NEVER
            : cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        revisionHistoryLimit: 2,
      },
    });
    if (certificate.isCA) {
      new cm.Issuer(scope, `${certificate.secretName}-issuer`, {
        metadata: { name: certificate.secretName, namespace, labels },
        spec: { ca: { secretName: certificate.secretName } },
      });
    }
  }
}

const USAGES: Record<KeyUsage, cm.CertificateSpecUsages> = {
  'digital signature': cm.CertificateSpecUsages.DIGITAL_SIGNATURE,
  'server auth': cm.CertificateSpecUsages.SERVER_AUTH,
  'client auth': cm.CertificateSpecUsages.CLIENT_AUTH,
  'cert sign': cm.CertificateSpecUsages.CERT_SIGN,
  'crl sign': cm.CertificateSpecUsages.CRL_SIGN,
};

function usageOf(usage: KeyUsage): cm.CertificateSpecUsages {
  return USAGES[usage];
}
