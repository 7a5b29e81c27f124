import { karmadaImage } from '../components/component-spec';
import { CONTROL_PLANE_COMPONENTS } from '../components/registry';
import { KarmadaImages, KarmadaVersions } from '../images';
import { Component } from './names';

/** The default image of every component: the control-plane components' own, then the estimators', kubectl and a shell. */
export const DEFAULT_IMAGES: Required<KarmadaImages> = {
  ...Object.fromEntries(CONTROL_PLANE_COMPONENTS.map(component => [component.field, component.defaultImage])) as Pick<Required<KarmadaImages>,
  typeof CONTROL_PLANE_COMPONENTS[number]['field']>,
  schedulerEstimator: karmadaImage(Component.SCHEDULER_ESTIMATOR),
  kubectl: `registry.k8s.io/kubectl:${KarmadaVersions.KUBERNETES}`,
  shell: 'docker.io/library/busybox:1.37.0',
};

/** The default etcd image. */
export const DEFAULT_ETCD_IMAGE = `registry.k8s.io/etcd:${KarmadaVersions.ETCD}`;

/** Fill the defaults of a partial image set. */
export function resolveImages(images: KarmadaImages = {}): Required<KarmadaImages> {
  return { ...DEFAULT_IMAGES, ...Object.fromEntries(Object.entries(images).filter(([, image]) => image !== undefined)) };
}
