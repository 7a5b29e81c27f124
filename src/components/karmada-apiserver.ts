import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, httpProbe } from './component-spec';
import { KarmadaVersions } from '../images';
import { Component, Ports, SecretNames } from '../private/names';

const PKI = '/etc/karmada/pki';

/** karmada-apiserver (the upstream kube-apiserver) on one control-plane node. */
export function karmadaApiServer(node: ControlPlaneNodeContext): ComponentSpec {
  const probe = (path: string, periodSeconds: number, failureThreshold: number) =>
    httpProbe(path, Ports.API_SERVER, kplus.ConnectionScheme.HTTPS, periodSeconds, 15, failureThreshold);
  return {
    component: Component.API_SERVER,
    image: node.images.apiServer,
    command: ['kube-apiserver'],
    args: [
      `--secure-port=${Ports.API_SERVER}`,
      '--bind-address=0.0.0.0',
      '--advertise-address=$(POD_IP)',
      `--etcd-servers=${node.etcdServers.join(',')}`,
      `--etcd-cafile=${PKI}/etcd-client/ca.crt`,
      `--etcd-certfile=${PKI}/etcd-client/tls.crt`,
      `--etcd-keyfile=${PKI}/etcd-client/tls.key`,
      `--etcd-prefix=${node.etcdKeyPrefix}`,
      `--client-ca-file=${PKI}/server/ca.crt`,
      `--tls-cert-file=${PKI}/server/tls.crt`,
      `--tls-private-key-file=${PKI}/server/tls.key`,
      '--tls-min-version=VersionTLS13',
      `--service-account-issuer=https://kubernetes.default.svc.${node.clusterDomain}`,
      // The key file may hold the private key: the apiserver derives the public key that verifies tokens.
      `--service-account-key-file=${PKI}/service-account/tls.key`,
      `--service-account-signing-key-file=${PKI}/service-account/tls.key`,
      `--service-cluster-ip-range=${node.serviceClusterIpRange}`,
      '--authorization-mode=Node,RBAC',
      '--anonymous-auth=true',
      '--enable-bootstrap-token-auth=true',
      '--allow-privileged=true',
      '--enable-admission-plugins=NodeRestriction',
      '--disable-admission-plugins=StorageObjectInUseProtection,ServiceAccount',
      '--runtime-config=',
      `--proxy-client-cert-file=${PKI}/front-proxy-client/tls.crt`,
      `--proxy-client-key-file=${PKI}/front-proxy-client/tls.key`,
      `--requestheader-client-ca-file=${PKI}/front-proxy-client/ca.crt`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      '--max-requests-inflight=1500',
      '--max-mutating-requests-inflight=500',
      '--shutdown-delay-duration=10s',
      '--v=2',
    ],
    ports: [{ name: 'https', number: Ports.API_SERVER }],
    // /readyz includes the etcd check: an apiserver whose etcd is gone leaves the entry point's endpoints.
    // 300 s, as long as etcd's own startup window: a cold bootstrap must not restart the apiserver before its member answers.
    startup: probe('/livez', 10, 30),
    liveness: probe('/livez', 10, 8),
    readiness: probe('/readyz', 5, 3),
    secretMounts: [
      { id: 'server-cert', secretName: SecretNames.serving(node.instance, Component.API_SERVER), mountPath: `${PKI}/server` },
      { id: 'etcd-client-cert', secretName: node.etcdClientSecret(Component.API_SERVER), mountPath: `${PKI}/etcd-client` },
      { id: 'front-proxy-client-cert', secretName: SecretNames.frontProxyClient(node.instance), mountPath: `${PKI}/front-proxy-client` },
      { id: 'service-account-key', secretName: SecretNames.serviceAccountKey(node.instance), mountPath: `${PKI}/service-account`, items: ['tls.key'] },
    ],
    resources: {
      cpu: { request: kplus.Cpu.millis(250) },
      memory: { request: Size.mebibytes(512), limit: Size.gibibytes(4) },
    },
  };
}

/** karmada-apiserver: the upstream kube-apiserver, on every node, in front of that node's etcd (or every member). */
export const KARMADA_APISERVER: ControlPlaneComponent = {
  name: Component.API_SERVER,
  field: 'apiServer',
  defaultImage: `registry.k8s.io/kube-apiserver:${KarmadaVersions.KUBERNETES}`,
  serving: 'apiserver',
  karmadaApiClient: false,
  etcdClient: true,
  render: karmadaApiServer,
};
