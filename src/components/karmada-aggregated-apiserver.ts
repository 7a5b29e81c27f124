import { ComponentSpec, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, extensionApiServer } from './component-spec';
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
