import { createHash } from 'crypto';
import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KarmadaApiObjectsProps } from './karmada-api-objects';
import { HostRequirements } from '../host-requirements';
import { KarmadaImages } from '../images';
import { InstallationScopeProps, Defaults, resolveNamespace } from '../installation';
import { KarmadaLabels } from '../labels';
import { applyHostRequirements } from '../private/host-placement';
import { resolveImages } from '../private/image-defaults';
import { gzipRendered, renderKarmadaApiObjects } from '../private/karmada-api-render';
import { fileKubeconfig } from '../private/kubeconfig';
import { CA_BUNDLE_PLACEHOLDER, Component, SecretNames } from '../private/names';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT, mountSecret } from '../private/pod-defaults';
import { dropConstructPathLabel, installationLabels } from '../private/selectors';
import { checkHostRequirements, checkHttpsUrl, checkImageReference, checkInstanceName, checkNamespace } from '../private/validation';

/**
 * Props of the Job that creates the objects inside the Karmada API.
 */
export interface KarmadaBootstrapJobProps extends InstallationScopeProps {
  /**
   * The in-cluster https URL of karmada-apiserver's HA entry point, e.g.
   * `https://karmada-apiserver.karmada-system.svc.cluster.local:5443`.
   */
  readonly apiServerUrl: string;
  /**
   * What to create inside the Karmada API. Leave `caBundle` unset: the Job fills in the CA it mounts.
   * `instance` and `hostNamespace` default to the Job's `instance` and namespace.
   * @default - the default KarmadaApiObjects of this instance and namespace
   */
  readonly karmadaApiObjects?: KarmadaApiObjectsProps;
  /**
   * Container images (`kubectl` and `shell` are used).
   * @default - `registry.k8s.io/kubectl` of Kubernetes v1.35.4 and busybox
   */
  readonly images?: KarmadaImages;
  /**
   * Which hosts may run the Job's pod.
   * @default - any host
   */
  readonly hosts?: HostRequirements;
}

/** Where things are mounted in the Job's pod. */
const OBJECTS_DIR = '/etc/karmada/objects';
const CA_DIR = '/etc/karmada/ca';
const CLIENT_DIR = '/etc/karmada/pki';
const KUBECONFIG_DIR = '/etc/karmada/kubeconfig';
const WORK_DIR = '/work';
const OBJECTS_KEY = 'objects.yaml.gz';
const KUBECONFIG_KEY = 'kubeconfig';
const MANIFEST = `${WORK_DIR}/objects.yaml`;

/** A ConfigMap holds at most 1 MiB; leave room for its metadata. */
const MAX_COMPRESSED_BASE64 = 1000 * 1024;

/**
 * Retries of the Job. With the default exponential back-off (10 s, doubling, at most 6 min between pods) 12 retries
 * span about an hour: long enough for etcd, karmada-apiserver and cert-manager's certificates to come up after a
 * first `kubectl apply` of everything at once, which is the only wait the Job needs (kubectl cannot wait for an
 * apiserver without a shell, and the kubectl image has none to rely on).
 */
const BACKOFF_LIMIT = 12;
/** A finished Job is removed after a day; applying the manifest again re-creates it, and applying twice is harmless. */
const TTL_AFTER_FINISHED = Duration.days(1);

/**
 * A Job in the host cluster that applies the objects which must exist inside the Karmada API (`KarmadaApiObjects`)
 * to karmada-apiserver, with the CA bundle filled in from the cluster:
 *
 * 1. an init container (the shell image) decompresses the objects from a ConfigMap and replaces every CA bundle
 *    placeholder with the base64 of `ca.crt` from the bootstrap client certificate's Secret;
 * 2. kubectl applies them server-side (`--force-conflicts`, field manager `cdk8s-karmada`) with a kubeconfig that
 *    references the mounted certificate files.
 *
 * It needs no access to the host cluster's API (no service-account token). A Job's pod template cannot change, so
 * the Job's name carries a hash of everything it applies and runs with: a change makes a new Job, which runs again.
 * The objects travel gzip-compressed in a ConfigMap (about 110 KB of base64 for some 730 KB of YAML), which leaves
 * room below a ConfigMap's 1 MiB for CRDs to grow.
 *
 * @example
 * new KarmadaBootstrapJob(chart, 'bootstrap', {
 *   apiServerUrl: 'https://karmada-apiserver.karmada-system.svc.cluster.local:5443',
 * });
 */
