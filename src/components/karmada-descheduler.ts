import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ComponentSpec, ControlPlaneNodeContext, karmadaClientComponent } from './component-spec';
import { schedulerEstimatorClient } from './karmada-scheduler';
import { Component, SecretNames } from '../private/identities';

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
    resources: {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
    },
  });
}
