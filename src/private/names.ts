/**
 * The names every part of the library agrees on: components, the identities (certificate subjects) they present
 * to karmada-apiserver, the Services that serve them, and the Secrets that hold their certificates. One place, so
 * a certificate's subject can never drift from the RBAC that grants it, nor a SAN from the URL that dials it.
 */

/** Component names: label `app.kubernetes.io/name`, and the suffix of per-node object names without `karmada-`. */
export const Component = {
  API_SERVER: 'karmada-apiserver',
  AGGREGATED_API_SERVER: 'karmada-aggregated-apiserver',
  KUBE_CONTROLLER_MANAGER: 'kube-controller-manager',
  CONTROLLER_MANAGER: 'karmada-controller-manager',
  SCHEDULER: 'karmada-scheduler',
  WEBHOOK: 'karmada-webhook',
  DESCHEDULER: 'karmada-descheduler',
  SEARCH: 'karmada-search',
  METRICS_ADAPTER: 'karmada-metrics-adapter',
  SCHEDULER_ESTIMATOR: 'karmada-scheduler-estimator',
  /** Pull mode: the agent in a member cluster that registers it and applies its work. */
  AGENT: 'karmada-agent',
  /** The CronJob that saves etcd snapshots. */
  ETCD_BACKUP: 'etcd-backup',
  /** The CronJob that defragments etcd members, one at a time. */
  ETCD_DEFRAG: 'etcd-defrag',
  /** The Job that applies the objects inside the Karmada API. */
  BOOTSTRAP: 'karmada-bootstrap',
} as const;

/**
 * The ports the library's parts agree on: a Service's port, the flag that binds it and the NetworkPolicy that opens it
 * read the same constant. A port only one component knows (a health port) stays in that component's file.
 */
export const Ports = {
  /** karmada-apiserver's secure port: its pods, the entry point and every node's own Service. */
  API_SERVER: 5443,
  /** The port karmada-webhook and every aggregated API server serve on (unprivileged). */
  EXTENSION_SERVER: 8443,
  /** The host Services of the served components (webhook, aggregated API servers): what karmada-apiserver dials. */
  SERVED_COMPONENT_SERVICE: 443,
  /** The metrics port every Karmada component and scheduler estimator binds on its pod IP. */
  KARMADA_METRICS: 8080,
  /** kube-controller-manager's secure port (health and metrics; it serves no API). */
  KUBE_CONTROLLER_MANAGER: 10257,
  /** A scheduler estimator's gRPC port, which the scheduler and descheduler dial. */
  SCHEDULER_ESTIMATOR: 10352,
} as const;

/**
 * Stands in for the Karmada CA bundle when it is unknown at synth time (cert-manager issues the CA in the cluster).
 * It is itself valid base64 (of `CDK8S_KARMADA_CA_BUNDLE`), so the objects that carry it still validate; the
 * bootstrap Job replaces every occurrence with the base64 of the CA certificate before it applies them.
 */
export const CA_BUNDLE_PLACEHOLDER = Buffer.from('CDK8S_KARMADA_CA_BUNDLE').toString('base64');

/** The longest installation name: it prefixes node, member, Service and Secret names. */
export const MAX_INSTANCE_NAME_LENGTH = 30;
/** The longest control-plane node name: it prefixes object names such as `<node>-controller-manager`. */
export const MAX_CONTROL_PLANE_NODE_NAME_LENGTH = 40;

/** The namespace inside the Karmada API where leases, ExternalName Services and the like live. */
export const KARMADA_SYSTEM_NAMESPACE = 'karmada-system';

/** A component's name without the `karmada-` prefix: `<node>-<short>` objects, `<name>-<short>-...` Secrets. */
export function shortName(component: string): string {
  return component.replace(/^karmada-/, '');
}

/**
 * The user name (certificate CN) a component presents to karmada-apiserver. kube-controller-manager uses the name
 * Kubernetes' built-in RBAC already grants; Karmada components use `system:karmada:<component>`, each bound to a
 * ClusterRole of its own inside the Karmada API.
 */
