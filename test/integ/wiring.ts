import { gunzipSync } from 'zlib';
import { parseAllDocuments } from 'yaml';
import { serviceDnsNames } from '../../src/private/dns';
import { Manifest } from '../util';

/**
 * A model of how the synthesized objects fit together: which Secret a file comes from, which CA issued a Secret's
 * certificate, which workload serves a host name, and what a component dials. Built from the synthesized objects
 * alone, so the wiring tests check the YAML a user applies, not the library's intentions.
 */

/** Where a file in a container comes from. */
export type FileSource =
  | { readonly kind: 'secret'; readonly secretName: string; readonly key: string }
  | { readonly kind: 'configMap'; readonly configMapName: string; readonly key: string }
  | { readonly kind: 'emptyDir' }
  | { readonly kind: 'directory'; readonly volumeName: string }
  | { readonly kind: 'volumeClaim'; readonly claimName: string };

/** A certificate as cert-manager will issue it. */
export interface IssuedCertificate {
  readonly secretName: string;
  /** The Secret name of the CA that signs it (itself for a self-signed CA). */
  readonly caSecretName: string;
  readonly commonName: string;
  readonly organizations: string[];
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly usages: string[];
  readonly isCA: boolean;
}

export class Wiring {
  public readonly certificates = new Map<string, IssuedCertificate>();
  private readonly configMaps = new Map<string, Manifest>();
  /** The objects inside the Karmada API, as the bootstrap Job applies them. */
  public readonly karmadaApiObjects: Manifest[];

  constructor(public readonly objects: Manifest[]) {
    const issuers = new Map<string, Manifest>();
    for (const object of objects) {
      if (object.kind === 'Issuer') issuers.set(object.metadata.name, object);
      if (object.kind === 'ConfigMap') this.configMaps.set(object.metadata.name, object);
    }
    for (const object of objects.filter(o => o.kind === 'Certificate')) {
      const issuer = issuers.get(object.spec.issuerRef.name);
      if (!issuer) throw new Error(`Certificate ${object.metadata.name} names issuer ${object.spec.issuerRef.name}, which is not synthesized`);
      const caSecretName = issuer.spec.selfSigned ? object.spec.secretName : issuer.spec.ca.secretName;
      this.certificates.set(object.spec.secretName, {
        secretName: object.spec.secretName,
        caSecretName,
        commonName: object.spec.commonName,
        organizations: object.spec.subject?.organizations ?? [],
        dnsNames: object.spec.dnsNames ?? [],
        ipAddresses: object.spec.ipAddresses ?? [],
        usages: object.spec.usages ?? [],
        isCA: object.spec.isCa === true,
      });
    }
    const bundle = objects.find(o => o.kind === 'ConfigMap' && o.binaryData?.['objects.yaml.gz']);
    this.karmadaApiObjects = bundle
      ? parseAllDocuments(gunzipSync(Buffer.from(bundle.binaryData['objects.yaml.gz'], 'base64')).toString('utf8')).map(d => d.toJSON()).filter(Boolean)
      : [];
  }

  /** The certificate a Secret holds; fails when no Certificate issues it. */
  public certificate(secretName: string): IssuedCertificate {
    const certificate = this.certificates.get(secretName);
    if (!certificate) throw new Error(`no Certificate issues Secret ${secretName}`);
    return certificate;
  }

  /**
   * The CA a file *trusts*: for `ca.crt` of a Secret, the CA that issued that Secret's certificate (cert-manager
   * writes the issuing CA there); for `tls.crt` of a CA's own Secret, that CA.
   */
  public trustedCa(source: FileSource): string {
    if (source.kind !== 'secret') throw new Error(`a CA file must come from a Secret, not a ${source.kind}`);
    const certificate = this.certificate(source.secretName);
    if (source.key === 'ca.crt') return certificate.caSecretName;
    if (source.key === 'tls.crt' && certificate.isCA) return certificate.secretName;
    throw new Error(`${source.secretName}/${source.key} is not a CA certificate`);
  }

