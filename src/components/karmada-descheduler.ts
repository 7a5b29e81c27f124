import {
  ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, karmadaClientComponent, karmadaImage,
} from './component-spec';
import { schedulerEstimatorClient } from './karmada-scheduler';
import { ESTIMATOR_SERVICE_LOOKUP, EVENTS, KARMADA_GROUPS_READ, LEADER_ELECTION, READ } from './rbac-rules';
import { Component, SecretNames } from '../private/names';

/** karmada-descheduler on one control-plane node: evicts replicas the estimators report unschedulable. */
export function karmadaDescheduler(node: ControlPlaneNodeContext): ComponentSpec {
  const estimators = schedulerEstimatorClient(node, Component.DESCHEDULER);
  return karmadaClientComponent({
    component: Component.DESCHEDULER,
    image: node.images.descheduler,
    extraArgs: estimators.args,
    extraSecretMounts: estimators.mounts,
    leaderElection: node.leaderElection,
    healthPort: 10358,
    clientCertificateSecret: SecretNames.client(node.instance, Component.DESCHEDULER),
    resources: LIGHT_COMPONENT_RESOURCES,
  });
}

/** karmada-descheduler: on every node when switched on, one leader at a time. */
export const KARMADA_DESCHEDULER: ControlPlaneComponent = {
  name: Component.DESCHEDULER,
  field: 'descheduler',
  defaultImage: karmadaImage(Component.DESCHEDULER),
  switch: 'descheduler',
  karmadaApiClient: true,
  etcdClient: false,
  dialsEstimators: true,
  // pkg/descheduler: informers on ResourceBindings and Clusters; updates a binding to evict unschedulable replicas;
  // records events; leader election; estimator Services.
  rbac: [
    { apiGroups: ['work.karmada.io'], resources: ['resourcebindings'], verbs: [...READ, 'update'] },
    KARMADA_GROUPS_READ,
    ...EVENTS,
    LEADER_ELECTION,
    ESTIMATOR_SERVICE_LOOKUP,
  ],
  planWarnings: installation => installation.schedulerEstimatorClusters.length > 0 ? [] : [
    'components.descheduler is on but no member cluster has a scheduler estimator: karmada-descheduler only acts on what the estimators report; list them in components.schedulerEstimatorClusters',
  ],
  render: karmadaDescheduler,
};