export function componentUserName(component: string): string {
  return component === Component.KUBE_CONTROLLER_MANAGER ? 'system:kube-controller-manager' : `system:karmada:${component}`;
}

/** The identity of the bootstrap Job: it creates the first RBAC objects, so it must be a member of `system:masters`. */
export const BOOTSTRAP_USER = 'system:karmada:bootstrap';
/** The group that bypasses authorization; only the bootstrap identity carries it. */
export const SYSTEM_MASTERS = 'system:masters';
/** The people who administer the Karmada API: bound to `cluster-admin` (and `cluster-proxy-admin`) by the bootstrap. */
export const ADMIN_GROUP = 'karmada:cluster-admins';
/** The admin certificate's user name. */
export const ADMIN_USER = 'karmada-admin';
/** The CN karmada-apiserver presents to aggregated API servers (`--requestheader-allowed-names`). */
export const FRONT_PROXY_CLIENT_USER = 'front-proxy-client';

/** The host-cluster Service in front of every node's instance of a served component, e.g. `karmada-webhook`. */
export function hostServiceName(instance: string, component: string): string {
  return `${instance}-${shortName(component)}`;
}

/** One control-plane node's own apiserver Service, e.g. `karmada-cp-0-apiserver`. */
export function nodeApiServerServiceName(nodeName: string): string {
  return `${nodeName}-${shortName(Component.API_SERVER)}`;
}

/**
 * The ClusterIP Service in front of every *ready* etcd member of the installation: etcd maintenance (backups)
 * dials it to reach a healthy member. The members' server certificates cover its name.
 */
export function etcdClientServiceName(instance: string): string {
  return `${instance}-etcd-client`;
}

/** The per-member-cluster scheduler-estimator Service prefix (`--scheduler-estimator-service-prefix`). */
export function schedulerEstimatorServicePrefix(instance: string): string {
  return hostServiceName(instance, Component.SCHEDULER_ESTIMATOR);
}

/** The Service the scheduler dials for one member cluster's estimator: `<prefix>-<cluster>`. */
export function schedulerEstimatorServiceName(instance: string, memberCluster: string): string {
  return `${schedulerEstimatorServicePrefix(instance)}-${memberCluster}`;
}

/**
 * The ExternalName Service *inside the Karmada API* that an APIService points at. karmada-apiserver's aggregator
 * dials it with TLS server name `<name>.karmada-system.svc`, so the serving certificate must cover that name too.
 */
export function karmadaSideServiceName(component: string): string {
  return component;
}

/** The Secrets that hold certificates. Each has `tls.crt`, `tls.key` and `ca.crt` (cert-manager's layout). */
export const SecretNames = {
  /** The Karmada CA: signs every serving and client certificate of the Karmada API. */
  karmadaCa: (instance: string) => `${instance}-ca`,
  /** The etcd CA: signs every etcd server, peer and client certificate. */
  etcdCa: (instance: string) => `${instance}-etcd-ca`,
  /** The front-proxy CA: signs the front-proxy client karmada-apiserver presents to aggregated API servers. */
  frontProxyCa: (instance: string) => `${instance}-front-proxy-ca`,
  /** A component's serving certificate. */
  serving: (instance: string, component: string) => `${instance}-${shortName(component)}-cert`,
  /** A component's client certificate for karmada-apiserver. */
  client: (instance: string, component: string) => `${instance}-${shortName(component)}-client-cert`,
  /** A component's client certificate for etcd. */
  etcdClient: (instance: string, component: string) => `${instance}-${shortName(component)}-etcd-client-cert`,
  /** A component's client certificate for the scheduler estimators (gRPC). */
  grpcClient: (instance: string, component: string) => `${instance}-${shortName(component)}-grpc-client-cert`,
  /** One member cluster's scheduler-estimator serving certificate. */
  schedulerEstimator: (instance: string, memberCluster: string) => `${schedulerEstimatorServiceName(instance, memberCluster)}-cert`,
  /** The member cluster's kubeconfig a scheduler estimator reads (key `kubeconfig`; the user's). */
  memberKubeconfig: (instance: string, memberCluster: string) => `${schedulerEstimatorServiceName(instance, memberCluster)}-kubeconfig`,
  /** The front-proxy client certificate. */
  frontProxyClient: (instance: string) => `${instance}-front-proxy-client-cert`,
  /** The service-account signing key (`tls.key`), kept apart from every TLS key. */
  serviceAccountKey: (instance: string) => `${instance}-service-account-key`,
  /** The bootstrap Job's client certificate. */
  bootstrapClient: (instance: string) => `${instance}-bootstrap-client-cert`,
  /** The admin's client certificate, from which people build a kubeconfig. */
  adminClient: (instance: string) => `${instance}-admin-cert`,
  /** An etcd member's serving certificate for clients. */
  etcdServer: (memberName: string) => `${memberName}-server-cert`,
  /** An etcd member's peer certificate. */
  etcdPeer: (memberName: string) => `${memberName}-peer-cert`,
} as const;

