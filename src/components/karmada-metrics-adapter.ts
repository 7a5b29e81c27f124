import {
  ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, extensionApiServer, karmadaImage,
} from './component-spec';
import { CLUSTERS_READ, MEMBER_CLUSTER_SECRETS } from './rbac-rules';
import { Component, SecretNames } from '../private/names';

/** karmada-metrics-adapter on one control-plane node: `metrics.k8s.io` and `custom.metrics.k8s.io` over the member clusters. */
export function karmadaMetricsAdapter(node: ControlPlaneNodeContext): ComponentSpec {
  const component = Component.METRICS_ADAPTER;
  return extensionApiServer({
    component,
    image: node.images.metricsAdapter,
    servingCertificateSecret: SecretNames.serving(node.instance, component),
    clientCertificateSecret: SecretNames.client(node.instance, component),
    extraArgs: ['--metrics-bind-address=$(POD_IP):8080'],
    resources: LIGHT_COMPONENT_RESOURCES,
  });
}

/** The metrics groups: groupPriorityMinimum 100, versionPriority 200 (the operator's values; the usual ones for metrics APIs). */
const metricsApi = (group: string, version: string) => ({ group, version, groupPriorityMinimum: 100, versionPriority: 200 });

/** karmada-metrics-adapter: on every node when switched on, behind the metrics APIServices. */
export const KARMADA_METRICS_ADAPTER: ControlPlaneComponent = {
  name: Component.METRICS_ADAPTER,
  field: 'metricsAdapter',
  defaultImage: karmadaImage(Component.METRICS_ADAPTER),
  switch: 'metricsAdapter',
  serving: 'aggregated-api-server',
  aggregatedApis: [
    metricsApi('metrics.k8s.io', 'v1beta1'),
    metricsApi('custom.metrics.k8s.io', 'v1beta1'),
    metricsApi('custom.metrics.k8s.io', 'v1beta2'),
  ],
  karmadaApiClient: true,
  etcdClient: false,
  dialsMemberClusters: true,
  // pkg/metricsadapter: an informer on Clusters and member-cluster clients built from their Secrets (informer and
  // direct gets); it serves pods' and nodes' metrics from the member clusters.
  rbac: [CLUSTERS_READ, MEMBER_CLUSTER_SECRETS],
  render: karmadaMetricsAdapter,
};
