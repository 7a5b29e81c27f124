import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { setPriorityClassName } from './resources-and-priority';
import { dropConstructPathLabel } from './selectors';

/** The unprivileged user and group every pod runs as (the distroless "nonroot" ids). */
export const NON_ROOT_ID = 65532;

/** Key files are readable by the pod's group (fsGroup) only. */
export const SECRET_FILE_MODE = 0o440;

/** Pod-level security context: non-root, with fsGroup so mounted Secrets and volumes are readable. */
export const POD_SECURITY_CONTEXT: kplus.PodSecurityContextProps = {
  ensureNonRoot: true,
  user: NON_ROOT_ID,
  group: NON_ROOT_ID,
  fsGroup: NON_ROOT_ID,
  fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
};

/** Container security context: the Pod Security "restricted" profile. */
export const CONTAINER_SECURITY_CONTEXT: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  user: NON_ROOT_ID,
  group: NON_ROOT_ID,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

/** The POD_IP environment variable, from the downward API, which flags reference as `$(POD_IP)`. */
export const POD_IP_ENV: Record<string, kplus.EnvValue> = {
  POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
};

/** A volume of a Secret's keys (or only `items` of them), readable through the pod's group only. */
export function secretVolume(scope: Construct, id: string, secretName: string, items?: string[]): kplus.Volume {
  return kplus.Volume.fromSecret(scope, id, kplus.Secret.fromSecretName(scope, `${id}Ref`, secretName), {
    name: id.toLowerCase(),
    defaultMode: SECRET_FILE_MODE,
    items: items ? Object.fromEntries(items.map(key => [key, { path: key }])) : undefined,
  });
}

/** Mount a Secret's keys (or only `items` of them) read-only at `mountPath`. */
export function mountSecret(scope: Construct, id: string, container: kplus.Container, secretName: string, mountPath: string, items?: string[]): void {
  container.mount(mountPath, secretVolume(scope, id, secretName, items), { readOnly: true });
}

/**
 * The pod props every long-running workload of the installation (Deployment or StatefulSet) shares: no
 * service-account token (no component talks to the host cluster's API), the restricted pod security context, and a
 * selector of the library's own instead of cdk8s-plus's construct-path label (set by `shapeWorkload`).
 */
export const WORKLOAD_POD_PROPS = {
  select: false,
  automountServiceAccountToken: false,
  securityContext: POD_SECURITY_CONTEXT,
} as const;

/** The container props every container of a long-running workload shares: `$(POD_IP)`, the restricted profile. */
export const WORKLOAD_CONTAINER_PROPS = {
  imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
  envVariables: POD_IP_ENV,
  securityContext: CONTAINER_SECURITY_CONTEXT,
} as const;

/**
 * The shell of a workload made with `WORKLOAD_POD_PROPS`: it selects exactly `selector` (its pods carry no
 * construct-path label, so a selector can never drift from the labels the library's affinity rules match) and runs at
 * `priorityClassName` (none when undefined).
 */
export function shapeWorkload(workload: kplus.Deployment | kplus.StatefulSet, selector: Record<string, string>,
  priorityClassName: string | undefined): void {
  workload.select(kplus.LabelSelector.of({ labels: selector }));
  dropConstructPathLabel(ApiObject.of(workload), '/spec/template/metadata/labels');
  setPriorityClassName(ApiObject.of(workload), '/spec/template/spec', priorityClassName);
}
