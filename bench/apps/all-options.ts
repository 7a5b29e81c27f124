/**
 * The whole-process benchmark's largest app: a stacked topology of 3 nodes with every optional part switched on
 * (every optional component, two scheduler estimators, pull mode behind a load balancer, zones, cert-manager
 * lifetimes, member-cluster CIDRs and a metrics scraper for the NetworkPolicies; backup and defragmentation, which are
 * on by default). The bench runs it compiled,
 * with `../../src` replaced by the compiled library.
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EtcdTopology, HATopology, Pki } from '../../src';

const app = new App();
const chart = new Chart(app, 'karmada', { namespace: 'karmada-system' });
new HATopology(chart, 'karmada', {
  etcd: EtcdTopology.stacked(),
  controlPlaneNodes: 3,
  failureDomain: kplus.Topology.ZONE,
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  components: {
    descheduler: true,
    search: true,
    metricsAdapter: true,
    schedulerEstimatorClusters: ['member-1', 'member-2'],
  },
  apiServerService: {
    type: kplus.ServiceType.LOAD_BALANCER,
    loadBalancerSourceRanges: ['10.0.0.0/8'],
    externalDnsNames: ['karmada.example.com'],
  },
  pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
  pki: Pki.certManager({ certificateDuration: Duration.days(90), renewBefore: Duration.days(30) }),
  networkPolicies: {
    memberClusterCidrs: ['10.0.0.0/8'],
    metricsScraper: { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  },
  // etcd backup and defragmentation are on by default.
});
app.synth();
