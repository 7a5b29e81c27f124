import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ComponentSpec, ControlPlaneComponent, ControlPlaneNodeContext, karmadaClientComponent, karmadaImage } from './component-spec';
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

/** karmada-controller-manager: on every node, one leader at a time. */
export const KARMADA_CONTROLLER_MANAGER: ControlPlaneComponent = {
  name: Component.CONTROLLER_MANAGER,
  field: 'controllerManager',
  defaultImage: karmadaImage(Component.CONTROLLER_MANAGER),
  karmadaApiClient: true,
  etcdClient: false,
  // It pushes Works to the member clusters and watches their status.
  dialsMemberClusters: true,
  // It propagates resource templates of any type, including CRDs and RBAC objects that only the user knows, creates
  // Works and namespaces, approves agent CSRs, and drives every Karmada API: it needs every verb on every resource
  // (this is what the upstream installers give it through system:masters).
  rbac: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  render: karmadaControllerManager,
};
