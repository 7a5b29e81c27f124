import { KarmadaImages, KarmadaVersions } from '../images';

/** The default image of every component. */
export const DEFAULT_IMAGES: Required<KarmadaImages> = {
  apiServer: `registry.k8s.io/kube-apiserver:${KarmadaVersions.KUBERNETES}`,
  controllerManager: `docker.io/karmada/karmada-controller-manager:${KarmadaVersions.KARMADA}`,
  scheduler: `docker.io/karmada/karmada-scheduler:${KarmadaVersions.KARMADA}`,
};

/** The default etcd image. */
export const DEFAULT_ETCD_IMAGE = `registry.k8s.io/etcd:${KarmadaVersions.ETCD}`;

/** Fill the defaults of a partial image set. */
export function resolveImages(images: KarmadaImages = {}): Required<KarmadaImages> {
  return {
    apiServer: images.apiServer ?? DEFAULT_IMAGES.apiServer,
    controllerManager: images.controllerManager ?? DEFAULT_IMAGES.controllerManager,
    scheduler: images.scheduler ?? DEFAULT_IMAGES.scheduler,
  };
}
