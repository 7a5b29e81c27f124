import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
// An application imports the library by its package name: `from 'cdk8s-karmada'`.
import { EtcdTopology, HATopology } from '../../src';

/**
 * External etcd: 3 etcd members on hosts of their own, apart from the 3 control-plane nodes; every apiserver talks
 * to every member. It takes at least 6 hosts, but losing a host never takes an apiserver and an etcd member at once.
 *
 * Every optional component runs too: karmada-search, karmada-metrics-adapter, karmada-descheduler, and a scheduler
 * estimator for each of two member clusters.
 *
 * Before applying: cert-manager runs in the host cluster, the namespace `karmada-system` exists, and each member
 * cluster's kubeconfig is in a Secret `karmada-scheduler-estimator-<cluster>-kubeconfig` (key `kubeconfig`).
 */
export function buildExternalChart(app: App): Chart {
  const chart = new Chart(app, 'karmada-external');

  new HATopology(chart, 'Karmada', {
    namespace: 'karmada-system',
    // An odd member count: 3 members tolerate one failure, as 4 would, with fewer writes per commit.
    etcd: EtcdTopology.external({ members: 3 }),
    controlPlaneNodes: 3,
    // No two control-plane nodes, and no two etcd members, on one host.
    failureDomain: kplus.Topology.HOSTNAME,
    components: {
      search: true,
      metricsAdapter: true,
      descheduler: true,
      schedulerEstimatorClusters: ['member-1', 'member-2'],
    },
  });

  return chart;
}
