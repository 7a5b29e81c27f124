import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CLIENT_PKI, ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, httpProbe, kubeconfigPath } from './component-spec';
import { KarmadaVersions } from '../images';
import { leaderElectionTimingArgs } from '../leader-election';
import { Component, Ports, SecretNames } from '../private/names';

const SERVICE_ACCOUNT_PKI = '/etc/karmada/pki/service-account';
const SIGNING_PKI = '/etc/karmada/pki/signing-ca';
/** It writes a self-signed serving certificate for its health endpoint here (the root filesystem is read-only). */
const CERT_DIR = '/var/run/kubernetes';

/**
 * The controllers the Karmada API needs: namespace deletion, garbage collection, service-account tokens, finished
 * Job cleanup (none run, harmless), bootstrap tokens for pull-mode registration, CSR cleanup and ClusterRole
 * aggregation (karmada-view/karmada-edit). The CSR signer runs only for pull-mode members.
 */
export const KUBE_CONTROLLERS = [
  'namespace', 'garbagecollector', 'serviceaccount-token', 'ttl-after-finished', 'bootstrapsigner', 'tokencleaner', 'csrcleaner',
  'clusterrole-aggregation',
];

/** kube-controller-manager on one control-plane node, talking to that node's apiserver as `system:kube-controller-manager`. */
export function kubeControllerManager(node: ControlPlaneNodeContext): ComponentSpec {
  const component = Component.KUBE_CONTROLLER_MANAGER;
  const kubeconfig = kubeconfigPath(component);
  const healthz = (periodSeconds: number, failureThreshold: number) =>
    httpProbe('/healthz', Ports.KUBE_CONTROLLER_MANAGER, kplus.ConnectionScheme.HTTPS, periodSeconds, 5, failureThreshold);
  return {
    component,
    image: node.images.kubeControllerManager,
    command: ['kube-controller-manager'],
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=$(POD_IP)',
      `--secure-port=${Ports.KUBE_CONTROLLER_MANAGER}`,
      `--cert-dir=${CERT_DIR}`,
      `--client-ca-file=${CLIENT_PKI}/ca.crt`,
      `--root-ca-file=${CLIENT_PKI}/ca.crt`,
      `--service-account-private-key-file=${SERVICE_ACCOUNT_PKI}/tls.key`,
      '--use-service-account-credentials=true',
      `--controllers=${[...KUBE_CONTROLLERS, ...(node.pullMode ? ['csrsigning'] : [])].join(',')}`,
      ...(node.pullMode ? [
        // Signs karmada-agent client certificates (signer kubernetes.io/kube-apiserver-client) with the Karmada CA.
        `--cluster-signing-kube-apiserver-client-cert-file=${SIGNING_PKI}/tls.crt`,
        `--cluster-signing-kube-apiserver-client-key-file=${SIGNING_PKI}/tls.key`,
      ] : []),
      // The Lease is kube-system/kube-controller-manager in the Karmada API (the binary's default namespace and name).
      '--leader-elect=true',
      ...leaderElectionTimingArgs(node.leaderElection),
      `--cluster-name=${node.instance}`,
      '--v=2',
    ],
    ports: [{ name: 'https', number: Ports.KUBE_CONTROLLER_MANAGER }],
    startup: healthz(5, 24),
    liveness: healthz(10, 8),
    readiness: healthz(10, 3),
    secretMounts: [
      { id: 'client-cert', secretName: SecretNames.client(node.instance, component), mountPath: CLIENT_PKI },
      { id: 'service-account-key', secretName: SecretNames.serviceAccountKey(node.instance), mountPath: SERVICE_ACCOUNT_PKI, items: ['tls.key'] },
      ...(node.pullMode ? [{ id: 'signing-ca', secretName: SecretNames.karmadaCa(node.instance), mountPath: SIGNING_PKI, items: ['tls.crt', 'tls.key'] }] : []),
    ],
    kubeconfig: { clientCertificateMountPath: CLIENT_PKI },
    scratchDirectories: [CERT_DIR],
    resources: {
      cpu: { request: kplus.Cpu.millis(200) },
      memory: { request: Size.mebibytes(256), limit: Size.gibibytes(2) },
    },
  };
}

/**
 * kube-controller-manager: the upstream image, on every node, one leader at a time. Kubernetes' built-in RBAC already
 * grants its user (`system:kube-controller-manager`) what it needs, so it brings no ClusterRole of its own.
 */
export const KUBE_CONTROLLER_MANAGER: ControlPlaneComponent = {
  name: Component.KUBE_CONTROLLER_MANAGER,
  field: 'kubeControllerManager',
  defaultImage: `registry.k8s.io/kube-controller-manager:${KarmadaVersions.KUBERNETES}`,
  karmadaApiClient: true,
  etcdClient: false,
  render: kubeControllerManager,
};
