import { componentsThat, runningComponents } from '../components/registry';
import { OptionalKarmadaComponents } from '../karmada-components';
import { CertManagerPkiOptions, CertificateDescription, IssuerReference } from '../pki';
import { serviceDnsNames } from './dns';
import {
  ADMIN_GROUP, ADMIN_USER, BOOTSTRAP_USER, Component, FRONT_PROXY_CLIENT_USER, KARMADA_SYSTEM_NAMESPACE, SYSTEM_MASTERS,
  SecretNames, componentUserName, etcdClientServiceName, hostServiceName, karmadaSideServiceName, nodeApiServerServiceName,
  schedulerEstimatorServiceName,
} from './names';
import { isIpAddress } from './validation';

/** The certificate authorities of an installation. */
export enum CertificateAuthority {
  /** Signs everything karmada-apiserver and its clients present to each other. */
  KARMADA = 'karmada',
  /** Signs etcd's server, peer and client certificates. */
  ETCD = 'etcd',
  /** Signs the front-proxy client certificate. */
  FRONT_PROXY = 'front-proxy',
}

/** Key usages, as cert-manager spells them. */
export type KeyUsage = 'digital signature' | 'server auth' | 'client auth' | 'cert sign' | 'crl sign';

/** One certificate of the installation: what it is for, who signs it, and what it says. */
export interface PlannedCertificate {
  /** The Secret that holds it (and the name of its cert-manager Certificate). */
  readonly secretName: string;
  /** What the certificate is for, in a few words (the table of docs/pki.md). */
  readonly purpose: string;
  /** The CA that signs it; undefined for the CAs themselves (self-signed roots). */
  readonly issuer?: CertificateAuthority;
  /** This certificate is one of the CAs. */
  readonly isCA?: CertificateAuthority;
  readonly commonName: string;
  readonly organizations: string[];
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly usages: KeyUsage[];
  /** cert-manager keeps the private key across renewals (CAs, the service-account key): rotating it would invalidate every certificate or token it signed. */
  readonly keepPrivateKey: boolean;
  /**
   * The key's PEM encoding. PKCS1 (for ECDSA: SEC1, `EC PRIVATE KEY`) only for the service-account key:
   * kube-apiserver's `--service-account-key-file` reads public keys from it with a parser that takes SEC1 but not
   * a PKCS#8 ECDSA key (the real kube-apiserver refused to start on one: docs/proof.md). PKCS8 for every other key.
   */
  readonly keyEncoding: 'PKCS1' | 'PKCS8';
}

/** What the PKI depends on; the switches say which optional components run. */
export interface PkiPlanInput extends OptionalKarmadaComponents {
  readonly instance: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly controlPlaneNodeNames: string[];
  /** The etcd members the library runs (none with an etcd outside the cluster). */
  readonly etcdMemberNames: string[];
  /** The etcd backup CronJob runs (it needs an etcd client certificate of its own). */
  readonly etcdBackup?: boolean;
  /** The etcd defragmentation CronJob runs (it needs an etcd client certificate of its own). */
  readonly etcdDefragmentation?: boolean;
  readonly schedulerEstimatorClusters: string[];
  /** Extra names and addresses of the HA entry point (load balancer, DNS). */
  readonly apiServerDnsNames: string[];
  readonly apiServerIpAddresses: string[];
  /** The URL pull-mode members dial: its host (a name or an address) joins the apiserver's SANs. */
  readonly pullModeApiServerEndpoint?: string;
  /** The first address of the Karmada API's Service range: the `kubernetes` Service inside the Karmada API. */
  readonly kubernetesServiceIp: string;
}

// ECDSA keys sign (TLS 1.3 handshakes); 'key encipherment' has no meaning for them (RFC 5480 section 3).
const SERVER: KeyUsage[] = ['digital signature', 'server auth'];
const CLIENT: KeyUsage[] = ['digital signature', 'client auth'];
// etcd's gRPC gateway dials the member's own client port with the server certificate, and peers are both ends.
const SERVER_AND_CLIENT: KeyUsage[] = ['digital signature', 'server auth', 'client auth'];
const CA: KeyUsage[] = ['digital signature', 'cert sign', 'crl sign'];

/**
 * Every certificate of one installation. The cert-manager Certificates are rendered from this list, docs/pki.md's
 * table documents it for users who bring their own Secrets, and the tests issue it with openssl.
 */
