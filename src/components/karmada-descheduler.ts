import { ComponentSpec, ControlPlaneNodeContext, LIGHT_COMPONENT_RESOURCES, karmadaClientComponent } from './component-spec';
import { schedulerEstimatorClient } from './karmada-scheduler';
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
