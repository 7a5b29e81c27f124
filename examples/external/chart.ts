import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
// An application imports the library by its package name: `from 'cdk8s-karmada'`.
import { EtcdTopology, HATopology } from '../../src';

/** The label that tells a host's role. */
export const HOST_ROLE_LABEL = 'karmada.io/host-role';

/** Control-plane nodes and etcd members each on hosts of their role, which no host carries both of. */
export const HOSTS_BY_ROLE = {
  controlPlaneHosts: { nodeLabels: { [HOST_ROLE_LABEL]: 'control-plane' } },
  etcdHosts: { nodeLabels: { [HOST_ROLE_LABEL]: 'etcd' } },
};

/**
 * External etcd: 3 etcd members on hosts of their own, apart from the 3 control-plane nodes; every apiserver talks
 * to every member. It takes at least 6 hosts, but losing a host never takes an apiserver and an etcd member at once.
 *
 * Every optional component runs too: karmada-search, karmada-metrics-adapter, karmada-descheduler, and a scheduler
 * estimator for each of two member clusters.
 *
 * The hosts are labelled for their role (`karmada.io/host-role=control-plane` or `=etcd`): anti-affinity alone keeps
 * control-plane pods off hosts where a member runs now, but while a member is down (a drain, a reboot) a
 * control-plane node could take its host, and the member, held there by its volume, could not come back.
 *
 * Before applying: cert-manager runs in the host cluster, the namespace `karmada-system` exists, the hosts carry
 * their role label, and each member cluster's kubeconfig is in a Secret
 * `karmada-scheduler-estimator-<cluster>-kubeconfig` (key `kubeconfig`).
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
    ...HOSTS_BY_ROLE,
    components: {
      search: true,
      metricsAdapter: true,
      descheduler: true,
      schedulerEstimatorClusters: ['member-1', 'member-2'],
    },
  });

  return chart;
}