export function planPki(input: PkiPlanInput): PlannedCertificate[] {
  const { instance, namespace, clusterDomain } = input;
  const hostNames = (component: string) => serviceDnsNames(hostServiceName(instance, component), namespace, clusterDomain);
  const certificates: PlannedCertificate[] = [];
  const ca = (authority: CertificateAuthority, secretName: string, commonName: string, purpose: string) => certificates.push({
    secretName, purpose, isCA: authority, commonName, organizations: [], dnsNames: [], ipAddresses: [], usages: CA, keepPrivateKey: true, keyEncoding: 'PKCS8',
  });
  const leaf = (issuer: CertificateAuthority, secretName: string, purpose: string, commonName: string, usages: KeyUsage[],
    names: { organizations?: string[]; dnsNames?: string[]; ipAddresses?: string[]; keepPrivateKey?: boolean; keyEncoding?: 'PKCS1' } = {}) => certificates.push({
    secretName,
    purpose,
    issuer,
    commonName,
    usages,
    organizations: names.organizations ?? [],
    dnsNames: [...new Set(names.dnsNames ?? [])],
    ipAddresses: [...new Set(names.ipAddresses ?? [])],
    keepPrivateKey: names.keepPrivateKey ?? false,
    keyEncoding: names.keyEncoding ?? 'PKCS8',
  });
  const client = (component: string) => leaf(CertificateAuthority.KARMADA, SecretNames.client(instance, component),
    `${component}'s client certificate for karmada-apiserver`, componentUserName(component), CLIENT);
  const etcdClient = (component: string) => {
    if (input.etcdMemberNames.length > 0) {
      leaf(CertificateAuthority.ETCD, SecretNames.etcdClient(instance, component), `${component}'s client certificate for etcd`,
        `system:karmada:${component}-etcd-client`, CLIENT);
    }
  };
  /** An aggregated API server is dialled by karmada-apiserver's aggregator as `<karmada-side Service>.karmada-system.svc`. */
  const aggregatedServing = (component: string) => leaf(CertificateAuthority.KARMADA, SecretNames.serving(instance, component),
    `${component}'s serving certificate`, component, SERVER, {
      dnsNames: [...hostNames(component), ...serviceDnsNames(karmadaSideServiceName(component), KARMADA_SYSTEM_NAMESPACE, clusterDomain)],
    });

  ca(CertificateAuthority.KARMADA, SecretNames.karmadaCa(instance), `${instance}-ca`, 'the Karmada CA');
  if (input.etcdMemberNames.length > 0) ca(CertificateAuthority.ETCD, SecretNames.etcdCa(instance), `${instance}-etcd-ca`, 'the etcd CA');
  ca(CertificateAuthority.FRONT_PROXY, SecretNames.frontProxyCa(instance), `${instance}-front-proxy-ca`, 'the front-proxy CA');

  // etcd: a server and a peer certificate per member, both covering the member's every DNS name; the server
  // certificate also covers the client Service in front of every member (the maintenance Jobs dial it).
  const clientServiceNames = serviceDnsNames(etcdClientServiceName(instance), namespace, clusterDomain);
  for (const member of input.etcdMemberNames) {
    const dnsNames = serviceDnsNames(member, namespace, clusterDomain);
    leaf(CertificateAuthority.ETCD, SecretNames.etcdServer(member), `etcd member ${member}: serving clients`, member, SERVER_AND_CLIENT,
      { dnsNames: [...dnsNames, ...clientServiceNames] });
    leaf(CertificateAuthority.ETCD, SecretNames.etcdPeer(member), `etcd member ${member}: talking to its peers`, member, SERVER_AND_CLIENT, { dnsNames });
  }
  // The maintenance CronJobs each present a client certificate of their own: switching one off removes its
  // credential, and etcd's logs tell the two apart.
  if (input.etcdBackup) etcdClient(Component.ETCD_BACKUP);
  if (input.etcdDefragmentation) etcdClient(Component.ETCD_DEFRAG);

  // karmada-apiserver: the entry point, every node's own Service, the in-Karmada `kubernetes` Service, loopback,
  // and whatever external names the entry point has, the pull-mode endpoint's host among them.
  const pullModeHost = input.pullModeApiServerEndpoint ? new URL(input.pullModeApiServerEndpoint).hostname.replace(/^\[|\]$/g, '') : undefined;
  const pullModeNames = pullModeHost && !isIpAddress(pullModeHost) ? [pullModeHost] : [];
  const pullModeAddresses = pullModeHost && isIpAddress(pullModeHost) ? [pullModeHost] : [];
  const apiServerServing = () => {
    leaf(CertificateAuthority.KARMADA, SecretNames.serving(instance, Component.API_SERVER), 'karmada-apiserver\'s serving certificate',
      Component.API_SERVER, SERVER, {
        dnsNames: [
          ...hostNames(Component.API_SERVER),
          ...input.controlPlaneNodeNames.flatMap(node => serviceDnsNames(nodeApiServerServiceName(node), namespace, clusterDomain)),
          ...serviceDnsNames('kubernetes', 'default', clusterDomain),
          'localhost',
          ...input.apiServerDnsNames,
          ...pullModeNames,
        ],
        ipAddresses: ['127.0.0.1', input.kubernetesServiceIp, ...input.apiServerIpAddresses, ...pullModeAddresses],
      });
  };
  /** What karmada-apiserver holds beside its serving certificate: its front-proxy identity and the token signing key. */
  const apiServerKeys = () => {
    leaf(CertificateAuthority.FRONT_PROXY, SecretNames.frontProxyClient(instance),
      'the identity karmada-apiserver presents to aggregated API servers', FRONT_PROXY_CLIENT_USER, CLIENT);
    leaf(CertificateAuthority.KARMADA, SecretNames.serviceAccountKey(instance), 'the service-account token signing key (only tls.key is used)',
      `${instance}-service-account-signer`, ['digital signature'], { keepPrivateKey: true, keyEncoding: 'PKCS1' });
  };

  // Each running component: the serving certificate of what it serves, its client certificates for karmada-apiserver
  // and etcd, in the registry's order.
  for (const component of runningComponents(input)) {
    if (component.serving === 'apiserver') apiServerServing();
    if (component.serving === 'aggregated-api-server') aggregatedServing(component.name);
    if (component.serving === 'webhook') {
      leaf(CertificateAuthority.KARMADA, SecretNames.serving(instance, component.name), `${component.name}'s serving certificate`,
        component.name, SERVER, { dnsNames: hostNames(component.name) });
    }
    if (component.karmadaApiClient) client(component.name);
    if (component.etcdClient) etcdClient(component.name);
    if (component.serving === 'apiserver') apiServerKeys();
  }
  if (input.schedulerEstimatorClusters.length > 0) {
    // The scheduler (and descheduler) dial `<prefix>-<cluster>:10352` in their own namespace (see the estimator).
    for (const cluster of input.schedulerEstimatorClusters) {
      const serviceName = schedulerEstimatorServiceName(instance, cluster);
      leaf(CertificateAuthority.KARMADA, SecretNames.schedulerEstimator(instance, cluster),
        `karmada-scheduler-estimator of member cluster ${cluster}: serving gRPC`, serviceName, SERVER,
        { dnsNames: serviceDnsNames(serviceName, namespace, clusterDomain) });
    }
    for (const component of componentsThat(input, dialer => dialer.dialsEstimators === true)) {
      leaf(CertificateAuthority.KARMADA, SecretNames.grpcClient(instance, component), `${component}'s client certificate for the scheduler estimators`,
        `system:karmada:${component}-grpc`, CLIENT);
    }
  }

  leaf(CertificateAuthority.KARMADA, SecretNames.bootstrapClient(instance),
    'the bootstrap Job: creates the first RBAC objects, so it is in system:masters', BOOTSTRAP_USER, CLIENT, { organizations: [SYSTEM_MASTERS] });
  leaf(CertificateAuthority.KARMADA, SecretNames.adminClient(instance), 'people: the admin kubeconfig (bound to cluster-admin)',
    ADMIN_USER, CLIENT, { organizations: [ADMIN_GROUP] });
  return certificates;
}

