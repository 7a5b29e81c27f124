import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ControlPlaneComponentSettings } from '../component-settings';
import { KarmadaImages, KarmadaVersions } from '../images';
import { OptionalKarmadaComponents } from '../karmada-components';
import { ResolvedLeaderElection, leaderElectionTimingArgs } from '../leader-election';
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

/** How karmada-apiserver reaches a component that serves it. */
export type ServingRole =
  /** karmada-apiserver itself: its serving certificate covers every name clients dial it by. */
  | 'apiserver'
  /** karmada-webhook: admission and conversion calls through its host Service. */
  | 'webhook'
  /** An aggregated API server behind APIServices, reached through an ExternalName Service inside the Karmada API. */
  | 'aggregated-api-server';

/** An aggregated API (an APIService) that a component serves. */
export interface AggregatedApi {
  readonly group: string;
  readonly version: string;
  readonly groupPriorityMinimum: number;
  readonly versionPriority: number;
}

/** What the installation tells a component's planner checks. */
export interface ComponentPlanInput {
  /** The member clusters that have a scheduler estimator. */
  readonly schedulerEstimatorClusters: readonly string[];
}

/**
 * Everything the library knows about one control-plane component, in the component's own file: its name, image,
 * settings, switch, what it needs (certificates, etcd, RBAC inside the Karmada API) and what it talks to (network
 * policies), and how it runs on a node. The tables of images, settings, certificates, RBAC and network policies are
 * derived from the list of these in `registry.ts`.
 */
export interface ControlPlaneComponent {
  /** The component's name: label `app.kubernetes.io/name`, e.g. `karmada-search`. */
  readonly name: string;
  /** Its field in `KarmadaImages` and in `ControlPlaneComponentSettings`. */
  readonly field: keyof KarmadaImages & keyof ControlPlaneComponentSettings;
  /** The image it runs unless `KarmadaImages` names another. */
  readonly defaultImage: string;
  /** The switch that runs it; undefined: it always runs. */
  readonly switch?: keyof OptionalKarmadaComponents;
  /** How karmada-apiserver reaches it, when it does (a serving certificate and a host Service). */
  readonly serving?: ServingRole;
  /** The APIServices it serves (an aggregated API server). */
  readonly aggregatedApis?: readonly AggregatedApi[];
  /** It presents a client certificate of its own to karmada-apiserver. */
  readonly karmadaApiClient: boolean;
  /** It dials etcd: the node's local member when stacked, every member otherwise. */
  readonly etcdClient: boolean;
  /** It dials the scheduler estimators (gRPC, with a client certificate of its own) when there are any. */
  readonly dialsEstimators?: boolean;
  /** It dials member clusters' apiservers. */
  readonly dialsMemberClusters?: boolean;
  /** Its ClusterRole inside the Karmada API, bound to its certificate's user. */
  readonly rbac?: readonly kplus.k8s.PolicyRule[];
  /** Its host Service publishes not-ready addresses (it must be reached before it is ready). */
  readonly publishNotReadyAddresses?: boolean;
  /** Warnings about the installation it runs in (legal but unsafe). */
  readonly planWarnings?: (installation: ComponentPlanInput) => string[];
  /** The component as it runs on one control-plane node. */
  readonly render: (node: ControlPlaneNodeContext) => ComponentSpec;
}

/** The default image of a Karmada component: `docker.io/karmada/<component>:<Karmada version>`. */
export function karmadaImage(component: string): string {
  return `docker.io/karmada/${component}:${KarmadaVersions.KARMADA}`;
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
