import * as kplus from 'cdk8s-plus-28';

/*
 * The rules the components' ClusterRoles inside the Karmada API are made of. Each component's own rules are in its
 * file (`rbac`), derived from what Karmada v1.18.2's code lists, watches and writes: least privilege, but never less
 * than a component needs, since a missing permission crash-loops it or fails requests.
 */

/** A rule of a ClusterRole inside the Karmada API. */
export type Rule = kplus.k8s.PolicyRule;

export const READ = ['get', 'list', 'watch'];
export const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
export const EVENTS: Rule[] = [
  // Events about bindings and their resource templates, in any namespace (client-go's event recorder).
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
];
/** Leader election (`--leader-elect`, a Lease in karmada-system by default). */
export const LEADER_ELECTION: Rule = { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] };
/**
 * The scheduler-estimator connection: the scheduler and descheduler look up the ExternalName Service
 * `<prefix>-<cluster>` in karmada-system (`pkg/estimator/client/service.go`); "not found" makes them fall back to the
 * host's DNS name, but "forbidden" would fail the connection.
 */
export const ESTIMATOR_SERVICE_LOOKUP: Rule = { apiGroups: [''], resources: ['services'], verbs: ['get'] };
/**
 * The credentials of member clusters: `Cluster.spec.secretRef` and `impersonatorSecretRef` name Secrets in any
 * namespace (karmadactl uses `karmada-cluster`); the aggregated API servers list and watch them through an informer.
 */
export const MEMBER_CLUSTER_SECRETS: Rule = { apiGroups: [''], resources: ['secrets'], verbs: READ };
export const CLUSTERS_READ: Rule = { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], verbs: READ };
/**
 * Read on Karmada's own API groups (none holds credentials). An informer without list rights never syncs and stalls
 * its component, and the informers a component starts change between releases (older schedulers also watched the
 * propagation policies), so the components that act on Karmada's objects may read all of them.
 */
export const KARMADA_GROUPS_READ: Rule = {
  apiGroups: ['cluster.karmada.io', 'policy.karmada.io', 'work.karmada.io', 'config.karmada.io', 'networking.karmada.io',
    'autoscaling.karmada.io', 'apps.karmada.io', 'remedy.karmada.io'],
  resources: ['*'],
  verbs: READ,
};

/** The API group of Roles, ClusterRoles and their bindings (`roleRef.apiGroup`, User and Group subjects). */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';
