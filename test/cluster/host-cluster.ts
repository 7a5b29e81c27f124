import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { certManagerExtraCrdsFile, kwokStagesFile, realProgram, REPO_ROOT } from './real-components';
import { issueCertificate, CertificateFiles } from '../integ/pki';

/**
 * A kubelet-less Kubernetes host cluster on loopback, of real programs built from their Go modules: etcd,
 * kube-apiserver (the admission plugins a kubeadm cluster enables, Pod Security among them, with a real serving
 * certificate, client-certificate authentication, RBAC and a service-account signing key), kube-controller-manager,
 * kube-scheduler, and kwok in place of the kubelets (it keeps the Nodes Ready and runs each pod's life cycle:
 * a scheduled pod becomes Running and Ready, a Job's pod Succeeded, a deleted pod goes away). Containers never run.
 *
 * Storage, as a cluster with local disks and a network share has it: a default StorageClass `standard`
 * (no provisioner, WaitForFirstConsumer), {@link LOCAL_DISKS_PER_HOST} local PersistentVolumes per host (pinned to
 * it by node affinity) and {@link SHARED_VOLUMES} network volumes that any host can mount.
 */

/** Where the runs live (git-ignored): one directory per cluster started. */
export const HOST_CLUSTER_STATE_DIR = path.join(REPO_ROOT, '.real-cluster', 'runs');
/** Where the tests write what they measured (git-ignored), one JSON file per scenario and test file. */
export const HOST_CLUSTER_REPORT_DIR = path.join(REPO_ROOT, '.real-cluster', 'reports');
/** The Service range of the host cluster (the `kubernetes` Service gets its first address). */
export const HOST_SERVICE_CIDR = '10.96.0.0/16';
/** The annotation kwok manages a Node by (the harness starts kwok with this selector). */
const KWOK_NODE_SELECTOR = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;
/** The annotation that gives a host to the pod runner instead (test/cluster/pod-runner.ts). */
export const POD_RUNNER_ANNOTATION = 'harness.cdk8s-karmada/kubelet';
/** Pod addresses kwok hands out. */
export const HOST_POD_CIDR = '10.244.0.0/16';
/** The default StorageClass. */
export const STORAGE_CLASS = 'standard';
/** Local PersistentVolumes per host: one etcd member's data, and a spare for a member rescheduled there. */
export const LOCAL_DISKS_PER_HOST = 2;
/** Size of each local disk: enough for one etcd member's claim (20Gi by default), too small for the backup claim. */
export const LOCAL_DISK_SIZE = '50Gi';
/** Network volumes (no node affinity): the etcd backups live on one. */
export const SHARED_VOLUMES = 2;
export const SHARED_VOLUME_SIZE = '1Ti';
/** What each fake host offers. */
export const HOST_ALLOCATABLE = { cpu: '16', memory: '64Gi', pods: '110' };

/** A fake host of the cluster. */
export interface HostSpec {
  readonly name: string;
  /** Extra labels besides kubernetes.io/hostname, kubernetes.io/os and kubernetes.io/arch. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The zone, as topology.kubernetes.io/zone (and topology.kubernetes.io/region `region-1`). */
  readonly zone?: string;
  readonly taints?: ReadonlyArray<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
  /**
   * Who plays the host's kubelet: kwok (pods are Running and Ready at once, nothing runs) or the pod runner
   * (test/cluster/pod-runner.ts: the containers run as processes, the probes decide readiness).
   * @default 'kwok'
   */
  readonly kubelet?: 'kwok' | 'pod-runner';
}

/** `count` hosts `host-0`..., spread round-robin over `zones` when given. */
export function hosts(count: number, zones: readonly string[] = []): HostSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `host-${i}`,
    ...(zones.length > 0 ? { zone: zones[i % zones.length] } : {}),
  }));
}

/** What a kubectl run printed. */
export interface KubectlResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  /** Given on stdin. */
  readonly input?: string;
  /** Return a failed run instead of throwing. */
  readonly allowFailure?: boolean;
  /** @default 120000 */
  readonly timeoutMs?: number;
}

interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  exited?: string;
}

/** A pod as the API returns it, reduced to what the tests read. */
export interface LivePod {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly nodeName?: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly uid: string;
  readonly ownerKind?: string;
  /** The owning workload: the Deployment (its ReplicaSet's name without the hash) or StatefulSet or Job. */
  readonly workload?: string;
  /** Container images, in order. */
  readonly images: string[];
  readonly deleting: boolean;
  /** The PodScheduled condition's reason and message when the scheduler could not place it. */
  readonly unschedulable?: { reason: string; message: string };
  readonly raw: any;
}

