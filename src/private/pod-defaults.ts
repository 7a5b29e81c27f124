import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

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
