import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ComponentSpec, ControlPlaneNodeContext, karmadaClientComponent } from './component-spec';

/** The component name of karmada-scheduler. */
export const SCHEDULER = 'karmada-scheduler';

/** karmada-scheduler on one control-plane node, talking to that node's apiserver. */
export function karmadaScheduler(node: ControlPlaneNodeContext): ComponentSpec {
  return karmadaClientComponent({
    component: SCHEDULER,
    image: node.images.scheduler,
    extraArgs: ['--enable-scheduler-estimator=false'],
    healthPort: 10351,
    clientCertificateSecret: node.certificates.schedulerClient,
    resources: {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
    },
  });
}
