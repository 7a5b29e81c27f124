import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ComponentSpec, ControlPlaneNodeContext, karmadaClientComponent } from './component-spec';
import { Component, SecretNames } from '../private/names';

/** karmada-controller-manager on one control-plane node, talking to that node's apiserver. */
export function karmadaControllerManager(node: ControlPlaneNodeContext): ComponentSpec {
  return karmadaClientComponent({
    component: Component.CONTROLLER_MANAGER,
    image: node.images.controllerManager,
    extraArgs: ['--cluster-status-update-frequency=10s'],
    leaderElection: node.leaderElection,
    healthPort: 10357,
    clientCertificateSecret: SecretNames.client(node.instance, Component.CONTROLLER_MANAGER),
    resources: {
      cpu: { request: kplus.Cpu.millis(200) },
      memory: { request: Size.mebibytes(256), limit: Size.gibibytes(2) },
    },
  });
}