export class KarmadaBootstrapJob extends Construct {
  /** The Job's name: `<instance>-bootstrap-<hash>`. */
  public readonly jobName: string;
  /** The namespace of the Job and its ConfigMaps. */
  public readonly namespace: string;
  /** The Job. */
  public readonly job: kplus.Job;
  /** The YAML the Job applies, before the CA bundle is filled in. */
  public readonly renderedObjects: string;

  constructor(scope: Construct, id: string, props: KarmadaBootstrapJobProps) {
    super(scope, id);
    const instance = props.instance ?? Defaults.INSTANCE;
    this.namespace = resolveNamespace(this, props.namespace);
    checkProps(props, instance, this.namespace);
    const images = resolveImages(props.images);
    this.renderedObjects = renderKarmadaApiObjects({ ...props.karmadaApiObjects, instance, hostNamespace: this.namespace });

    const compressed = gzipRendered(this.renderedObjects).toString('base64');
    if (compressed.length > MAX_COMPRESSED_BASE64) {
      throw new Error(`the Karmada API objects compress to ${compressed.length} bytes of base64, more than a ConfigMap holds (${MAX_COMPRESSED_BASE64})`);
    }
    const labels = { ...installationLabels(instance), [KarmadaLabels.NAME]: Component.BOOTSTRAP };
    const objects = new kplus.ConfigMap(this, 'Objects', {
      metadata: { name: `${instance}-karmada-api-objects`, namespace: this.namespace, labels },
      binaryData: { [OBJECTS_KEY]: compressed },
    });
    const kubeconfig = new kplus.ConfigMap(this, 'Kubeconfig', {
      metadata: { name: `${instance}-bootstrap-kubeconfig`, namespace: this.namespace, labels },
      data: { [KUBECONFIG_KEY]: fileKubeconfig(props.apiServerUrl, Component.BOOTSTRAP, CLIENT_DIR) },
    });

    const prepareScript = [
      'set -eu',
      `ca="$(base64 < ${CA_DIR}/ca.crt | tr -d '\\n')"`,
      `[ -n "$ca" ] || { echo "${CA_DIR}/ca.crt is empty" >&2; exit 1; }`,
      `gunzip -c ${OBJECTS_DIR}/${OBJECTS_KEY} > ${MANIFEST}.in`,
      `sed "s|${CA_BUNDLE_PLACEHOLDER}|$ca|g" ${MANIFEST}.in > ${MANIFEST}`,
      `rm ${MANIFEST}.in`,
      `if grep -q '${CA_BUNDLE_PLACEHOLDER}' ${MANIFEST}; then echo "the CA bundle placeholder is left in ${MANIFEST}" >&2; exit 1; fi`,
    ].join('\n');
    const kubectlArgs = [
      `--kubeconfig=${KUBECONFIG_DIR}/${KUBECONFIG_KEY}`,
      `--cache-dir=${WORK_DIR}/.kube/cache`,
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=cdk8s-karmada',
      `--filename=${MANIFEST}`,
    ];
    // The pod template is immutable: whatever goes into it (and what it applies) is part of the Job's name.
    const hash = createHash('sha256').update(JSON.stringify({
      objects: this.renderedObjects,
      kubectl: images.kubectl,
      shell: images.shell,
      apiServerUrl: props.apiServerUrl,
      prepareScript,
      kubectlArgs,
      hosts: props.hosts ?? {},
    })).digest('hex').slice(0, 10);
    this.jobName = `${instance}-bootstrap-${hash}`;

    this.job = new kplus.Job(this, 'Job', {
      metadata: { name: this.jobName, namespace: this.namespace, labels },
      podMetadata: { labels },
      backoffLimit: BACKOFF_LIMIT,
      ttlAfterFinished: TTL_AFTER_FINISHED,
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
      securityContext: POD_SECURITY_CONTEXT,
    });
    dropConstructPathLabel(ApiObject.of(this.job), '/spec/template/metadata/labels');
    const work = kplus.Volume.fromEmptyDir(this.job, 'Work', 'work', { sizeLimit: Size.mebibytes(64) });
    const resources = (memoryLimit: number): kplus.ContainerResources => ({
      cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(memoryLimit) },
    });

