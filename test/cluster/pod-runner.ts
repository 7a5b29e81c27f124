import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { HostCluster, sleep } from './host-cluster';
import { PodAttachment, PodNetwork, POD_NETWORK } from './pod-network';
import { imageName, KARMADA_PROGRAMS, realProgram, RealProgram } from './real-components';
import { BusyboxBinary, ensureBusyboxBinary } from '../integ/busybox-binary';

/**
 * A kubelet for the hosts the tests want real processes on (the others stay kwok's): for each pod the real
 * scheduler put on such a host, it runs the pod's containers as processes, with exactly the pod's command, args and
 * environment, and reports what happens back to the host cluster, as a kubelet does:
 *
 * - the Node: its Ready condition and its Lease, renewed every few seconds (stopped while the host is cut off);
 * - the pod: a network namespace of its own (test/cluster/pod-network.ts), its address written to the pod's status;
 * - volumes, from the live objects: Secrets and ConfigMaps written as files (items, modes), emptyDirs, and for a
 *   claim the bound PersistentVolume's folder, which outlives the pod as a disk does;
 * - each container in a file system of its own: a tmpfs root holding the image's programs (`IMAGE_FILES`, built
 *   from the Go modules at the images' versions), `/etc/hosts`, and every volume at its mount path; read-only when
 *   the container says so; run as its user and group; the pod's name as its host name (a UTS namespace of its own);
 * - `$(VAR)` in command, args and env expanded as the kubelet expands them; env from values, the downward API
 *   (fieldRef) and Secret and ConfigMap keys;
 * - names: each pod's `/etc/hosts` holds every Service of the namespace (its ClusterIP, under its short and full
 *   names; a headless Service's name gives its pods' addresses) and the pod's own name, kept up to date;
 * - probes (startup, readiness, liveness; httpGet and tcpSocket) run from the host as the kubelet runs them, and the
 *   pod's Ready condition follows them, so EndpointSlices, Services and budgets see real readiness; a container that
 *   exits, or fails its liveness probe, is restarted with a back-off.
 *
 * What differs from a kubelet is written down in test/cluster/README.md.
 */

/** Where each image keeps its programs, and which built program each one is. */
const IMAGE_FILES: Record<string, ReadonlyArray<readonly [string, RealProgram]>> = {
  'kube-apiserver': [['/usr/local/bin/kube-apiserver', 'kube-apiserver']],
  'kube-controller-manager': [['/usr/local/bin/kube-controller-manager', 'kube-controller-manager']],
  'etcd': [['/usr/local/bin/etcd', 'etcd'], ['/usr/local/bin/etcdctl', 'etcdctl'], ['/usr/local/bin/etcdutl', 'etcdutl']],
  'kubectl': [['/bin/kubectl', 'kubectl']],
  ...Object.fromEntries(KARMADA_PROGRAMS.map(program => [program, [[`/bin/${program}`, program]]])),
};
/** The shell image (busybox): one binary at /bin/busybox, each applet a link to it, as the image has them. */
const BUSYBOX_IMAGE = 'busybox';
let busybox: BusyboxBinary | undefined;

/** What a container of `image` finds in its file system: `[path in the image, file on this machine]`, and links. */
function imageLayout(image: string): { files: Array<readonly [string, string]>; links: Array<readonly [string, string]> } | undefined {
  const name = imageName(image);
  if (name === BUSYBOX_IMAGE) {
    busybox ??= ensureBusyboxBinary();
    return { files: [['/bin/busybox', busybox.path]], links: busybox.applets.map(applet => [`/bin/${applet}`, '/bin/busybox'] as const) };
  }
  const files = IMAGE_FILES[name];
  return files ? { files: files.map(([file, program]) => [file, realProgram(program)] as const), links: [] } : undefined;
}

/** The PATH the images set. */
const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const HEARTBEAT_MS = 5_000;
const SYNC_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;

function quote(text: string): string {
  return `'${text.replace(/'/g, '\'\\\'\'')}'`;
}

/** `$(VAR)` expanded from `env` as the kubelet does: an unknown name stays as written, `$$` is a `$`. */
export function expandVariables(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name) => {
    if (whole === '$$') return '$';
    return env[name] ?? whole;
  });
}

