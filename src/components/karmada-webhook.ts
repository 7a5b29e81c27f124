import * as kplus from 'cdk8s-plus-28';
import {
  CLIENT_PKI, ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, SERVING_PKI,
  httpProbe, karmadaImage, kubeconfigPath,
} from './component-spec';
import { KARMADA_GROUPS_READ } from './rbac-rules';
import { Component, Ports, SecretNames } from '../private/names';

const HEALTH_PORT = 8000;

/**
 * karmada-webhook on one control-plane node: admission for Karmada's policies and objects, and CRD conversion for
 * the bindings. karmada-apiserver calls it through the host Service `<name>-webhook`; it reads `tls.crt`/`tls.key`
 * from its certificate directory.
 */
export function karmadaWebhook(node: ControlPlaneNodeContext): ComponentSpec {
  const component = Component.WEBHOOK;
  // karmada-webhook answers health checks only on its webhook server: `/readyz/` on the serving port, once that
  // server answers TLS. The server of --health-probe-bind-address registers no check and answers 404 to /healthz
  // and /readyz (seen on the real v1.18.2 binary run from this YAML), so every probe asks the serving port. Until it
  // is ready the Service sends it no admission call.
  const readyz = (periodSeconds: number, failureThreshold: number) =>
    httpProbe('/readyz/', Ports.EXTENSION_SERVER, kplus.ConnectionScheme.HTTPS, periodSeconds, 5, failureThreshold);
  return {
    component,
    image: node.images.webhook,
    command: ['/bin/karmada-webhook'],
    args: [
      `--kubeconfig=${kubeconfigPath(component)}`,
      '--bind-address=$(POD_IP)',
      `--secure-port=${Ports.EXTENSION_SERVER}`,
      `--cert-dir=${SERVING_PKI}`,
      '--tls-min-version=1.3',
      `--health-probe-bind-address=$(POD_IP):${HEALTH_PORT}`,
      `--metrics-bind-address=$(POD_IP):${Ports.KARMADA_METRICS}`,
      '--v=2',
    ],
    ports: [
      { name: 'https', number: Ports.EXTENSION_SERVER },
      { name: 'health', number: HEALTH_PORT },
      { name: 'metrics', number: Ports.KARMADA_METRICS },
    ],
    startup: readyz(5, 24),
    liveness: readyz(15, 3),
    readiness: readyz(5, 3),
    secretMounts: [
      { id: 'serving-cert', secretName: SecretNames.serving(node.instance, component), mountPath: SERVING_PKI, items: ['tls.crt', 'tls.key'] },
      { id: 'client-cert', secretName: SecretNames.client(node.instance, component), mountPath: CLIENT_PKI },
    ],
    kubeconfig: { clientCertificateMountPath: CLIENT_PKI },
    resources: LIGHT_COMPONENT_RESOURCES,
  };
}

/** karmada-webhook: on every node, behind the Karmada API's webhook configurations and CRD conversion. */
export const KARMADA_WEBHOOK: ControlPlaneComponent = {
  name: Component.WEBHOOK,
  field: 'webhook',
  defaultImage: karmadaImage(Component.WEBHOOK),
  serving: 'webhook',
  karmadaApiClient: true,
  etcdClient: false,
  // pkg/webhook: the controller-runtime client caches ResourceInterpreterCustomizations (their validation checks
  // conflicts with the others) and FederatedResourceQuotas; the ResourceBinding validation charges a binding's
  // resources to the quotas by updating their status subresource. Every other handler only decodes the request.
  rbac: [
    KARMADA_GROUPS_READ,
    { apiGroups: ['policy.karmada.io'], resources: ['federatedresourcequotas/status'], verbs: ['update'] },
  ],
  render: karmadaWebhook,
};
