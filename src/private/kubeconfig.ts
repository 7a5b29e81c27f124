import { Yaml } from 'cdk8s';

/**
 * A kubeconfig for karmada-apiserver that references a mounted certificate Secret's files by path (`ca.crt`,
 * `tls.crt`, `tls.key` under `pkiDir`): it can live in a ConfigMap, with no key material in it.
 */
export function fileKubeconfig(server: string, user: string, pkiDir: string): string {
  return Yaml.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'karmada-apiserver', cluster: { 'server': server, 'certificate-authority': `${pkiDir}/ca.crt` } }],
    users: [{ name: user, user: { 'client-certificate': `${pkiDir}/tls.crt`, 'client-key': `${pkiDir}/tls.key` } }],
    contexts: [{ name: user, context: { cluster: 'karmada-apiserver', user } }],
    ['current-context']: user,
  });
}
