import * as kplus from 'cdk8s-plus-28';
import {
  CLIENT_PKI, ComponentSpec, ControlPlaneNodeContext, EXTENSION_SERVER_PORT, LIGHT_COMPONENT_RESOURCES, SERVING_PKI, healthzProbes,
  httpProbe, kubeconfigPath,
} from './component-spec';
import { Component, SecretNames } from '../private/identities';

const HEALTH_PORT = 8000;
const METRICS_PORT = 8080;

/**
 * karmada-webhook on one control-plane node: admission for Karmada's policies and objects, and CRD conversion for
 * the bindings. karmada-apiserver calls it through the host Service `<name>-webhook`; it reads `tls.crt`/`tls.key`
 * from its certificate directory.
 */
export function karmadaWebhook(node: ControlPlaneNodeContext): ComponentSpec {
  const component = Component.WEBHOOK;
  const healthz = healthzProbes(HEALTH_PORT);
  return {
    component,
    image: node.images.webhook,
    command: ['/bin/karmada-webhook'],
    args: [
      `--kubeconfig=${kubeconfigPath(component)}`,
      '--bind-address=$(POD_IP)',
      `--secure-port=${EXTENSION_SERVER_PORT}`,
      `--cert-dir=${SERVING_PKI}`,
      '--tls-min-version=1.3',
      `--health-probe-bind-address=$(POD_IP):${HEALTH_PORT}`,
      `--metrics-bind-address=$(POD_IP):${METRICS_PORT}`,
      '--v=2',
    ],
    ports: [
      { name: 'https', number: EXTENSION_SERVER_PORT },
      { name: 'health', number: HEALTH_PORT },
      { name: 'metrics', number: METRICS_PORT },
    ],
    startup: healthz.startup,
    liveness: healthz.liveness,
    // Ready only once the webhook server itself answers TLS: until then the Service must not send it admission calls.
    readiness: httpProbe('/readyz', EXTENSION_SERVER_PORT, kplus.ConnectionScheme.HTTPS, 5, 5, 3),
    secretMounts: [
      { id: 'serving-cert', secretName: SecretNames.serving(node.instance, component), mountPath: SERVING_PKI, items: ['tls.crt', 'tls.key'] },
      { id: 'client-cert', secretName: SecretNames.client(node.instance, component), mountPath: CLIENT_PKI },
    ],
    kubeconfig: { clientCertificateMountPath: CLIENT_PKI },
    resources: LIGHT_COMPONENT_RESOURCES,
  };
}
