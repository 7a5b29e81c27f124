import {
  ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, extensionApiServer, karmadaImage,
} from './component-spec';
import { MEMBER_CLUSTER_SECRETS } from './rbac-rules';
import { Component, SecretNames } from '../private/names';

/**
 * karmada-aggregated-apiserver on one control-plane node: serves `cluster.karmada.io` (Cluster objects, stored in
 * etcd through its own connection: the node's local member when stacked) behind karmada-apiserver's aggregator.
 */
export function karmadaAggregatedApiServer(node: ControlPlaneNodeContext): ComponentSpec {
  const component = Component.AGGREGATED_API_SERVER;
  return extensionApiServer({
    component,
    image: node.images.aggregatedApiServer,
    servingCertificateSecret: SecretNames.serving(node.instance, component),
    clientCertificateSecret: SecretNames.client(node.instance, component),
    etcd: { servers: node.etcdServers, keyPrefix: node.etcdKeyPrefix, clientCertificateSecret: node.etcdClientSecret(component) },
    extraArgs: ['--audit-log-path=-', '--audit-log-maxage=0', '--audit-log-maxbackup=0'],
    resources: LIGHT_COMPONENT_RESOURCES,
  });
}

/** karmada-aggregated-apiserver: on every node, behind the APIService of Karmada's `cluster.karmada.io`. */
export const KARMADA_AGGREGATED_APISERVER: ControlPlaneComponent = {
  name: Component.AGGREGATED_API_SERVER,
  field: 'aggregatedApiServer',
  defaultImage: karmadaImage(Component.AGGREGATED_API_SERVER),
  serving: 'aggregated-api-server',
  // Karmada's own groups: groupPriorityMinimum 2000, versionPriority 10 (all three installers).
  aggregatedApis: [{ group: 'cluster.karmada.io', version: 'v1alpha1', groupPriorityMinimum: 2000, versionPriority: 10 }],
  karmadaApiClient: true,
  etcdClient: true,
  // The cluster proxy (`clusters/<name>/proxy`).
  dialsMemberClusters: true,
  // pkg/registry/cluster: Clusters live in its own etcd; the cluster proxy (`clusters/proxy`) reads the member's
  // Secrets through an informer (and a direct get when the informer misses one).
  rbac: [MEMBER_CLUSTER_SECRETS],
  render: karmadaAggregatedApiServer,
};
