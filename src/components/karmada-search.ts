import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, extensionApiServer, karmadaImage } from './component-spec';
import { CLUSTERS_READ, MEMBER_CLUSTER_SECRETS, READ } from './rbac-rules';
import { Component, SecretNames } from '../private/names';

/** karmada-search on one control-plane node: `search.karmada.io`, caching member-cluster resources; its own etcd connection. */
export function karmadaSearch(node: ControlPlaneNodeContext): ComponentSpec {
  const component = Component.SEARCH;
  return extensionApiServer({
    component,
    image: node.images.search,
    servingCertificateSecret: SecretNames.serving(node.instance, component),
    clientCertificateSecret: SecretNames.client(node.instance, component),
    etcd: { servers: node.etcdServers, keyPrefix: node.etcdKeyPrefix, clientCertificateSecret: node.etcdClientSecret(component) },
    extraArgs: [],
    resources: {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(256), limit: Size.gibibytes(2) },
    },
  });
}

/** karmada-search: on every node when switched on, behind the APIService of `search.karmada.io`. */
export const KARMADA_SEARCH: ControlPlaneComponent = {
  name: Component.SEARCH,
  field: 'search',
  defaultImage: karmadaImage(Component.SEARCH),
  switch: 'search',
  serving: 'aggregated-api-server',
  aggregatedApis: [{ group: 'search.karmada.io', version: 'v1alpha1', groupPriorityMinimum: 2000, versionPriority: 10 }],
  karmadaApiClient: true,
  etcdClient: true,
  dialsMemberClusters: true,
  // pkg/search: informers on Clusters and ResourceRegistries (served by karmada-search itself, listed through
  // karmada-apiserver); member-cluster clients built from the clusters' Secrets (informer and direct gets). Its
  // proxy forwards requests it cannot answer from cache to karmada-apiserver with its own identity: those requests
  // get only these read rights, not the caller's.
  rbac: [
    CLUSTERS_READ,
    { apiGroups: ['search.karmada.io'], resources: ['resourceregistries'], verbs: READ },
    MEMBER_CLUSTER_SECRETS,
  ],
  // It lists its own ResourceRegistries through karmada-apiserver, and so through its own APIService, before /readyz
  // and /livez pass: behind a readiness-gated Service it could never become ready (the real v1.18.2 binary, run from
  // this YAML, crash-looped so).
  publishNotReadyAddresses: true,
  render: karmadaSearch,
};