interface ContainerState {
  readonly spec: any;
  readonly init: boolean;
  process?: ChildProcess;
  startedAt?: string;
  restarts: number;
  ready: boolean;
  started: boolean;
  exitCode?: number;
  lastTermination?: { exitCode: number; finishedAt: string };
  probeFailures: { readiness: number; liveness: number; startup: number };
  probeTimer?: NodeJS.Timeout;
  restartTimer?: NodeJS.Timeout;
  stopping?: boolean;
}

interface RunningPod {
  readonly key: string;
  readonly uid: string;
  pod: any;
  readonly dir: string;
  readonly attachment: PodAttachment;
  readonly containers: ContainerState[];
  readonly startTime: string;
  volumesReady: boolean;
  lastStatus?: string;
  stopping?: boolean;
}

export interface PodRunnerOptions {
  /** The hosts this runner is the kubelet of (Nodes without kwok's annotation). */
  readonly hosts: readonly string[];
  /** The namespaces whose Services the pods' /etc/hosts name. */
  readonly namespaces: readonly string[];
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
}

export class PodRunner {
  public static async start(cluster: HostCluster, options: PodRunnerOptions): Promise<PodRunner> {
    const runner = new PodRunner(cluster, options, PodNetwork.create());
    runner.loop = runner.run();
    return runner;
  }

  private readonly pods = new Map<string, RunningPod>();
  private readonly addresses = new Map<string, string>();
  private readonly cut = new Set<string>();
  /** Hosts that are down: nothing of theirs runs, nothing restarts, until {@link PodRunner.bringUp}. */
  private readonly down = new Set<string>();
  private readonly dir: string;
  private readonly clusterDomain: string;
  private hostsFile = '';
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  private lastHeartbeat = 0;
  private readonly errors: string[] = [];

  private constructor(private readonly cluster: HostCluster, private readonly options: PodRunnerOptions, public readonly network: PodNetwork) {
    this.dir = path.join(cluster.dir, 'pod-runner');
    fs.mkdirSync(this.dir, { recursive: true });
    this.clusterDomain = options.clusterDomain ?? 'cluster.local';
  }

  /** What went wrong in the loop so far (a pod that could not start, a status that could not be written). */
  public get problems(): readonly string[] {
    return this.errors;
  }

  /** The log file of a container of a pod (`namespace/name`). */
  public logFile(podKey: string, container: string): string | undefined {
    const pod = this.pods.get(podKey);
    return pod ? path.join(pod.dir, `${container}.log`) : undefined;
  }

  /** Every container's log file, as `{ pod, container, file }`. */
  public logFiles(): Array<{ pod: string; container: string; file: string }> {
    return [...this.pods.values()].flatMap(pod => pod.containers.map(c => ({ pod: pod.key, container: c.spec.name as string, file: path.join(pod.dir, `${c.spec.name}.log`) })))
      .filter(entry => fs.existsSync(entry.file));
  }

  /** The last lines of every container's log, for a failure message. */
  public logTails(lines = 8): string {
    return [...this.pods.values()].flatMap(pod => pod.containers.map(c => {
      const file = path.join(pod.dir, `${c.spec.name}.log`);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
      return `--- ${pod.key}/${c.spec.name} (restarts ${c.restarts}, ready ${c.ready}): ${file}\n${text}`;
    })).join('\n');
  }

  /** Cuts a host off: its pods lose the network, and its kubelet no longer reaches the API (no heartbeat, no status). */
  public cutOff(host: string, off = true): void {
    if (off) this.cut.add(host);
    else this.cut.delete(host);
    this.network.cutOff(host, off);
  }

  /**
   * A host dies after being cut off: every process of its pods is killed at once (SIGKILL) and nothing on it
   * restarts until it comes back. The host cluster keeps its pods, as it does for an unreachable node.
   */
  public killHost(host: string): void {
    if (!this.cut.has(host)) this.cutOff(host);
    this.down.add(host);
    for (const pod of this.pods.values()) {
      if (pod.pod.spec.nodeName !== host) continue;
      for (const container of pod.containers) {
        if (container.restartTimer) clearTimeout(container.restartTimer);
        container.restartTimer = undefined;
        this.killContainer(container, `host ${host} killed`);
      }
    }
  }

  /** The host comes back: its network is reconnected and its kubelet starts its pods' containers again. */
  public bringUp(host: string): void {
    this.down.delete(host);
    this.cutOff(host, false);
    // The node controller marked its pods not Ready meanwhile: write their status anew.
    for (const pod of this.pods.values()) {
      if (pod.pod.spec.nodeName === host) pod.lastStatus = undefined;
    }
  }