function workloadOf(owner: { kind: string; name: string } | undefined): string | undefined {
  if (!owner) return undefined;
  return owner.kind === 'ReplicaSet' ? owner.name.replace(/-[a-z0-9]+$/, '') : owner.name;
}

/** Reads the pods of a `kubectl get pods -o json` answer. */
export function livePods(list: any): LivePod[] {
  return (list.items as any[]).map(pod => {
    const conditions: any[] = pod.status?.conditions ?? [];
    const scheduled = conditions.find(c => c.type === 'PodScheduled');
    return {
      name: pod.metadata.name,
      labels: pod.metadata.labels ?? {},
      nodeName: pod.spec.nodeName,
      phase: pod.status?.phase ?? 'Unknown',
      ready: conditions.some(c => c.type === 'Ready' && c.status === 'True'),
      uid: pod.metadata.uid,
      ownerKind: pod.metadata.ownerReferences?.[0]?.kind,
      workload: workloadOf(pod.metadata.ownerReferences?.[0]),
      images: (pod.spec.containers as any[]).map(c => c.image),
      deleting: pod.metadata.deletionTimestamp !== undefined,
      ...(scheduled && scheduled.status === 'False' ? { unschedulable: { reason: scheduled.reason, message: scheduled.message } } : {}),
      raw: pod,
    };
  });
}

/** An error that ends a {@link waitFor} at once (a component died), instead of being retried. */
export class FatalHarnessError extends Error {}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined; throws `describe()` after `timeoutMs`. */
export async function waitFor<T>(
  what: string, probe: () => Promise<T | undefined>, timeoutMs: number, describe?: () => Promise<string>, intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof FatalHarnessError) throw error;
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const detail = describe ? await describe().catch(e => `(no diagnostics: ${e})`) : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}${detail ? `\n${detail}` : ''}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function httpsGet(url: string, caFile: string, client?: CertificateFiles): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, {
      ca: fs.readFileSync(caFile),
      ...(client ? { cert: fs.readFileSync(client.certFile), key: fs.readFileSync(client.keyFile) } : {}),
      // kube-controller-manager and kube-scheduler serve a self-signed certificate of their own.
      rejectUnauthorized: client !== undefined,
      timeout: 5_000,
    }, response => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', chunk => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** A kubeconfig with certificate files; `tlsServerName` when the server is dialled at an address its certificate does not name. */
