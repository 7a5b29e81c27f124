import {
  ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, SecretMount, karmadaClientComponent, karmadaImage,
} from './component-spec';
import { ESTIMATOR_SERVICE_LOOKUP, EVENTS, KARMADA_GROUPS_READ, LEADER_ELECTION, READ } from './rbac-rules';
import { Component, KARMADA_SYSTEM_NAMESPACE, Ports, SecretNames } from '../private/names';

/** Where the scheduler's and descheduler's gRPC client certificate for the estimators is mounted. */
const ESTIMATOR_CLIENT_PKI = '/etc/karmada/pki/estimator-client';

/**
 * The flags and mount that point a (de)scheduler at the member clusters' estimators, or turn them off.
 * The (de)scheduler looks the Service `<prefix>-<cluster>` up in `--scheduler-estimator-service-namespace` inside the
 * Karmada API; there is none, so it dials `<prefix>-<cluster>:10352`, which resolves in its own host namespace.
 */
export function schedulerEstimatorClient(node: ControlPlaneNodeContext, component: string): { args: string[]; mounts: SecretMount[] } {
  if (!node.schedulerEstimatorServicePrefix) {
    return { args: component === Component.SCHEDULER ? ['--enable-scheduler-estimator=false'] : [], mounts: [] };
  }
  return {
    args: [
      ...(component === Component.SCHEDULER ? ['--enable-scheduler-estimator=true'] : []),
      `--scheduler-estimator-service-prefix=${node.schedulerEstimatorServicePrefix}`,
      `--scheduler-estimator-service-namespace=${KARMADA_SYSTEM_NAMESPACE}`,
      `--scheduler-estimator-port=${Ports.SCHEDULER_ESTIMATOR}`,
      `--scheduler-estimator-ca-file=${ESTIMATOR_CLIENT_PKI}/ca.crt`,
      `--scheduler-estimator-cert-file=${ESTIMATOR_CLIENT_PKI}/tls.crt`,
      `--scheduler-estimator-key-file=${ESTIMATOR_CLIENT_PKI}/tls.key`,
    ],
    mounts: [{ id: 'estimator-client-cert', secretName: SecretNames.grpcClient(node.instance, component), mountPath: ESTIMATOR_CLIENT_PKI }],
  };
}

/** karmada-scheduler on one control-plane node, talking to that node's apiserver. */
export function karmadaScheduler(node: ControlPlaneNodeContext): ComponentSpec {
  const estimators = schedulerEstimatorClient(node, Component.SCHEDULER);
  return karmadaClientComponent({
    component: Component.SCHEDULER,
    image: node.images.scheduler,
    extraArgs: estimators.args,
    extraSecretMounts: estimators.mounts,
    leaderElection: node.leaderElection,
    healthPort: 10351,
    clientCertificateSecret: SecretNames.client(node.instance, Component.SCHEDULER),
    resources: LIGHT_COMPONENT_RESOURCES,
  });
}

/** karmada-scheduler: on every node, one leader at a time. */
export const KARMADA_SCHEDULER: ControlPlaneComponent = {
  name: Component.SCHEDULER,
  field: 'scheduler',
  defaultImage: karmadaImage(Component.SCHEDULER),
  karmadaApiClient: true,
  etcdClient: false,
  dialsEstimators: true,
  // pkg/scheduler: informers on ResourceBindings, ClusterResourceBindings and Clusters; merge-patches the binding's
  // spec (the placement result) and its status subresource; records events; leader election; estimator Services.
  rbac: [
    { apiGroups: ['work.karmada.io'], resources: ['resourcebindings', 'clusterresourcebindings'], verbs: [...READ, 'patch', 'update'] },
    { apiGroups: ['work.karmada.io'], resources: ['resourcebindings/status', 'clusterresourcebindings/status'], verbs: ['get', 'patch', 'update'] },
    KARMADA_GROUPS_READ,
    ...EVENTS,
    LEADER_ELECTION,
    ESTIMATOR_SERVICE_LOOKUP,
  ],
  render: karmadaScheduler,
};
