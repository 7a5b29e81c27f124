import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ControlPlaneCertificates } from '../certificates';
import { KarmadaImages } from '../images';

/** What every component of one control-plane node is told about that node. */
export interface ControlPlaneNodeContext {
  readonly instance: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly nodeName: string;
  /** The etcd client URLs this node's apiserver dials. */
  readonly etcdServers: string[];
  readonly etcdKeyPrefix: string;
  readonly serviceClusterIpRange: string;
  readonly images: Required<KarmadaImages>;
  readonly certificates: Required<ControlPlaneCertificates>;
}

/** A Secret mounted read-only into a component. */
export interface SecretMount {
  /** Construct id and volume name. */
  readonly id: string;
  readonly secretName: string;
  readonly mountPath: string;
}

/**
 * One control-plane component as it runs on one node: everything that differs between components. The rendering
 * (Deployment, labels, placement, security) is shared; adding a component is one more file with one more spec.
 */
export interface ComponentSpec {
  /** The component's name: label `app.kubernetes.io/name` and the suffix of its objects' names. */
  readonly component: string;
  readonly image: string;
  readonly command: string[];
  readonly args: string[];
  readonly ports: kplus.ContainerPort[];
  readonly startup: kplus.Probe;
  readonly readiness: kplus.Probe;
  readonly liveness: kplus.Probe;
  readonly secretMounts: SecretMount[];
  /** The component reaches its node's apiserver through a kubeconfig; the key it reads from the node's kubeconfig ConfigMap. */
  readonly kubeconfig?: { readonly clientCertificateMountPath: string };
  readonly resources: kplus.ContainerResources;
}

/** Where a component's kubeconfig file is mounted. */
export const KUBECONFIG_MOUNT = '/etc/karmada/config';

/** The kubeconfig file name of a component inside the node's kubeconfig ConfigMap. */
export function kubeconfigKey(component: string): string {
  return `${component}.kubeconfig`;
}

/** An HTTP(S) GET probe with the timing given. */
export function httpProbe(path: string, port: number, scheme: kplus.ConnectionScheme,
  periodSeconds: number, timeoutSeconds: number, failureThreshold: number): kplus.Probe {
  return kplus.Probe.fromHttpGet(path, {
    port,
    scheme,
    periodSeconds: Duration.seconds(periodSeconds),
    timeoutSeconds: Duration.seconds(timeoutSeconds),
    failureThreshold,
  });
}

/** What differs between the Karmada components that reach karmada-apiserver through a kubeconfig. */
export interface KarmadaClientComponentOptions {
  readonly component: string;
  readonly image: string;
  /** Flags beyond the shared kubeconfig, leader-election, metrics and health flags. */
  readonly extraArgs: string[];
  /** The port of the component's plain-HTTP `/healthz`. */
  readonly healthPort: number;
  /** The Secret with the component's client certificate for karmada-apiserver. */
  readonly clientCertificateSecret: string;
  readonly resources: kplus.ContainerResources;
}

/** Where a Karmada component's client certificate is mounted. */
const CLIENT_PKI = '/etc/karmada/pki/client';
/** The metrics port every Karmada component binds on its pod IP. */
const KARMADA_METRICS_PORT = 8080;

/**
 * A Karmada component (`/bin/<component>` in `docker.io/karmada/<component>`) that talks to its node's apiserver
 * through a kubeconfig, elects a leader in `karmada-system` and serves metrics and `/healthz` on its pod IP.
 */
export function karmadaClientComponent(options: KarmadaClientComponentOptions): ComponentSpec {
  const healthz = (periodSeconds: number, failureThreshold: number) =>
    httpProbe('/healthz', options.healthPort, kplus.ConnectionScheme.HTTP, periodSeconds, 5, failureThreshold);
  return {
    component: options.component,
    image: options.image,
    command: [`/bin/${options.component}`],
    args: [
      `--kubeconfig=${KUBECONFIG_MOUNT}/${kubeconfigKey(options.component)}`,
      '--leader-elect=true',
      '--leader-elect-resource-namespace=karmada-system',
      `--metrics-bind-address=$(POD_IP):${KARMADA_METRICS_PORT}`,
      `--health-probe-bind-address=$(POD_IP):${options.healthPort}`,
      ...options.extraArgs,
      '--v=2',
    ],
    ports: [{ name: 'metrics', number: KARMADA_METRICS_PORT }, { name: 'health', number: options.healthPort }],
    startup: healthz(5, 24),
    liveness: healthz(15, 3),
    readiness: healthz(10, 3),
    secretMounts: [{ id: 'client-cert', secretName: options.clientCertificateSecret, mountPath: CLIENT_PKI }],
    kubeconfig: { clientCertificateMountPath: CLIENT_PKI },
    resources: options.resources,
  };
}
