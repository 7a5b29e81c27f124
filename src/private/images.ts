import { KarmadaImages, KarmadaVersions } from '../images';

const karmada = (component: string) => `docker.io/karmada/${component}:${KarmadaVersions.KARMADA}`;

/** The default image of every component. */
export const DEFAULT_IMAGES: Required<KarmadaImages> = {
  apiServer: `registry.k8s.io/kube-apiserver:${KarmadaVersions.KUBERNETES}`,
  aggregatedApiServer: karmada('karmada-aggregated-apiserver'),
  kubeControllerManager: `registry.k8s.io/kube-controller-manager:${KarmadaVersions.KUBERNETES}`,
  controllerManager: karmada('karmada-controller-manager'),
  scheduler: karmada('karmada-scheduler'),
  webhook: karmada('karmada-webhook'),
  descheduler: karmada('karmada-descheduler'),
  search: karmada('karmada-search'),
  metricsAdapter: karmada('karmada-metrics-adapter'),
  schedulerEstimator: karmada('karmada-scheduler-estimator'),
  kubectl: `registry.k8s.io/kubectl:${KarmadaVersions.KUBERNETES}`,
  shell: 'docker.io/library/busybox:1.37.0',
};

/** The default etcd image. */
export const DEFAULT_ETCD_IMAGE = `registry.k8s.io/etcd:${KarmadaVersions.ETCD}`;

/** Fill the defaults of a partial image set. */
export function resolveImages(images: KarmadaImages = {}): Required<KarmadaImages> {
  return { ...DEFAULT_IMAGES, ...Object.fromEntries(Object.entries(images).filter(([, image]) => image !== undefined)) };
}
