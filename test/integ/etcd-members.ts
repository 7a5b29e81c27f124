/**
 * Reads the etcd members out of synthesized manifests, following the contract of the library's etcd members:
 * each member is an `apps/v1` StatefulSet with one replica whose pod template carries the labels
 * `app.kubernetes.io/name: etcd` and `karmada.io/etcd-member: <member>`, with one container named `etcd` whose
 * command runs `etcd` and whose args are `--flag=value` strings (which may reference `$(VAR)` env variables). Its
 * certificates come from Secret volumes mounted into that container (keys `tls.crt`, `tls.key`, `ca.crt`).
 */

export const ETCD_NAME_LABEL = 'app.kubernetes.io/name';
export const ETCD_MEMBER_LABEL = 'karmada.io/etcd-member';

/** A container env entry, as far as the harness understands it. */
export interface ContainerEnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath: string } };
}

/** An HTTP probe of the etcd container. */
export interface HttpGetProbe {
  readonly path: string;
  readonly port: number;
  readonly scheme: string;
  readonly timeoutSeconds?: number;
}

/** A Secret volume mounted into the etcd container. */
export interface SecretMount {
  readonly secretName: string;
  /** The directory in the container. */
  readonly mountPath: string;
  /** The keys projected (key → file name in the directory); undefined: every key under its own name. */
  readonly items?: ReadonlyArray<{ readonly key: string; readonly path: string }>;
}

/** One etcd member as synthesized. */
export interface SynthesizedEtcdMember {
  /** The `karmada.io/etcd-member` label. */
  readonly name: string;
  readonly namespace: string;
  readonly statefulSetName: string;
  /** The pod's name: `<statefulSet>-0`. */
  readonly podName: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly ContainerEnvVar[];
  /** The Secret volumes mounted into the etcd container. */
  readonly secretMounts: readonly SecretMount[];
  readonly probes: {
    readonly startup?: HttpGetProbe;
    readonly liveness?: HttpGetProbe;
    readonly readiness?: HttpGetProbe;
  };
}

interface ManifestObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly replicas?: number;
    readonly template?: {
      readonly metadata?: { readonly labels?: Record<string, string> };
      readonly spec?: { readonly containers?: readonly ContainerSpec[]; readonly volumes?: readonly VolumeSpec[] };
    };
  };
}

interface ContainerSpec {
  readonly name?: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly ContainerEnvVar[];
  readonly volumeMounts?: ReadonlyArray<{ readonly name: string; readonly mountPath: string; readonly subPath?: string }>;
  readonly startupProbe?: ProbeSpec;
  readonly livenessProbe?: ProbeSpec;
  readonly readinessProbe?: ProbeSpec;
}

interface VolumeSpec {
  readonly name: string;
  readonly secret?: { readonly secretName?: string; readonly items?: ReadonlyArray<{ readonly key: string; readonly path: string }> };
}

interface ProbeSpec {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string; readonly scheme?: string };
  readonly timeoutSeconds?: number;
}

/**
 * The etcd members among `objects` (the output of `Testing.synth`), sorted by name. Throws with a precise message
 * when a member breaks the contract.
 */
export function synthesizedEtcdMembers(objects: readonly unknown[]): SynthesizedEtcdMember[] {
  const members: SynthesizedEtcdMember[] = [];
  for (const object of objects as readonly ManifestObject[]) {
    const labels = object?.spec?.template?.metadata?.labels ?? {};
    if (object?.kind !== 'StatefulSet' || labels[ETCD_NAME_LABEL] !== 'etcd') {
      continue;
    }
    const where = `StatefulSet ${object.metadata?.namespace}/${object.metadata?.name}`;
    const fail = (problem: string): never => {
      throw new Error(`${where} breaks the etcd member contract: ${problem}`);
    };
    if (object.apiVersion !== 'apps/v1') fail(`apiVersion is ${object.apiVersion}, not apps/v1`);
    if (object.spec?.replicas !== 1) fail(`replicas is ${object.spec?.replicas}, not 1`);
    const name = labels[ETCD_MEMBER_LABEL] ?? fail(`the pod template has no ${ETCD_MEMBER_LABEL} label`);
    const statefulSetName = object.metadata?.name ?? fail('no metadata.name');
    const namespace = object.metadata?.namespace ?? fail('no metadata.namespace');
    const containers = (object.spec?.template?.spec?.containers ?? []).filter(c => c.name === 'etcd');
    if (containers.length !== 1) fail(`expected one container named etcd, found ${containers.length}`);
    const container = containers[0];
    const command = container.command ?? fail('the etcd container has no command');
    if (command.length !== 1 || command[0].split('/').pop() !== 'etcd') {
      fail(`the etcd container's command is ${JSON.stringify(command)}, not ["etcd"]`);
    }
    const args = container.args ?? [];
    for (const arg of args) {
      if (!/^--[a-z0-9-]+=/.test(arg)) fail(`argument ${JSON.stringify(arg)} is not of the form --flag=value`);
    }
    const volumes = object.spec?.template?.spec?.volumes ?? [];
    const secretMounts: SecretMount[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const volume = volumes.find(v => v.name === mount.name);
      if (!volume?.secret) continue;
      if (mount.subPath) fail(`volume mount ${mount.name} uses subPath, which the harness does not map`);
      secretMounts.push({
        secretName: volume.secret.secretName ?? fail(`Secret volume ${volume.name} has no secretName`),
        mountPath: mount.mountPath,
        items: volume.secret.items,
      });
    }
    members.push({
      name,
      namespace,
      statefulSetName,
      podName: `${statefulSetName}-0`,
      image: container.image ?? fail('the etcd container has no image'),
      command,
      args,
      env: container.env ?? [],
      secretMounts,
      probes: {
        startup: httpProbe(container.startupProbe),
        liveness: httpProbe(container.livenessProbe),
        readiness: httpProbe(container.readinessProbe),
      },
    });
  }
  const names = members.map(m => m.name);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) {
    throw new Error(`etcd member names are not unique: ${duplicates.join(', ')}`);
  }
  return members.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

function httpProbe(probe: ProbeSpec | undefined): HttpGetProbe | undefined {
  const httpGet = probe?.httpGet;
  if (!httpGet?.path || typeof httpGet.port !== 'number') {
    return undefined;
  }
  return { path: httpGet.path, port: httpGet.port, scheme: httpGet.scheme ?? 'HTTP', timeoutSeconds: probe?.timeoutSeconds };
}
