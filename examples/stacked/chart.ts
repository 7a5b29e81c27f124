import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
// An application imports the library by its package name: `from 'cdk8s-karmada'`.
import { EtcdTopology, HATopology } from '../../src';

/**
 * Stacked etcd: each of the 3 control-plane nodes runs its own etcd member on the same host, and no two nodes
 * share an availability zone. Losing one zone loses one apiserver and one etcd member, and etcd keeps its quorum.
 *
 * Member clusters register in pull mode (karmada-agent) through an internal load balancer with a DNS name.
 *
 * Before applying: cert-manager runs in the host cluster (it issues every certificate from the Certificates this
 * chart holds), the namespace `karmada-system` exists, and the default storage class binds volumes where the pod
 * lands (`volumeBindingMode: WaitForFirstConsumer`), or a member's volume may be created in another node's zone.
 */
export function buildStackedChart(app: App): Chart {
  const chart = new Chart(app, 'karmada-stacked');

  new HATopology(chart, 'Karmada', {
    namespace: 'karmada-system',
    etcd: EtcdTopology.stacked(),
    controlPlaneNodes: 3,
    // One control-plane node (and its etcd member) per zone. Listing the zones lets the library check the topology
    // fits before anything is applied.
    failureDomain: kplus.Topology.ZONE,
    zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    // Member clusters in pull mode reach the Karmada API from outside the host cluster: an internal load balancer,
    // open only to the networks the member clusters live in.
    apiServerService: {
      type: kplus.ServiceType.LOAD_BALANCER,
      annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' },
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      // The name the load balancer is published under: it goes into karmada-apiserver's serving certificate.
      externalDnsNames: ['karmada.internal.example.com'],
    },
    // cluster-info, bootstrap-token RBAC and CSR signing for karmada-agent; the endpoint must reach the load balancer.
    pullMode: { apiServerEndpoint: 'https://karmada.internal.example.com:5443' },
  });

  return chart;
}