export function kubeconfig(server: string, ca: string, client: CertificateFiles, user: string, tlsServerName?: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: host',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${ca}`,
    ...(tlsServerName ? [`    tls-server-name: ${tlsServerName}`] : []),
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate: ${client.certFile}`,
    `    client-key: ${client.keyFile}`,
    'contexts:',
    '- name: host',
    '  context:',
    '    cluster: host',
    `    user: ${user}`,
    'current-context: host',
    '',
  ].join('\n');
}

/** Runs the real kubectl with `kubeconfig`. Throws on a non-zero exit unless `allowFailure`. */
export function runKubectl(
  binary: string, kubeconfigFile: string, args: readonly string[], options: KubectlOptions, home: string,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, ['--kubeconfig', kubeconfigFile, ...args], {
      maxBuffer: 256 * 1024 * 1024,
      timeout: options.timeoutMs ?? 120_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
    }, (error, stdout, stderr) => {
      const status = error ? (typeof (error as any).code === 'number' ? (error as any).code : 1) : 0;
      const result = { status, stdout, stderr };
      if (status !== 0 && !options.allowFailure) {
        reject(new Error(`kubectl ${args.join(' ')} failed (${status}${(error as any)?.killed ? ', killed on timeout' : ''}):\n${stderr}${stdout}`));
      } else {
        resolve(result);
      }
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

function processAlive(pid: number): boolean {
  try {
    if (pid > 0) process.kill(pid, 0);
    return pid > 0;
  } catch {
    return false;
  }
}

/** The run directories of the clusters this process has started and not stopped (a member cluster beside a host). */
const LIVE_RUN_DIRECTORIES = new Set<string>();

/** Kills processes of earlier runs whose test process is gone (recorded pid, checked against its command line). */
function killLeftovers(): void {
  if (!fs.existsSync(HOST_CLUSTER_STATE_DIR)) return;
  for (const run of fs.readdirSync(HOST_CLUSTER_STATE_DIR)) {
    const owner = Number(/-(\d+)$/.exec(run)?.[1]);
    let ownerAlive = false;
    try {
      if (owner) process.kill(owner, 0);
      ownerAlive = owner > 0;
    } catch {
      ownerAlive = false;
    }
    const runDir = path.join(HOST_CLUSTER_STATE_DIR, run);
    if ((ownerAlive && owner !== process.pid) || LIVE_RUN_DIRECTORIES.has(runDir)) continue;
    const pidsFile = path.join(runDir, 'pids');
    if (!fs.existsSync(pidsFile)) continue;
    for (const line of fs.readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean)) {
      const pid = Number(line);
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir)) process.kill(-pid, 'SIGKILL');
      } catch {
        // not running
      }
    }
  }
}

function newRunDirectory(name: string): string {
  fs.mkdirSync(HOST_CLUSTER_STATE_DIR, { recursive: true });
  killLeftovers();
  // Oldest first, by the time stamp in each name (names begin with the scenario, so their order says nothing).
  const started = (run: string) => /-(\d{8}T\d{6})-/.exec(run)?.[1] ?? '';
  const runs = fs.readdirSync(HOST_CLUSTER_STATE_DIR).sort((a, b) => started(a).localeCompare(started(b)));
  // Keep the newest few (a failed run's logs), never one of a live test process.
  for (const old of runs.slice(0, Math.max(0, runs.length - 6))) {
    const owner = Number(/-(\d+)$/.exec(old)?.[1]);
    if (owner === process.pid || processAlive(owner)) continue;
    fs.rmSync(path.join(HOST_CLUSTER_STATE_DIR, old), { recursive: true, force: true });
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const dir = path.join(HOST_CLUSTER_STATE_DIR, `${name}-${stamp}-${Math.random().toString(36).slice(2, 6)}-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Process groups the harness launched and that still run: killed when the test process exits, however it exits. */
const LAUNCHED_PROCESS_GROUPS = new Set<number>();
let exitHandlerInstalled = false;

function killLaunchedOnExit(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.once('exit', () => {
    for (const group of LAUNCHED_PROCESS_GROUPS) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
}

export interface HostClusterOptions {
  /**
   * One more address the apiserver is dialled at, besides 127.0.0.1 (it then listens on every address and its
   * serving certificate names this one too): for a member cluster that pods of the pod runner reach, through the
   * pod network's bridge address (test/cluster/pod-network.ts).
   * @default - loopback only
   */
  readonly extraAddress?: string;
}

/** A running host cluster. Start with {@link HostCluster.start}; always {@link HostCluster.stop} it. */
export class HostCluster {
  /** Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok; returns once pods can be scheduled. */
  public static async start(name: string, options: HostClusterOptions = {}): Promise<HostCluster> {
    killLaunchedOnExit();
    const dir = newRunDirectory(name);
    const cluster = new HostCluster(dir, options);
    LIVE_RUN_DIRECTORIES.add(dir);
    try {
      await cluster.boot();
    } catch (error) {
      const logs = cluster.logTails();
      await cluster.stop();
      throw new Error(`${(error as Error).message}\n${logs}`);
    }
    return cluster;
  }

  /** The admin (system:masters) kubeconfig. */
  public readonly kubeconfig: string;
  /** The run directory: PKI, logs, data. */
  public readonly dir: string;
  public readonly kubectlBinary: string;
  private readonly processes: RunningProcess[] = [];
  private readonly pki: string;
  private serverUrl = '';
  private apiServerPort = 0;
  private stopped = false;

  private constructor(dir: string, private readonly options: HostClusterOptions) {
    this.dir = dir;
    this.pki = path.join(dir, 'pki');
    this.kubeconfig = path.join(dir, 'admin.kubeconfig');
    this.kubectlBinary = realProgram('kubectl');
  }

  /** Whether stop() has been called: loops that poll the cluster end then. */
  public get isStopped(): boolean {
    return this.stopped;
  }

  /** The apiserver's URL. */
  public get server(): string {
    return this.serverUrl;
  }

  /** The apiserver's URL at {@link HostClusterOptions.extraAddress}. */
  public get extraServer(): string {
    if (!this.options.extraAddress) throw new Error('this cluster was started without an extraAddress');
    return `https://${this.options.extraAddress}:${this.apiServerPort}`;
  }

  /** The CA that signed the apiserver's serving certificate (and the client certificates of its users). */
  public get caFile(): string {
    return path.join(this.pki, 'ca.crt');
  }

  /** Runs the real kubectl as cluster admin. Throws on a non-zero exit unless `allowFailure`. */
  public kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<KubectlResult> {
    return runKubectl(this.kubectlBinary, this.kubeconfig, args, options, this.dir);
  }

  /**
   * Runs a script of the repository (e.g. scripts/roll-etcd-members.sh) as an operator would: the real kubectl first
   * on PATH, KUBECONFIG the cluster's admin. Never throws for a non-zero exit: returns it.
   */
  public runScript(script: string, args: readonly string[], timeoutMs = 600_000): Promise<KubectlResult> {
    return new Promise(resolve => {
      execFile('bash', [path.join(REPO_ROOT, script), ...args], {
        maxBuffer: 64 * 1024 * 1024,
        timeout: timeoutMs,
        env: {
          PATH: `${path.dirname(this.kubectlBinary)}:/usr/local/bin:/usr/bin:/bin`,
          KUBECONFIG: this.kubeconfig,
          HOME: this.dir,
        },
      }, (error, stdout, stderr) => {
        resolve({ status: error ? (typeof (error as any).code === 'number' ? (error as any).code : 1) : 0, stdout, stderr });
      });
    });
  }

  /** `kubectl get ... -o json`, parsed. */
  public async getJson(args: readonly string[]): Promise<any> {
    return JSON.parse((await this.kubectl(['get', ...args, '--output', 'json'])).stdout);
  }

  /** The pods of a namespace. */
  public async pods(namespace: string, selector?: string): Promise<LivePod[]> {
    return livePods(await this.getJson(['pods', '--namespace', namespace, ...(selector ? ['--selector', selector] : [])]));
  }

  /** Creates the hosts (Nodes kwok manages) and their local disks; returns once every one is Ready and untainted. */
  public async addHosts(specs: readonly HostSpec[]): Promise<void> {
    const documents: object[] = [];
    for (const spec of specs) {
      documents.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: spec.name,
          annotations: {
            'node.alpha.kubernetes.io/ttl': '0',
            ...(spec.kubelet === 'pod-runner' ? { [POD_RUNNER_ANNOTATION]: 'pod-runner' } : { [KWOK_NODE_SELECTOR.key]: KWOK_NODE_SELECTOR.value }),
          },
          labels: {
            'kubernetes.io/hostname': spec.name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            ...(spec.kubelet === 'pod-runner' ? {} : { type: 'kwok' }),
            ...(spec.zone ? { 'topology.kubernetes.io/zone': spec.zone, 'topology.kubernetes.io/region': 'region-1' } : {}),
            ...spec.labels,
          },
        },
        spec: { ...(spec.taints ? { taints: spec.taints } : {}) },
        status: { allocatable: HOST_ALLOCATABLE, capacity: HOST_ALLOCATABLE },
      });
      for (let disk = 0; disk < LOCAL_DISKS_PER_HOST; disk++) {
        documents.push({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: `${spec.name}-disk-${disk}`, labels: { 'harness.cdk8s-karmada/host': spec.name } },
          spec: {
            capacity: { storage: LOCAL_DISK_SIZE },
            accessModes: ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Retain',
            storageClassName: STORAGE_CLASS,
            local: { path: `/mnt/disks/${disk}` },
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [spec.name] }] }],
              },
            },
          },
        });
      }
    }
    await this.kubectl(['create', '--filename', '-'], { input: documents.map(d => JSON.stringify(d)).join('\n') });
    const names = specs.map(s => s.name);
    await waitFor(`hosts ${names.join(', ')} Ready without taints`, async () => {
      const nodes = (await this.getJson(['nodes'])).items as any[];
      const ready = nodes.filter(n => names.includes(n.metadata.name)
        && (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')
        && !(n.spec.taints ?? []).some((t: any) => t.key.startsWith('node.kubernetes.io/')));
      return ready.length === names.length ? true : undefined;
    }, 60_000, async () => (await this.kubectl(['get', 'nodes', '-o', 'wide'], { allowFailure: true })).stdout);
  }

  /**
   * Deletes `namespaces` and then every host and its disks, so that the next scenario starts on an empty cluster.
   */
  public async reset(namespaces: readonly string[]): Promise<void> {
    for (const namespace of namespaces) {
      await this.kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=120s']);
    }
    await this.kubectl(['delete', 'nodes', '--all', '--wait=true', '--timeout=60s']);
    await this.kubectl(['delete', 'persistentvolumes', '--selector', 'harness.cdk8s-karmada/host', '--wait=true', '--timeout=60s']);
    await this.createSharedVolumes();
  }

  /**
   * Stops every process (SIGTERM, then SIGKILL after 5 s). The run directory stays for a look at the logs (the next
   * runs prune all but the newest few); `discard` deletes it at once.
   */
  public async stop(options: { discard?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    LIVE_RUN_DIRECTORIES.delete(this.dir);
    for (const running of [...this.processes].reverse()) {
      if (running.exited) continue;
      const exited = new Promise<void>(resolve => running.child.once('exit', () => resolve()));
      try {
        process.kill(-running.child.pid!, 'SIGTERM');
      } catch {
        continue;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-running.child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (options.discard) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The last lines of every component's log, for a failure message. */
  public logTails(lines = 15): string {
    return this.processes.map(p => {
      const text = fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
      return `--- ${p.name}${p.exited ? ` (exited: ${p.exited})` : ''}: ${p.logFile}\n${text}`;
    }).join('\n');
  }

  private async boot(): Promise<void> {
    const ports = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiServer: await freePort(),
      controllerManager: await freePort(),
      scheduler: await freePort(),
      kwok: await freePort(),
    };
    this.serverUrl = `https://127.0.0.1:${ports.apiServer}`;
    this.apiServerPort = ports.apiServer;
    const pki = this.issuePki();
    const kubeconfigs: Record<string, string> = {};
    for (const [user, client] of Object.entries(pki.clients)) {
      const file = path.join(this.dir, `${user}.kubeconfig`);
      fs.writeFileSync(file, kubeconfig(this.serverUrl, pki.ca.certFile, client, user), { mode: 0o600 });
      kubeconfigs[user] = file;
    }

    // The host cluster's own store: plain etcd on loopback (not the etcd under test).
    this.launch('etcd', realProgram('etcd'), [
      '--name=host', `--data-dir=${path.join(this.dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`, `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-cluster=host=http://127.0.0.1:${ports.etcdPeer}`, '--unsafe-no-fsync=true', '--log-level=warn',
    ]);

    this.launch('kube-apiserver', realProgram('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      `--bind-address=${this.options.extraAddress ? '0.0.0.0' : '127.0.0.1'}`, '--advertise-address=127.0.0.1', `--secure-port=${ports.apiServer}`,
      `--tls-cert-file=${pki.apiServer.certFile}`, `--tls-private-key-file=${pki.apiServer.keyFile}`,
      `--client-ca-file=${pki.ca.certFile}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccounts.certFile}`,
      `--service-account-signing-key-file=${pki.serviceAccounts.keyFile}`,
      `--service-cluster-ip-range=${HOST_SERVICE_CIDR}`,
      '--authorization-mode=Node,RBAC',
      // kubeadm's set: the API server's default plugins (NamespaceLifecycle, LimitRanger, ServiceAccount,
      // PodSecurity, Priority, DefaultStorageClass, ResourceQuota, the admission webhooks and policies, ...) plus
      // NodeRestriction.
      '--enable-admission-plugins=NodeRestriction',
      '--allow-privileged=true',
      '--profiling=false',
      // The only address it has is loopback, which the kubernetes Endpoints may not hold: leave them empty.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${path.join(this.dir, 'apiserver-certs')}`,
    ]);
    await waitFor('kube-apiserver /readyz', async () => {
      this.assertRunning();
      const answer = await httpsGet(`${this.serverUrl}/readyz`, pki.ca.certFile, pki.clients.admin);
      return answer.status === 200 ? true : undefined;
    }, 120_000);

    this.launch('kube-controller-manager', realProgram('kube-controller-manager'), [
      `--kubeconfig=${kubeconfigs['kube-controller-manager']}`,
      `--authentication-kubeconfig=${kubeconfigs['kube-controller-manager']}`,
      `--authorization-kubeconfig=${kubeconfigs['kube-controller-manager']}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.controllerManager}`,
      `--cert-dir=${path.join(this.dir, 'controller-manager-certs')}`,
      '--leader-elect=false',
      '--controllers=*',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccounts.keyFile}`,
      `--root-ca-file=${pki.ca.certFile}`,
      `--cluster-signing-cert-file=${pki.ca.certFile}`, `--cluster-signing-key-file=${pki.ca.keyFile}`,
      `--service-cluster-ip-range=${HOST_SERVICE_CIDR}`,
      // A lost host is noticed in seconds rather than kubeadm's 40 s (kwok renews the leases every few seconds).
      '--node-monitor-grace-period=20s',
    ]);
    this.launch('kube-scheduler', realProgram('kube-scheduler'), [
      `--kubeconfig=${kubeconfigs['kube-scheduler']}`,
      `--authentication-kubeconfig=${kubeconfigs['kube-scheduler']}`,
      `--authorization-kubeconfig=${kubeconfigs['kube-scheduler']}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`,
      `--cert-dir=${path.join(this.dir, 'scheduler-certs')}`,
      '--leader-elect=false',
    ]);
    this.launch('kwok', realProgram('kwok'), [
      `--kubeconfig=${kubeconfigs.kwok}`,
      `--config=${kwokStagesFile()},${this.writeHarnessStages()}`,
      // Only the hosts that carry kwok's annotation: the others' kubelet is the pod runner.
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_SELECTOR.key}=${KWOK_NODE_SELECTOR.value}`,
      // Node leases, renewed every quarter of this as a kubelet does; without them the Nodes' heartbeat (every 10
      // min) is all kube-controller-manager sees, and it marks them NotReady.
      '--node-lease-duration-seconds=40',
      `--cidr=${HOST_POD_CIDR}`,
      '--node-ip=127.0.0.1',
      `--server-address=127.0.0.1:${ports.kwok}`,
    ]);
    for (const [component, port] of [['kube-controller-manager', ports.controllerManager], ['kube-scheduler', ports.scheduler]] as const) {
      await waitFor(`${component} /healthz`, async () => {
        this.assertRunning();
        const answer = await httpsGet(`https://127.0.0.1:${port}/healthz`, pki.ca.certFile);
        return answer.status === 200 ? true : undefined;
      }, 60_000);
    }
    // The service-account controller works once `default` exists in `default`; the API's bootstrap data is there.
    await waitFor('the default ServiceAccount', async () => {
      this.assertRunning();
      const answer = await this.kubectl(['get', 'serviceaccount', 'default', '--namespace', 'default'], { allowFailure: true });
      return answer.status === 0 ? true : undefined;
    }, 60_000);
    await this.kubectl(['create', '--filename', '-'], {
      input: JSON.stringify({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'kubernetes.io/no-provisioner',
        volumeBindingMode: 'WaitForFirstConsumer',
        reclaimPolicy: 'Retain',
      }),
    });
    await this.createSharedVolumes();
  }

  /**
   * One Stage of the harness's own besides kwok's: a bare Pod (no owner) with `restartPolicy: Never` that kwok has
   * made Running completes (Succeeded), as a one-shot Pod whose command succeeds would. kwok's own pod-complete
   * Stage does this only for a Job's pods; scripts/restore-etcd.sh runs bare restore Pods and waits for Succeeded.
   * (What those Pods run is proven on real etcd by test/etcd-backup-restore.test.ts, not here.)
   */
  private writeHarnessStages(): string {
    const file = path.join(this.dir, 'harness-stages.yaml');
    fs.writeFileSync(file, [
      'apiVersion: kwok.x-k8s.io/v1alpha1',
      'kind: Stage',
      'metadata:',
      '  name: harness-bare-pod-succeeds',
      'spec:',
      '  resourceRef:',
      '    apiGroup: v1',
      '    kind: Pod',
      '  selector:',
      '    matchExpressions:',
      '    - { key: ".metadata.deletionTimestamp", operator: DoesNotExist }',
      '    - { key: ".metadata.ownerReferences", operator: DoesNotExist }',
      '    - { key: ".spec.restartPolicy", operator: In, values: ["Never"] }',
      '    - { key: ".status.phase", operator: In, values: ["Running"] }',
      '  next:',
      '    statusTemplate: |',
      '      {{ $now := Now }}',
      '      phase: Succeeded',
      '      containerStatuses:',
      '      {{ range .spec.containers }}',
      '      - name: {{ .name | Quote }}',
      '        image: {{ .image | Quote }}',
      '        ready: false',
      '        restartCount: 0',
      '        started: false',
      '        state:',
      '          terminated:',
      '            exitCode: 0',
      '            reason: Completed',
      '            startedAt: {{ $now | Quote }}',
      '            finishedAt: {{ $now | Quote }}',
      '      {{ end }}',
      '',
    ].join('\n'));
    return file;
  }

  private async createSharedVolumes(): Promise<void> {
    const volumes = Array.from({ length: SHARED_VOLUMES }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `shared-${i}`, labels: { 'harness.cdk8s-karmada/host': 'shared' } },
      spec: {
        capacity: { storage: SHARED_VOLUME_SIZE },
        accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STORAGE_CLASS,
        // A network file system any host mounts (TEST-NET-1 address: nothing is ever mounted here).
        nfs: { server: '192.0.2.10', path: `/exports/karmada-${i}` },
      },
    }));
    await this.kubectl(['create', '--filename', '-'], { input: volumes.map(v => JSON.stringify(v)).join('\n') });
  }

  private issuePki() {
    const files = (name: string): CertificateFiles => ({ certFile: path.join(this.pki, `${name}.crt`), keyFile: path.join(this.pki, `${name}.key`) });
    const ca = issueCertificate({ commonName: 'host-cluster-ca', keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'], isCA: true }, files('ca'));
    const apiServer = issueCertificate({
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1', '10.96.0.1', ...(this.options.extraAddress ? [this.options.extraAddress] : [])],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['serverAuth'],
      isCA: false,
    }, files('apiserver'), ca);
    // The service-account signing key (the certificate is only its carrier: the apiserver reads the public key).
    const serviceAccounts = issueCertificate({ commonName: 'service-accounts', keyUsage: ['digitalSignature'], isCA: false }, files('sa'));
    const client = (name: string, commonName: string, organizations: string[] = []) => issueCertificate({
      commonName, organizations, keyUsage: ['digitalSignature'], extendedKeyUsage: ['clientAuth'], isCA: false,
    }, files(name), ca);
    return {
      ca,
      apiServer,
      serviceAccounts,
      clients: {
        'admin': client('admin', 'kubernetes-admin', ['system:masters']),
        'kube-controller-manager': client('kube-controller-manager', 'system:kube-controller-manager'),
        'kube-scheduler': client('kube-scheduler', 'system:kube-scheduler'),
        // kwok writes the status of every Node and Pod, as the kubelets would together.
        'kwok': client('kwok', 'kwok-controller', ['system:masters']),
      } as Record<string, CertificateFiles>,
    };
  }

  /**
   * Starts cert-manager's controller (built from its module, tools/cert-manager/) against this cluster, as its admin,
   * for the Certificates of `namespace`, after the CRDs it watches besides cert-manager's three (applied by
   * applyCertManagerCrds): it issues their Secrets as in a cluster with cert-manager installed. Stopped
   * with the cluster.
   */
  public async startCertManager(namespace: string): Promise<void> {
    await this.kubectl(['apply', '--server-side', '--filename', certManagerExtraCrdsFile()]);
    await this.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/certificaterequests.cert-manager.io',
      'crd/orders.acme.cert-manager.io', 'crd/challenges.acme.cert-manager.io']);
    this.launch('cert-manager-controller', realProgram('cert-manager-controller'), [
      `--kubeconfig=${this.kubeconfig}`,
      '--leader-elect=false',
      `--namespace=${namespace}`,
      `--metrics-listen-address=127.0.0.1:${await freePort()}`,
      '--v=2',
    ]);
  }

  private launch(name: string, binary: string, args: string[]): void {
    const logFile = path.join(this.dir, `${name}.log`);
    fs.writeFileSync(path.join(this.dir, `${name}.args`), args.join('\n') + '\n');
    const log = fs.openSync(logFile, 'a');
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log], cwd: this.dir });
    fs.closeSync(log);
    const running: RunningProcess = { name, child, logFile };
    child.once('exit', (code, signal) => (running.exited = signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', error => (running.exited = `spawn error ${error.message}`));
    fs.appendFileSync(path.join(this.dir, 'pids'), `${child.pid}\n`);
    this.processes.push(running);
    LAUNCHED_PROCESS_GROUPS.add(child.pid!);
    child.once('exit', () => LAUNCHED_PROCESS_GROUPS.delete(child.pid!));
  }

  private assertRunning(): void {
    const dead = this.processes.filter(p => p.exited);
    if (dead.length > 0) throw new FatalHarnessError(`${dead.map(p => `${p.name} exited (${p.exited})`).join(', ')}`);
  }
}
