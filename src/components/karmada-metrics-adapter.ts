import { ComponentSpec, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, extensionApiServer } from './component-spec';
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