  /** Where `file` comes from in `container` of `workload`; fails when no mount holds it. */
  public fileSource(workload: Manifest, container: Manifest, file: string): FileSource {
    const mount = (container.volumeMounts ?? [])
      .filter((m: Manifest) => file === m.mountPath || file.startsWith(`${m.mountPath}/`))
      .sort((a: Manifest, b: Manifest) => b.mountPath.length - a.mountPath.length)[0];
    if (!mount) throw new Error(`${workload.metadata.name}/${container.name}: no volume is mounted where ${file} lives`);
    // A flag that names a directory (`--cert-dir`) names a mount point: the keys it holds are checked where files are named.
    if (file === mount.mountPath) return { kind: 'directory', volumeName: mount.name };
    const key = file.slice(mount.mountPath.length + 1);
    const volume = (workload.spec.template.spec.volumes ?? []).find((v: Manifest) => v.name === mount.name);
    if (!volume) {
      const claim = (workload.spec.volumeClaimTemplates ?? []).find((c: Manifest) => c.metadata.name === mount.name);
      if (!claim) throw new Error(`${workload.metadata.name}/${container.name}: mount ${mount.name} has no volume`);
      return { kind: 'volumeClaim', claimName: claim.metadata.name };
    }
    if (volume.emptyDir) return { kind: 'emptyDir' };
    const items: Manifest[] | undefined = (volume.secret ?? volume.configMap).items;
    const sourceKey = items ? items.find(item => item.path === key)?.key : key;
    if (!sourceKey) throw new Error(`${workload.metadata.name}/${container.name}: ${file} is not among the items of volume ${mount.name}`);
    if (volume.secret) {
      const secretName = volume.secret.secretName;
      // A Secret of ours holds what cert-manager writes; a user's Secret (external etcd) is documented to hold the same keys.
      if (!['tls.crt', 'tls.key', 'ca.crt', 'kubeconfig'].includes(sourceKey)) throw new Error(`${file}: Secret ${secretName} has no key ${sourceKey}`);
      return { kind: 'secret', secretName, key: sourceKey };
    }
    const configMap = this.configMaps.get(volume.configMap.name);
    if (!configMap) throw new Error(`${file}: ConfigMap ${volume.configMap.name} is not synthesized`);
    if (configMap.data?.[sourceKey] === undefined && configMap.binaryData?.[sourceKey] === undefined) {
      throw new Error(`${file}: ConfigMap ${volume.configMap.name} has no key ${sourceKey}`);
    }
    return { kind: 'configMap', configMapName: volume.configMap.name, key: sourceKey };
  }

  /** The text of a ConfigMap key. */
  public configMapText(source: FileSource): string {
    if (source.kind !== 'configMap') throw new Error('not a ConfigMap file');
    return this.configMaps.get(source.configMapName)!.data[source.key];
  }

  /** The workloads whose pods a Service selects. */
  public servedBy(service: Manifest): Manifest[] {
    const selector: Record<string, string> = service.spec.selector ?? {};
    return this.objects.filter(o => o.spec?.template?.metadata?.labels && Object.keys(selector).length > 0
      && Object.entries(selector).every(([key, value]) => o.spec.template.metadata.labels[key] === value));
  }

  /** The host-cluster Service a name resolves to from a pod in `namespace` (short, namespaced or fully qualified). */
  public serviceForHost(host: string, namespace: string, clusterDomain: string): Manifest | undefined {
    const candidates = this.objects.filter(o => o.kind === 'Service');
    return candidates.find(service => {
      const [shortName, ...qualifiedNames] = serviceDnsNames(service.metadata.name, service.metadata.namespace, clusterDomain);
      // The bare name resolves only from the Service's own namespace.
      return qualifiedNames.includes(host) || (host === shortName && service.metadata.namespace === namespace);
    });
  }
}

/** The value of `--name=value` among a container's args. */
export function argValue(container: Manifest, name: string): string | undefined {
  const prefix = `--${name}=`;
  return (container.args as string[] ?? []).find(arg => arg.startsWith(prefix))?.slice(prefix.length);
}

/** Every file path among a container's flag values. */
export function filesNamedByFlags(container: Manifest): string[] {
  return (container.args as string[] ?? []).flatMap(arg => arg.split('=').slice(1).join('=').split(','))
    .filter(value => /^\/(etc|var)\//.test(value));
}

/** Does a certificate cover `host` (exact DNS name, one-label wildcard, or IP)? */
export function covers(certificate: IssuedCertificate, host: string): boolean {
  if (certificate.ipAddresses.includes(host)) return true;
  return certificate.dnsNames.some(name => name === host || (name.startsWith('*.') && host.split('.').slice(1).join('.') === name.slice(2)));
}
