import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { KarmadaImages } from '../images';
import { ResolvedLeaderElection, leaderElectionTimingArgs } from '../private/leader-election';
import { KARMADA_SYSTEM_NAMESPACE, Ports } from '../private/names';

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
  /** The Secret with a component's client certificate for etcd. */
  readonly etcdClientSecret: (component: string) => string;
  /** Pull-mode member clusters are served: kube-controller-manager signs karmada-agent certificates. */
  readonly pullMode: boolean;
  /** The scheduler estimators' Service prefix, when member clusters have estimators. */
  readonly schedulerEstimatorServicePrefix?: string;
  /** The lease, renew and retry timing of every component that elects a leader. */
  readonly leaderElection: ResolvedLeaderElection;
}

/** A Secret mounted read-only into a component. */
export interface SecretMount {
  /** Construct id and volume name. */
  readonly id: string;
  readonly secretName: string;
  readonly mountPath: string;
  /** Only these keys of the Secret. */
  readonly items?: string[];
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
  /** Writable scratch directories (the root filesystem is read-only). */
  readonly scratchDirectories?: string[];
}

/** Where a component's kubeconfig file is mounted. */
export const KUBECONFIG_MOUNT = '/etc/karmada/config';

/** The kubeconfig file name of a component inside the node's kubeconfig ConfigMap. */
export function kubeconfigKey(component: string): string {
  return `${component}.kubeconfig`;
}

/** Where a component reads its kubeconfig (`--kubeconfig`). */
export function kubeconfigPath(component: string): string {
  return `${KUBECONFIG_MOUNT}/${kubeconfigKey(component)}`;
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

/** The resources of a light Karmada component (scheduler, webhook, extension servers, estimators): no CPU limit. */
export const LIGHT_COMPONENT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
};

/** The probes of a Karmada component's plain-HTTP `/healthz`: 120 s to start, restarted after 45 s, unready after 30 s. */
export interface HealthzProbes {
  readonly startup: kplus.Probe;
  readonly liveness: kplus.Probe;
  readonly readiness: kplus.Probe;
}

/** Startup, liveness and readiness probes on a Karmada component's plain-HTTP `/healthz` at `port`. */
export function healthzProbes(port: number): HealthzProbes {
  const healthz = (periodSeconds: number, failureThreshold: number) =>
    httpProbe('/healthz', port, kplus.ConnectionScheme.HTTP, periodSeconds, 5, failureThreshold);
  return { startup: healthz(5, 24), liveness: healthz(15, 3), readiness: healthz(10, 3) };
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
  /** More Secrets to mount. */
  readonly extraSecretMounts?: SecretMount[];
  /** The component elects a leader (a Lease in the Karmada API's `karmada-system`) with this timing. */
  readonly leaderElection: ResolvedLeaderElection;
}

/** Where a component's client certificate for karmada-apiserver is mounted. */
export const CLIENT_PKI = '/etc/karmada/pki/client';

/**
 * A Karmada component (`/bin/<component>` in `docker.io/karmada/<component>`) that talks to its node's apiserver
 * through a kubeconfig, elects a leader in `karmada-system` and serves metrics and `/healthz` on its pod IP.
 */
export function karmadaClientComponent(options: KarmadaClientComponentOptions): ComponentSpec {
  const probes = healthzProbes(options.healthPort);
  return {
    component: options.component,
    image: options.image,
    command: [`/bin/${options.component}`],
    args: [
      `--kubeconfig=${kubeconfigPath(options.component)}`,
      '--leader-elect=true',
      `--leader-elect-resource-namespace=${KARMADA_SYSTEM_NAMESPACE}`,
      ...leaderElectionTimingArgs(options.leaderElection),
      `--metrics-bind-address=$(POD_IP):${Ports.KARMADA_METRICS}`,
      `--health-probe-bind-address=$(POD_IP):${options.healthPort}`,
      ...options.extraArgs,
      '--v=2',
    ],
    ports: [{ name: 'metrics', number: Ports.KARMADA_METRICS }, { name: 'health', number: options.healthPort }],
    startup: probes.startup,
    liveness: probes.liveness,
    readiness: probes.readiness,
    secretMounts: [{ id: 'client-cert', secretName: options.clientCertificateSecret, mountPath: CLIENT_PKI }, ...options.extraSecretMounts ?? []],
    kubeconfig: { clientCertificateMountPath: CLIENT_PKI },
    resources: options.resources,
  };
}

/** Where a served component's certificate is mounted. */
export const SERVING_PKI = '/etc/karmada/pki/serving';
/** Where a component's etcd client certificate is mounted. */
export const ETCD_CLIENT_PKI = '/etc/karmada/pki/etcd-client';

/** What differs between the aggregated API servers (karmada-aggregated-apiserver, karmada-search, karmada-metrics-adapter). */
export interface ExtensionApiServerOptions {
  readonly component: string;
  readonly image: string;
  readonly servingCertificateSecret: string;
  readonly clientCertificateSecret: string;
  /** The etcd the server stores its own objects in, when it has any. */
  readonly etcd?: { readonly servers: string[]; readonly keyPrefix: string; readonly clientCertificateSecret: string };
  readonly extraArgs: string[];
  readonly resources: kplus.ContainerResources;
}

/**
 * An API server that karmada-apiserver's aggregator proxies to: it authenticates and authorizes through
 * karmada-apiserver (delegated, with the front-proxy CA read from `kube-system/extension-apiserver-authentication`),
 * serves TLS 1.3 on its pod IP, and is probed on its own `/readyz` and `/livez`.
 */
export function extensionApiServer(options: ExtensionApiServerOptions): ComponentSpec {
  const kubeconfig = kubeconfigPath(options.component);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) =>
    httpProbe(path, Ports.EXTENSION_SERVER, kplus.ConnectionScheme.HTTPS, periodSeconds, 5, failureThreshold);
  const etcd = options.etcd;
  return {
    component: options.component,
    image: options.image,
    command: [`/bin/${options.component}`],
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=$(POD_IP)',
      `--secure-port=${Ports.EXTENSION_SERVER}`,
      `--tls-cert-file=${SERVING_PKI}/tls.crt`,
      `--tls-private-key-file=${SERVING_PKI}/tls.key`,
      '--tls-min-version=VersionTLS13',
      ...(etcd ? [
        `--etcd-servers=${etcd.servers.join(',')}`,
        `--etcd-cafile=${ETCD_CLIENT_PKI}/ca.crt`,
        `--etcd-certfile=${ETCD_CLIENT_PKI}/tls.crt`,
        `--etcd-keyfile=${ETCD_CLIENT_PKI}/tls.key`,
        `--etcd-prefix=${etcd.keyPrefix}`,
      ] : []),
      ...options.extraArgs,
      '--v=2',
    ],
    ports: [{ name: 'https', number: Ports.EXTENSION_SERVER }],
    startup: probe('/livez', 5, 24),
    // 60 s: a GC pause or a slow delegated-auth call must not restart the server.
    liveness: probe('/livez', 10, 6),
    readiness: probe('/readyz', 5, 3),
    secretMounts: [
      { id: 'serving-cert', secretName: options.servingCertificateSecret, mountPath: SERVING_PKI },
      { id: 'client-cert', secretName: options.clientCertificateSecret, mountPath: CLIENT_PKI },
      ...(etcd ? [{ id: 'etcd-client-cert', secretName: etcd.clientCertificateSecret, mountPath: ETCD_CLIENT_PKI }] : []),
    ],
    kubeconfig: { clientCertificateMountPath: CLIENT_PKI },
    resources: options.resources,
  };
}
