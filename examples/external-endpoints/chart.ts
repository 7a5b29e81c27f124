import { App, Chart } from 'cdk8s';
// An application imports the library by its package name: `from 'cdk8s-karmada'`.
import { EtcdTopology, HATopology, Pki } from '../../src';

/** The client URLs of every member of the etcd cluster run outside the host cluster. */
export const EXTERNAL_ETCD_ENDPOINTS = [
  'https://etcd-0.example.internal:2379',
  'https://etcd-1.example.internal:2379',
  'https://etcd-2.example.internal:2379',
];

/**
 * An etcd outside the host cluster (e.g. run by a database team, or a managed service): the library runs only the
 * 3 control-plane nodes, and every apiserver talks to every endpoint over TLS with a client certificate.
 *
 * The certificates come from the organisation's own PKI rather than cert-manager: nothing about them is synthesized.
 *
 * Before applying: the namespace `karmada-system` exists, and so does every certificate Secret the table of docs/pki.md
 * lists (keys `tls.crt`, `tls.key`, `ca.crt`; the service-account Secret needs `tls.key`), plus
 * `karmada-external-etcd-client-cert` (keys `tls.crt`, `tls.key` and `ca.crt`, the CA of the etcd servers), which
 * karmada-apiserver and karmada-aggregated-apiserver both present to the etcd.
 */
export function buildExternalEndpointsChart(app: App): Chart {
  const chart = new Chart(app, 'karmada-external-endpoints');

  new HATopology(chart, 'Karmada', {
    namespace: 'karmada-system',
    etcd: EtcdTopology.externalEndpoints({
      // List every member, not a single load balancer: the apiserver's etcd client fails over between them.
      endpoints: EXTERNAL_ETCD_ENDPOINTS,
      clientCertificateSecret: 'karmada-external-etcd-client-cert',
      // Keep Karmada's keys apart from anything else stored in that etcd.
      keyPrefix: '/registry/karmada',
    }),
    controlPlaneNodes: 3,
    pki: Pki.existingSecrets(),
  });

  return chart;
}