/**
 * The names member clusters and the Karmada API agree on, as `karmadactl join` (push mode) and `karmadactl register`
 * (pull mode) of Karmada v1.18.2 create them, so a member joined by either and one joined by the library look alike.
 */
export const MemberNames = {
  /** The namespace, inside the Karmada API, of the members' credential Secrets (`--cluster-namespace`); in push mode also the member's namespace of Karmada's ServiceAccounts. */
  CLUSTER_NAMESPACE: 'karmada-cluster',
  /** Push mode: the Secret (keys `token`, `caBundle`) of a member's controller ServiceAccount, inside the Karmada API. */
  pushSecret: (cluster: string) => cluster,
  /** Push mode: the Secret (key `token`) of a member's impersonator ServiceAccount, inside the Karmada API. */
  impersonatorSecret: (cluster: string) => `${cluster}-impersonator`,
  /** Push mode: the ServiceAccount karmada-controller-manager acts as in the member, bound to cluster-admin. */
  controllerServiceAccount: (cluster: string) => `karmada-${cluster}`,
  /** Push mode: the ServiceAccount cluster proxying acts as in the member, allowed to impersonate. */
  IMPERSONATOR_SERVICE_ACCOUNT: 'karmada-impersonator',
  /** Pull mode: the member's namespace of karmada-agent. */
  AGENT_NAMESPACE: KARMADA_SYSTEM_NAMESPACE,
  /** Pull mode: karmada-agent's ServiceAccount in the member. */
  AGENT_SERVICE_ACCOUNT: 'karmada-agent-sa',
  /**
   * Pull mode: the member's Secret (and its key) with the agent's kubeconfig for the Karmada API, as `karmadactl
   * register` writes it; the agent's certificate rotation rewrites that Secret, and v1.18.2 has no flag to name another.
   */
  AGENT_KUBECONFIG_SECRET: 'karmada-kubeconfig',
  /** Pull mode: the user (certificate CN) of a member's karmada-agent. */
  agentUser: (cluster: string) => `system:karmada:agent:${cluster}`,
  /** Pull mode: the group (certificate O) of every karmada-agent; karmada-controller-manager approves its CSRs. */
  AGENTS_GROUP: 'system:karmada:agents',
  /** Pull mode: the bootstrap-token group whose CSRs for agent certificates are approved. */
  BOOTSTRAP_TOKEN_GROUP: 'system:bootstrappers:karmada:default-cluster-token',
  /** The namespace, inside the Karmada API, of a member's Works (its execution space). */
  executionSpace: (cluster: string) => `karmada-es-${cluster}`,
  /** The longest member-cluster name Karmada accepts (its execution space must stay a namespace name). */
  MAX_CLUSTER_NAME_LENGTH: 48,
} as const;
