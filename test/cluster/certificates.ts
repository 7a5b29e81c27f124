import * as fs from 'fs';
import * as path from 'path';
import { issueCertManagerPki, IssuedSecret } from '../integ/cert-manager-issuer';
import { Manifest } from '../util';
import { HostCluster } from './host-cluster';

/**
 * The Secrets cert-manager would write for the synthesized Certificates, created in the host cluster: every
 * Certificate issued with openssl exactly as its spec says (test/integ/cert-manager-issuer.ts: subject, SANs,
 * usages, the issuer its issuerRef names), written as a `kubernetes.io/tls` Secret with cert-manager's three keys
 * and the labels of its `secretTemplate`. The real-Karmada tests run cert-manager's own controller instead
 * (HostCluster.startCertManager); this is the other way (CertificateIssuer.TEST_ISSUER), and try-karmada.ts's.
 */
export async function createCertificateSecrets(cluster: HostCluster, objects: readonly Manifest[]): Promise<Map<string, IssuedSecret>> {
  const dir = path.join(cluster.dir, 'issued');
  const issued = issueCertManagerPki(objects, { dir });
  const secrets = [...issued.values()].map(secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: secret.secretName,
      namespace: secret.namespace,
      labels: (secret.spec as any).secretTemplate?.labels ?? {},
      annotations: { 'cert-manager.io/certificate-name': secret.secretName, 'harness.cdk8s-karmada/issued-by': 'test/integ/cert-manager-issuer.ts' },
    },
    data: {
      'tls.crt': fs.readFileSync(secret.certFile).toString('base64'),
      'tls.key': fs.readFileSync(secret.keyFile).toString('base64'),
      'ca.crt': fs.readFileSync(secret.caFile).toString('base64'),
    },
  }));
  await cluster.kubectl(['apply', '--server-side', '--filename', '-'], { input: secrets.map(s => JSON.stringify(s)).join('\n') });
  return issued;
}
