import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as cm from '../imports/cert-manager.io';
import { CertManagerPkiOptions, IssuerKind, IssuerReference } from '../pki';
import { CertificateAuthority, KeyUsage, PlannedCertificate } from './pki-plan';
import { installationLabels } from './selectors';

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

/** cert-manager's duration format: whole hours. */
function goDuration(duration: Duration): string {
  return `${duration.toHours()}h`;
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
        duration: goDuration(certificate.isCA ? options.caDuration ?? Duration.days(3650) : options.certificateDuration ?? Duration.days(365)),
        renewBefore: certificate.isCA ? undefined : goDuration(options.renewBefore ?? Duration.days(30)),
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