  public async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.pods.values()].map(pod => this.stopPod(pod, 5_000)));
    this.pods.clear();
    await this.network.close();
  }

  private async run(): Promise<void> {
    while (this.running && !this.cluster.isStopped) {
      try {
        if (Date.now() - this.lastHeartbeat >= HEARTBEAT_MS) {
          this.lastHeartbeat = Date.now();
          await this.heartbeat();
        }
        await this.sync();
      } catch (error) {
        this.problem(`sync: ${(error as Error).message}`);
      }
      await sleep(SYNC_MS);
    }
  }

  private problem(text: string): void {
    if (this.errors[this.errors.length - 1] !== text) this.errors.push(text);
    if (this.errors.length > 200) this.errors.shift();
  }

  private async heartbeat(): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const micro = new Date().toISOString().replace(/Z$/, '000Z');
    const nodes = new Set(((await this.cluster.getJson(['nodes'])).items as any[]).map(n => n.metadata.name));
    for (const host of this.options.hosts) {
      if (this.cut.has(host) || !nodes.has(host)) continue;
      const condition = (type: string, status: string, reason: string) =>
        ({ type, status, reason, message: reason, lastHeartbeatTime: now, lastTransitionTime: now });
      const status = {
        status: {
          conditions: [
            condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
            condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
            condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
            condition('Ready', 'True', 'KubeletReady'),
          ],
          nodeInfo: { kubeletVersion: 'pod-runner', architecture: 'amd64', operatingSystem: 'linux' },
        },
      };
      await this.cluster.kubectl(['patch', 'node', host, '--subresource=status', '--type=merge', '--patch', JSON.stringify(status)]);
      const lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: host, namespace: 'kube-node-lease' },
        spec: { holderIdentity: host, leaseDurationSeconds: 40, renewTime: micro },
      };
      await this.cluster.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=pod-runner', '--filename', '-'], { input: JSON.stringify(lease) });
    }
  }

  private async sync(): Promise<void> {
    const allPods = (await this.cluster.getJson(['pods', '--all-namespaces'])).items as any[];
    const pods = allPods.filter(p => this.options.hosts.includes(p.spec.nodeName));
    const live = new Map(pods.map(p => [p.metadata.uid as string, p]));
    const services = ((await this.cluster.getJson(['services', '--all-namespaces'])).items as any[])
      .filter(s => this.options.namespaces.includes(s.metadata.namespace));
    await this.writeHostsFile(services, allPods, pods);
    await this.syncServices(services);
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (this.cut.has(pod.spec.nodeName)) continue;
      const running = [...this.pods.values()].find(r => r.uid === pod.metadata.uid);
      if (pod.metadata.deletionTimestamp) {
        if (running) {
          await this.stopPod(running, Math.min(10, pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
          this.pods.delete(running.key);
        }
        await this.cluster.kubectl(['delete', 'pod', pod.metadata.name, '--namespace', pod.metadata.namespace, '--grace-period=0', '--force', '--wait=false'], { allowFailure: true });
        continue;
      }
      if (!running && !['Succeeded', 'Failed'].includes(pod.status?.phase)) {
        const previous = this.pods.get(key);
        if (previous) {
          await this.stopPod(previous, 5_000);
          this.pods.delete(key);
        }
        this.pods.set(key, this.admit(pod, key));
      }
    }
    for (const pod of [...this.pods.values()]) {
      if (!live.has(pod.uid)) {
        await this.stopPod(pod, 5_000);
        this.pods.delete(pod.key);
        continue;
      }
      pod.pod = live.get(pod.uid);
      if (!pod.volumesReady) await this.prepareVolumes(pod).catch(error => this.problem(`${pod.key}: volumes: ${(error as Error).message}`));
      // Containers start once the pod's address is in its status, so that the names of the pod (a StatefulSet's
      // member among them) are in /etc/hosts when its programs first resolve them.
      if (pod.volumesReady && pod.pod.status?.podIP === pod.attachment.address && !this.down.has(pod.pod.spec.nodeName)) this.advance(pod);
      if (!this.cut.has(pod.pod.spec.nodeName)) await this.writeStatus(pod);
    }
  }

  private address(key: string, host: string): string {
    const known = this.addresses.get(key);
    if (known) return known;
    const hostIndex = this.options.hosts.indexOf(host) + 1;
    const used = new Set(this.addresses.values());
    for (let i = 2; i < 250; i++) {
      const candidate = `${POD_NETWORK.prefix}.${hostIndex}.${i}`;
      if (!used.has(candidate)) {
        this.addresses.set(key, candidate);
        return candidate;
      }
    }
    throw new Error(`no pod address left on ${host}`);
  }

  private admit(pod: any, key: string): RunningPod {
    const dir = path.join(this.dir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid.slice(0, 8)}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'hosts'), this.hostsFile);
    const attachment = this.network.attach(key, pod.spec.nodeName, this.address(key, pod.spec.nodeName));
    const containers: ContainerState[] = [
      ...(pod.spec.initContainers ?? []).map((spec: any) => ({ spec, init: true })),
      ...pod.spec.containers.map((spec: any) => ({ spec, init: false })),
    ].map(c => ({ ...c, restarts: 0, ready: false, started: false, probeFailures: { readiness: 0, liveness: 0, startup: 0 } }));
    return { key, uid: pod.metadata.uid, pod, dir, attachment, containers, startTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), volumesReady: false };
  }

  /** Writes every volume's files; false until every Secret and ConfigMap it names exists (the kubelet waits too). */
  private async prepareVolumes(pod: RunningPod): Promise<void> {
    const spec = pod.pod.spec;
    const namespace = pod.pod.metadata.namespace;
    const fsGroup: number | undefined = spec.securityContext?.fsGroup;
    for (const volume of spec.volumes ?? []) {
      const dir = path.join(pod.dir, 'volumes', volume.name);
      if (volume.secret || volume.configMap) {
        const source = volume.secret ?? volume.configMap;
        const kind = volume.secret ? 'secret' : 'configmap';
        const name = volume.secret ? source.secretName : source.name;
        const answer = await this.cluster.kubectl(['get', kind, name, '--namespace', namespace, '--output', 'json'], { allowFailure: true });
        if (answer.status !== 0) {
          if (source.optional) continue;
          throw new Error(`${kind} ${name} not found (the pod waits for it)`);
        }
        const object = JSON.parse(answer.stdout);
        const data: Record<string, Buffer> = {};
        for (const [k, v] of Object.entries(object.data ?? {})) data[k] = volume.secret ? Buffer.from(v as string, 'base64') : Buffer.from(v as string);
        for (const [k, v] of Object.entries(object.binaryData ?? {})) data[k] = Buffer.from(v as string, 'base64');
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        const items: Array<{ key: string; path: string; mode?: number }> = source.items ?? Object.keys(data).map(k => ({ key: k, path: k }));
        for (const item of items) {
          if (!(item.key in data)) throw new Error(`${kind} ${name} has no key ${item.key}`);
          const file = path.join(dir, item.path);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, data[item.key], { mode: item.mode ?? source.defaultMode ?? 0o644 });
          fs.chmodSync(file, item.mode ?? source.defaultMode ?? 0o644);
          if (fsGroup !== undefined) fs.chownSync(file, 0, fsGroup);
        }
      } else if (volume.emptyDir) {
        fs.mkdirSync(dir, { recursive: true });
        fs.chmodSync(dir, 0o777);
      } else if (volume.persistentVolumeClaim) {
        const claim = await this.cluster.getJson(['persistentvolumeclaim', volume.persistentVolumeClaim.claimName, '--namespace', namespace]);
        if (!claim.spec.volumeName) throw new Error(`claim ${volume.persistentVolumeClaim.claimName} is not bound`);
        const disk = path.join(this.dir, 'disks', claim.spec.volumeName);
        fs.mkdirSync(disk, { recursive: true });
        if (fsGroup !== undefined) fs.chownSync(disk, spec.securityContext?.runAsUser ?? 0, fsGroup);
        fs.chmodSync(disk, 0o2770);
        fs.rmSync(dir, { force: true, recursive: true });
        fs.mkdirSync(path.dirname(dir), { recursive: true });
        fs.symlinkSync(disk, dir);
      } else {
        throw new Error(`volume ${volume.name}: only secret, configMap, emptyDir and persistentVolumeClaim volumes are run here`);
      }
    }
    pod.volumesReady = true;
  }

  /** Starts what is due: the next init container, or every container once the init containers succeeded. */
  private advance(pod: RunningPod): void {
    if (pod.stopping) return;
    for (const container of pod.containers.filter(c => c.init)) {
      if (container.exitCode === 0) continue;
      if (!container.process && !container.restartTimer) this.startContainer(pod, container);
      return;
    }
    for (const container of pod.containers.filter(c => !c.init)) {
      const done = container.exitCode !== undefined && (pod.pod.spec.restartPolicy === 'Never' || (pod.pod.spec.restartPolicy === 'OnFailure' && container.exitCode === 0));
      if (!container.process && !container.restartTimer && !done) this.startContainer(pod, container);
    }
  }

  private environment(pod: RunningPod, container: any): Record<string, string> {
    const env: Record<string, string> = { PATH: IMAGE_PATH, HOSTNAME: pod.pod.spec.hostname ?? pod.pod.metadata.name };
    const fields: Record<string, string> = {
      'metadata.name': pod.pod.metadata.name,
      'metadata.namespace': pod.pod.metadata.namespace,
      'metadata.uid': pod.pod.metadata.uid,
      'spec.nodeName': pod.pod.spec.nodeName,
      'spec.serviceAccountName': pod.pod.spec.serviceAccountName ?? 'default',
      'status.podIP': pod.attachment.address,
      'status.hostIP': pod.attachment.address,
    };
    for (const variable of container.env ?? []) {
      if (variable.value !== undefined) {
        env[variable.name] = expandVariables(variable.value, env);
      } else if (variable.valueFrom?.fieldRef) {
        const value = fields[variable.valueFrom.fieldRef.fieldPath];
        if (value === undefined) throw new Error(`env ${variable.name}: fieldRef ${variable.valueFrom.fieldRef.fieldPath} is not run here`);
        env[variable.name] = value;
      } else if (variable.valueFrom?.secretKeyRef || variable.valueFrom?.configMapKeyRef) {
        throw new Error(`env ${variable.name}: secretKeyRef and configMapKeyRef are not run here`);
      } else {
        env[variable.name] = '';
      }
    }
    return env;
  }

  private startContainer(pod: RunningPod, container: ContainerState): void {
    const spec = container.spec;
    const podSecurity = pod.pod.spec.securityContext ?? {};
    const security = spec.securityContext ?? {};
    const layout = imageLayout(spec.image);
    if (!layout) throw new Error(`${pod.key}/${spec.name}: no programs known for image ${spec.image}`);
    if (!spec.command) throw new Error(`${pod.key}/${spec.name}: no command (the image's entrypoint is not run here)`);
    const env = this.environment(pod, spec);
    const argv = [...spec.command, ...(spec.args ?? [])].map((a: string) => expandVariables(a, env));
    const root = path.join(pod.dir, 'roots', spec.name);
    fs.mkdirSync(root, { recursive: true });
    const user = security.runAsUser ?? podSecurity.runAsUser ?? 0;
    const group = security.runAsGroup ?? podSecurity.runAsGroup ?? 0;
    const groups = [podSecurity.fsGroup, ...(podSecurity.supplementalGroups ?? [])].filter(g => g !== undefined);
    const lines = [
      'set -eu',
      `R=${quote(root)}`,
      // The pod's own host name, in a UTS namespace of its own (leader-election identities are built from it).
      `printf '%s' ${quote((pod.pod.spec.hostname ?? pod.pod.metadata.name).slice(0, 63))} > /proc/sys/kernel/hostname`,
      'mount -t tmpfs -o mode=0755 tmpfs "$R"',
      'mkdir -p "$R/dev" "$R/proc" "$R/tmp" "$R/etc"',
      'mount --rbind /dev "$R/dev"',
      'mount -t proc proc "$R/proc"',
      'chmod 1777 "$R/tmp"',
      'printf \'root:x:0:0:root:/root:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n\' > "$R/etc/passwd"',
      'printf \'root:x:0:\\nnonroot:x:65532:\\n\' > "$R/etc/group"',
      'printf \'hosts: files dns\\n\' > "$R/etc/nsswitch.conf"',
      'touch "$R/etc/hosts"',
      `mount --bind -o ro ${quote(path.join(pod.dir, 'hosts'))} "$R/etc/hosts"`,
    ];
    for (const [file, source] of layout.files) {
      lines.push(`mkdir -p "$R${path.posix.dirname(file)}"`, `touch "$R${file}"`, `mount --bind -o ro ${quote(source)} "$R${file}"`);
    }
    for (const [link, target] of layout.links) {
      lines.push(`mkdir -p "$R${path.posix.dirname(link)}"`, `[ -e "$R${link}" ] || ln -s ${quote(target)} "$R${link}"`);
    }
    for (const mount of spec.volumeMounts ?? []) {
      let source = path.join(pod.dir, 'volumes', mount.name);
      if (mount.subPath) source = path.join(source, mount.subPath);
      if (!fs.existsSync(source)) continue; // an optional volume that is absent
      const target = `"$R"${quote(mount.mountPath)}`;
      lines.push(fs.statSync(source).isDirectory() ? `mkdir -p ${target}` : `mkdir -p "$(dirname ${target})" && touch ${target}`);
      lines.push(`mount --bind ${quote(fs.realpathSync(source))} ${target}`);
      if (mount.readOnly) lines.push(`mount -o remount,bind,ro ${target}`);
    }
    if (security.readOnlyRootFilesystem) lines.push('mount -o remount,bind,ro "$R"');
    lines.push(`exec chroot --userspec=${user}:${group}${groups.length > 0 ? ` --groups=${groups.join(',')}` : ''} "$R" "$@"`);
    const script = path.join(pod.dir, `${spec.name}.start.sh`);
    fs.writeFileSync(script, lines.join('\n') + '\n');
    const log = fs.openSync(path.join(pod.dir, `${spec.name}.log`), 'a');
    fs.writeSync(log, `--- ${new Date().toISOString()} start (restart ${container.restarts}): ${argv.join(' ')}\n`);
    const child = spawn('ip', ['netns', 'exec', pod.attachment.netns, 'unshare', '--mount', '--uts', '--propagation', 'private', '--', 'sh', script, ...argv], {
      detached: true, stdio: ['ignore', log, log], env,
    });
    fs.closeSync(log);
    container.process = child;
    container.startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    container.exitCode = undefined;
    container.ready = false;
    container.started = false;
    container.probeFailures = { readiness: 0, liveness: 0, startup: 0 };
    child.once('exit', (code, signal) => {
      container.process = undefined;
      container.exitCode = code ?? (signal ? 128 + 9 : 1);
      container.lastTermination = { exitCode: container.exitCode, finishedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      container.ready = false;
      if (container.probeTimer) clearTimeout(container.probeTimer);
      container.probeTimer = undefined;
      if (pod.stopping || container.stopping || this.down.has(pod.pod.spec.nodeName)) return;
      const policy = pod.pod.spec.restartPolicy ?? 'Always';
      const restart = container.init ? container.exitCode !== 0 && policy !== 'Never'
        : policy === 'Always' || (policy === 'OnFailure' && container.exitCode !== 0);
      if (restart) {
        const backoff = Math.min(1_000 * 2 ** container.restarts, MAX_BACKOFF_MS);
        container.restarts++;
        container.restartTimer = setTimeout(() => {
          container.restartTimer = undefined;
          if (!pod.stopping) this.startContainer(pod, container);
        }, backoff);
      }
    });
    if (!container.init) this.scheduleProbes(pod, container);
  }

  private scheduleProbes(pod: RunningPod, container: ContainerState): void {
    const spec = container.spec;
    const delay = (probe: any) => (probe?.initialDelaySeconds ?? 0) * 1000;
    const tick = async () => {
      container.probeTimer = undefined;
      if (!container.process || pod.stopping) return;
      let period = 1_000;
      if (!container.started) {
        const probe = spec.startupProbe;
        if (!probe || await this.probe(pod, spec, probe)) {
          container.started = true;
          container.probeFailures.startup = 0;
        } else if (++container.probeFailures.startup >= (probe.failureThreshold ?? 3)) {
          this.killContainer(container, 'startup probe failed');
        }
        period = (probe?.periodSeconds ?? 10) * 1000;
        if (container.started) period = 0;
      } else {
        const readiness = spec.readinessProbe;
        if (!readiness) {container.ready = true;} else if (await this.probe(pod, spec, readiness)) {
          container.ready = true;
          container.probeFailures.readiness = 0;
        } else if (++container.probeFailures.readiness >= (readiness.failureThreshold ?? 3)) {
          container.ready = false;
        }
        const liveness = spec.livenessProbe;
        if (liveness) {
          if (await this.probe(pod, spec, liveness)) container.probeFailures.liveness = 0;
          else if (++container.probeFailures.liveness >= (liveness.failureThreshold ?? 3)) this.killContainer(container, 'liveness probe failed');
        }
        period = Math.min((readiness?.periodSeconds ?? 10), (liveness?.periodSeconds ?? 10)) * 1000;
      }
      if (container.process && !pod.stopping) container.probeTimer = setTimeout(() => void tick(), period);
    };
    container.probeTimer = setTimeout(() => void tick(), Math.max(delay(spec.startupProbe ?? spec.readinessProbe), 500));
  }

  private killContainer(container: ContainerState, why: string): void {
    const child = container.process;
    if (!child?.pid) return;
    try {
      fs.appendFileSync(path.join(this.dir, 'kills.log'), `${new Date().toISOString()} ${container.spec.name}: ${why}\n`);
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }

  /** One probe, from the host as the kubelet runs it: true on success. */
  private probe(pod: RunningPod, container: any, probe: any): Promise<boolean> {
    const port = (value: number | string) => typeof value === 'number' ? value
      : (container.ports ?? []).find((p: any) => p.name === value)?.containerPort;
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    if (probe.httpGet) {
      const get = probe.httpGet;
      const scheme = (get.scheme ?? 'HTTP') === 'HTTPS' ? https : http;
      return new Promise(resolve => {
        const request = scheme.get({
          host: get.host ?? pod.attachment.address,
          port: port(get.port),
          path: get.path ?? '/',
          timeout: timeoutMs,
          headers: Object.fromEntries((get.httpHeaders ?? []).map((h: any) => [h.name, h.value])),
          rejectUnauthorized: false,
        } as https.RequestOptions, response => {
          response.resume();
          resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 400);
        });
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.on('error', () => resolve(false));
      });
    }
    if (probe.tcpSocket) {
      return new Promise(resolve => {
        const socket = net.connect({ host: pod.attachment.address, port: port(probe.tcpSocket.port) });
        socket.setTimeout(timeoutMs, () => socket.destroy());
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.once('close', () => resolve(false));
      });
    }
    throw new Error(`${pod.key}/${container.name}: only httpGet and tcpSocket probes are run here`);
  }

  private async stopPod(pod: RunningPod, graceMs: number): Promise<void> {
    pod.stopping = true;
    const exits = pod.containers.map(container => {
      if (container.restartTimer) clearTimeout(container.restartTimer);
      if (container.probeTimer) clearTimeout(container.probeTimer);
      const child = container.process;
      if (!child?.pid) return Promise.resolve();
      container.stopping = true;
      const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return Promise.resolve();
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, graceMs);
      return exited.then(() => clearTimeout(timer));
    });
    await Promise.all(exits);
    this.network.detach(pod.key);
  }

  private async writeStatus(pod: RunningPod): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const mains = pod.containers.filter(c => !c.init);
    const inits = pod.containers.filter(c => c.init);
    const initialized = inits.every(c => c.exitCode === 0);
    const policy = pod.pod.spec.restartPolicy ?? 'Always';
    const allExited = mains.every(c => c.exitCode !== undefined && !c.process && !c.restartTimer);
    let phase = 'Pending';
    if (initialized && mains.some(c => c.process)) phase = 'Running';
    if (policy !== 'Always' && allExited && initialized) phase = mains.every(c => c.exitCode === 0) ? 'Succeeded' : 'Failed';
    if (inits.some(c => c.exitCode !== undefined && c.exitCode !== 0) && policy === 'Never') phase = 'Failed';
    const containersReady = phase === 'Running' && mains.every(c => c.ready);
    const previous: any[] = pod.pod.status?.conditions ?? [];
    const condition = (type: string, value: boolean) => {
      const status = value ? 'True' : 'False';
      const before = previous.find(c => c.type === type);
      return { type, status, lastProbeTime: null, lastTransitionTime: before?.status === status ? before.lastTransitionTime : now };
    };
    const state = (c: ContainerState) => {
      if (c.process) return { running: { startedAt: c.startedAt } };
      if (c.exitCode !== undefined && !c.restartTimer) return { terminated: { exitCode: c.exitCode, reason: c.exitCode === 0 ? 'Completed' : 'Error', startedAt: c.startedAt, finishedAt: c.lastTermination?.finishedAt } };
      return { waiting: { reason: c.restartTimer ? 'CrashLoopBackOff' : 'ContainerCreating' } };
    };
    const containerStatus = (c: ContainerState) => ({
      name: c.spec.name,
      image: c.spec.image,
      imageID: '',
      containerID: c.process ? `pod-runner://${c.process.pid}` : undefined,
      ready: c.ready,
      started: c.init ? undefined : c.started,
      restartCount: c.restarts,
      state: state(c),
      lastState: c.lastTermination ? { terminated: { exitCode: c.lastTermination.exitCode, reason: 'Error', finishedAt: c.lastTermination.finishedAt } } : {},
    });
    const status = {
      phase,
      hostIP: pod.attachment.address,
      hostIPs: [{ ip: pod.attachment.address }],
      podIP: pod.attachment.address,
      podIPs: [{ ip: pod.attachment.address }],
      startTime: pod.startTime,
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', initialized),
        condition('ContainersReady', containersReady),
        condition('Ready', containersReady),
        condition('PodScheduled', true),
      ],
      ...(inits.length > 0 ? { initContainerStatuses: inits.map(containerStatus) } : {}),
      containerStatuses: mains.map(containerStatus),
    };
    const text = JSON.stringify(status);
    if (text === pod.lastStatus) return;
    const answer = await this.cluster.kubectl(['patch', 'pod', pod.pod.metadata.name, '--namespace', pod.pod.metadata.namespace,
      '--subresource=status', '--type=merge', '--patch', JSON.stringify({ status })], { allowFailure: true });
    if (answer.status === 0) pod.lastStatus = text;
    else this.problem(`${pod.key}: status: ${answer.stderr.trim()}`);
  }

  /** One /etc/hosts for every pod: the Services of the namespaces and every pod's own name. */
  private async writeHostsFile(services: readonly any[], allPods: readonly any[], pods: readonly any[]): Promise<void> {
    const lines = ['127.0.0.1 localhost'];
    for (const service of services) {
      const { name, namespace } = service.metadata;
      const names = [`${name}.${namespace}.svc.${this.clusterDomain}`, `${name}.${namespace}.svc`, `${name}.${namespace}`];
      if (service.spec.clusterIP && service.spec.clusterIP !== 'None') {
        lines.push(`${service.spec.clusterIP} ${names.join(' ')}`);
      } else if (service.spec.clusterIP === 'None' && service.spec.selector) {
        const selected = allPods.filter(p => p.metadata.namespace === namespace && p.status?.podIP
          && Object.entries(service.spec.selector).every(([k, v]) => p.metadata.labels?.[k] === v)
          && (service.spec.publishNotReadyAddresses || (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')));
        for (const p of selected) {
          lines.push(`${p.status.podIP} ${names.join(' ')}`);
          if (p.spec.hostname && p.spec.subdomain === name) lines.push(`${p.status.podIP} ${p.spec.hostname}.${name}.${namespace}.svc.${this.clusterDomain}`);
        }
      }
    }
    for (const pod of pods) {
      const address = this.addresses.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
      if (address && !(pod.spec.hostname && pod.spec.subdomain)) lines.push(`${address} ${pod.metadata.name}`);
    }
    const text = lines.join('\n') + '\n';
    if (text === this.hostsFile) return;
    this.hostsFile = text;
    // Written in place: every container's /etc/hosts is a bind mount of this very file.
    for (const pod of this.pods.values()) fs.writeFileSync(path.join(pod.dir, 'hosts'), text);
  }

  /** Each ClusterIP Service's ports, forwarded to its ready endpoints' addresses and target ports. */
  private async syncServices(services: readonly any[]): Promise<void> {
    const slices = (await this.cluster.getJson(['endpointslices', '--all-namespaces'])).items as any[];
    for (const service of services) {
      if (!service.spec.clusterIP || service.spec.clusterIP === 'None') continue;
      const own = slices.filter(s => s.metadata.namespace === service.metadata.namespace && s.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name);
      for (const port of service.spec.ports ?? []) {
        if ((port.protocol ?? 'TCP') !== 'TCP') continue;
        const backends = own.flatMap(slice => {
          const slicePort = (slice.ports ?? []).find((p: any) => (p.name ?? '') === (port.name ?? ''));
          if (!slicePort) return [];
          return (slice.endpoints ?? [])
            .filter((e: any) => e.conditions?.ready !== false)
            .flatMap((e: any) => e.addresses.map((address: string) => ({ address, port: slicePort.port })));
        });
        await this.network.proxy(service.spec.clusterIP, port.port, backends);
      }
    }
  }
}