    const prepare = this.job.addInitContainer({
      name: 'prepare',
      image: images.shell,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['sh', '-c', prepareScript],
      securityContext: CONTAINER_SECURITY_CONTEXT,
      resources: resources(64),
    });
    prepare.mount(OBJECTS_DIR, kplus.Volume.fromConfigMap(this.job, 'ObjectsVolume', objects, {
      name: 'objects',
      items: { [OBJECTS_KEY]: { path: OBJECTS_KEY } },
    }), { readOnly: true });
    // The init container needs only the CA certificate, not the client key.
    mountSecret(this.job, 'ca', prepare, SecretNames.bootstrapClient(instance), CA_DIR, ['ca.crt']);
    prepare.mount(WORK_DIR, work);

    const apply = this.job.addContainer({
      name: 'apply',
      image: images.kubectl,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      // The image's entrypoint is /bin/kubectl; the absolute path works whatever PATH the image sets.
      command: ['/bin/kubectl'],
      args: kubectlArgs,
      securityContext: CONTAINER_SECURITY_CONTEXT,
      resources: resources(512),
    });
    apply.mount(KUBECONFIG_DIR, kplus.Volume.fromConfigMap(this.job, 'KubeconfigVolume', kubeconfig, {
      name: 'kubeconfig',
      items: { [KUBECONFIG_KEY]: { path: KUBECONFIG_KEY } },
    }), { readOnly: true });
    mountSecret(this.job, 'client-cert', apply, SecretNames.bootstrapClient(instance), CLIENT_DIR, ['tls.crt', 'tls.key', 'ca.crt']);
    apply.mount(WORK_DIR, work);

    applyHostRequirements(this.job, props.hosts);
  }

}

function checkProps(props: KarmadaBootstrapJobProps, instance: string, namespace: string): void {
  const errors: string[] = [];
  if (props.instance !== undefined) errors.push(...checkInstanceName('instance', props.instance));
  if (props.namespace !== undefined) errors.push(...checkNamespace('namespace', props.namespace));
  errors.push(...checkHttpsUrl('apiServerUrl', props.apiServerUrl, 'https://karmada-apiserver.karmada-system.svc.cluster.local:5443'));
  if (props.images?.kubectl !== undefined) errors.push(...checkImageReference('images.kubectl', props.images.kubectl));
  if (props.images?.shell !== undefined) errors.push(...checkImageReference('images.shell', props.images.shell));
  errors.push(...checkHostRequirements('hosts', props.hosts));
  const objects = props.karmadaApiObjects ?? {};
  if (objects.instance !== undefined && objects.instance !== instance) {
    errors.push(`karmadaApiObjects.instance '${objects.instance}' differs from instance '${instance}': the Job serves one installation, drop karmadaApiObjects.instance or make them equal`);
  }
  if (objects.hostNamespace !== undefined && objects.hostNamespace !== namespace) {
    errors.push(`karmadaApiObjects.hostNamespace '${objects.hostNamespace}' differs from the Job's namespace '${namespace}': the Job runs beside the control plane, drop karmadaApiObjects.hostNamespace or make them equal`);
  }
  if (errors.length > 0) {
    throw new Error(errors.join('\n'));
  }
}