/**
 * The public description of each planned certificate. `replacedCas` names the issuers of the user's that replace
 * the library's CAs (e.g. `ClusterIssuer/corp-ca`); their CA certificates are then not the library's to describe.
 */
export function describeCertificates(certificates: PlannedCertificate[],
  replacedCas: Partial<Record<CertificateAuthority, string>> = {}): CertificateDescription[] {
  const issuedBy = (authority: CertificateAuthority) =>
    replacedCas[authority] ?? certificates.find(certificate => certificate.isCA === authority)!.secretName;
  return certificates.filter(certificate => !(certificate.isCA && replacedCas[certificate.isCA])).map(certificate => ({
    secretName: certificate.secretName,
    purpose: certificate.purpose,
    issuedBy: certificate.issuer ? issuedBy(certificate.issuer) : 'self-signed',
    isCa: certificate.isCA !== undefined,
    commonName: certificate.commonName,
    organizations: [...certificate.organizations],
    dnsNames: [...certificate.dnsNames],
    ipAddresses: [...certificate.ipAddresses],
    usages: [...certificate.usages],
  }));
}

/** The issuers of the user's that replace the library's CAs, as `describeCertificates` names them. */
export function userIssuers(options: CertManagerPkiOptions): Partial<Record<CertificateAuthority, string>> {
  const label = (issuer?: IssuerReference) => issuer ? `${issuer.kind}/${issuer.name}` : undefined;
  return {
    [CertificateAuthority.KARMADA]: label(options.karmadaIssuer),
    [CertificateAuthority.ETCD]: label(options.etcdIssuer),
    [CertificateAuthority.FRONT_PROXY]: label(options.frontProxyIssuer),
  };
}

/** The first usable address of a CIDR: the `kubernetes` Service's ClusterIP. IPv4 and IPv6. */
export function firstServiceIp(cidr: string): string {
  const [address] = cidr.split('/');
  if (address.includes(':')) {
    const groups = expandIpv6(address);
    groups[7] = groups[7] + 1;
    return groups.map(group => group.toString(16)).join(':');
  }
  const value = address.split('.').map(Number).reduce((sum, octet) => sum * 256 + octet, 0) + 1;
  return [3, 2, 1, 0].map(power => Math.floor(value / 256 ** power) % 256).join('.');
}

function expandIpv6(address: string): number[] {
  const [head, tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const zeros = new Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...(tail !== undefined ? zeros : []), ...tailGroups].map(group => parseInt(group, 16));
}
