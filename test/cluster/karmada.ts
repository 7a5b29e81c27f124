import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { createCertificateSecrets } from './certificates';
import { HostCluster, kubeconfig, KubectlOptions, KubectlResult, LivePod, runKubectl, waitFor } from './host-cluster';
import { applyCertManagerCrds, applyObjects, ApplyResult, describePods, waitForPlane, workloadPods } from './plane';
import { POD_NETWORK } from './pod-network';
import { PodRunner } from './pod-runner';
import { hostsFor, Scenario } from './scenarios';
import { KarmadaPushMember, KarmadaPushMemberAccess } from '../../src';

/** A certificate Secret of the installation, written to files for the test's own clients. */
export interface SecretFiles {
  readonly secretName: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** Who issues the Secrets of the synthesized Certificates. */
export enum CertificateIssuer {
  /** cert-manager's controller, built from its module (tools/cert-manager/), runs against the host cluster. */
  CERT_MANAGER = 'cert-manager',
  /** The test issuer (test/integ/cert-manager-issuer.ts: openssl), the Secrets created before the objects. */
  TEST_ISSUER = 'test-issuer',
}

/**
 * A Karmada control plane running from the synthesized YAML: a host cluster whose hosts' kubelet is the pod runner
 * (every container of every pod runs as a process of the real program), the Secrets of the synthesized Certificates
 * issued by cert-manager's controller (or the test issuer), and a client of the Karmada API through the
 * installation's entry point.
 */
export interface KarmadaPlane {
  readonly cluster: HostCluster;
  readonly runner: PodRunner;
  readonly scenario: Scenario;
  /** Every certificate Secret of the installation, as files. */
  readonly issued: Map<string, SecretFiles>;
  readonly issuer: CertificateIssuer;
  /** What `kubectl apply --server-side` of the whole file said. */
  readonly applied: ApplyResult;
  /** The pods once every workload was Ready. */
  readonly pods: LivePod[];
  /** The Karmada API as its administrator (the synthesized admin certificate), through the entry-point Service. */
  readonly api: KarmadaApi;
}

/** A client of the Karmada API: the real kubectl with a kubeconfig of the issued certificates. */
export class KarmadaApi {
  public constructor(private readonly cluster: HostCluster, public readonly kubeconfigFile: string, public readonly server: string) {}

  public kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<KubectlResult> {
    return runKubectl(this.cluster.kubectlBinary, this.kubeconfigFile, args, options, this.cluster.dir);
  }

  public async getJson(args: readonly string[]): Promise<any> {
    return JSON.parse((await this.kubectl(['get', ...args, '--output', 'json'])).stdout);
  }
}

/** The entry-point Service of the installation: `<instance>-apiserver`, its ClusterIP and port. */
export async function entryPoint(cluster: HostCluster, scenario: Scenario): Promise<{ name: string; address: string; port: number }> {
  const name = `${scenario.instance}-apiserver`;
  const service = await cluster.getJson(['service', name, '--namespace', scenario.namespace]);
  return { name, address: service.spec.clusterIP, port: service.spec.ports[0].port };
}

/**
 * A kubeconfig for the Karmada API with the issued Secret `secretName`'s certificate, dialling the entry-point
 * Service's ClusterIP (the pod network's proxy serves it on this machine too) under the Service's own DNS name, which
 * the apiserver's serving certificate names.
 */
export async function karmadaApi(
  cluster: HostCluster, scenario: Scenario, issued: ReadonlyMap<string, SecretFiles>, secretName: string,
): Promise<KarmadaApi> {
  const secret = issued.get(secretName);
  if (!secret) throw new Error(`no issued Secret ${secretName} (issued: ${[...issued.keys()].join(', ')})`);
  const entry = await entryPoint(cluster, scenario);
  const server = `https://${entry.address}:${entry.port}`;
  const file = path.join(cluster.dir, `karmada-${secretName}.kubeconfig`);
  fs.writeFileSync(file, kubeconfig(server, secret.caFile, secret, secretName, `${entry.name}.${scenario.namespace}.svc`), { mode: 0o600 });
  return new KarmadaApi(cluster, file, server);
}

/**
 * Waits until every synthesized Certificate's Secret holds a certificate and, with cert-manager, every Certificate is
 * Ready as cert-manager reports it.
 */
export async function waitForCertificates(cluster: HostCluster, scenario: Scenario, issuer: CertificateIssuer, timeoutMs = 180_000): Promise<void> {
  const secretNames = scenario.objects.filter(o => o.kind === 'Certificate').map(o => o.spec.secretName as string);
  await waitFor(`the ${secretNames.length} certificate Secrets`, async () => {
    const secrets = new Set(((await cluster.getJson(['secrets', '--namespace', scenario.namespace])).items as any[])
      .filter(s => s.type === 'kubernetes.io/tls' && s.data?.['tls.crt']).map(s => s.metadata.name));
    if (!secretNames.every(name => secrets.has(name))) return undefined;
    if (issuer !== CertificateIssuer.CERT_MANAGER) return true;
    const certificates = (await cluster.getJson(['certificates', '--namespace', scenario.namespace])).items as any[];
    const ready = certificates.filter(c => (c.status?.conditions ?? []).some((k: any) => k.type === 'Ready' && k.status === 'True'));
    return ready.length === secretNames.length ? true : undefined;
  }, timeoutMs, async () => (await cluster.kubectl(['get', 'certificates,certificaterequests', '--namespace', scenario.namespace], { allowFailure: true })).stdout);
}

/** The installation's certificate Secrets as the host cluster holds them, written to files under the run directory. */
export async function certificateSecretFiles(cluster: HostCluster, scenario: Scenario): Promise<Map<string, SecretFiles>> {
  const files = new Map<string, SecretFiles>();
  const secretNames = new Set(scenario.objects.filter(o => o.kind === 'Certificate').map(o => o.spec.secretName as string));
  for (const secret of (await cluster.getJson(['secrets', '--namespace', scenario.namespace])).items as any[]) {
    if (!secretNames.has(secret.metadata.name)) continue;
    const dir = path.join(cluster.dir, 'secrets', secret.metadata.name);
    fs.mkdirSync(dir, { recursive: true });
    const write = (key: string) => {
      const file = path.join(dir, key);
      fs.writeFileSync(file, Buffer.from(secret.data[key] ?? '', 'base64'), { mode: 0o600 });
      return file;
    };
    files.set(secret.metadata.name, { secretName: secret.metadata.name, certFile: write('tls.crt'), keyFile: write('tls.key'), caFile: write('ca.crt') });
  }
  return files;
}

/** The bootstrap Job of the scenario: its name in the synthesized objects. */
export function bootstrapJobName(scenario: Scenario): string {
  const jobs = scenario.objects.filter(o => o.kind === 'Job');
  if (jobs.length !== 1) throw new Error(`${scenario.name}: expected one bootstrap Job, found ${jobs.length}`);
  return jobs[0].metadata.name;
}

/** Waits until the bootstrap Job has succeeded; fails with its pods' state and the runner's logs when it failed. */
export async function waitForBootstrap(plane: Pick<KarmadaPlane, 'cluster' | 'runner' | 'scenario'>, timeoutMs = 300_000): Promise<any> {
  const { cluster, scenario, runner } = plane;
  const name = bootstrapJobName(scenario);
  return waitFor(`bootstrap Job ${name} to succeed`, async () => {
    const job = await cluster.getJson(['job', name, '--namespace', scenario.namespace]);
    return (job.status?.succeeded ?? 0) >= 1 ? job : undefined;
  }, timeoutMs, async () => `${(await cluster.kubectl(['get', 'job,pods', '--namespace', scenario.namespace, '-o', 'wide'], { allowFailure: true })).stdout}\n${runner.logTails(6)}`);
}

export interface KarmadaPlaneOptions {
  /** @default `karmada-<scenario>` */
  readonly name?: string;
  /** How long every workload may take to be Ready. @default 600000 */
  readonly timeoutMs?: number;
  /** @default CertificateIssuer.CERT_MANAGER */
  readonly issuer?: CertificateIssuer;
  /** Secrets a person creates in the namespace before applying (e.g. the scheduler estimators' member kubeconfigs). */
  readonly secrets?: ReadonlyArray<{ name: string; stringData: Record<string, string> }>;
}

/**
 * Starts a host cluster whose `scenario.tolerance.hostsRequired` hosts are the pod runner's, applies the scenario
 * (the cert-manager CRDs first, the Namespace, the issued Secrets, then the whole file), and waits until every
 * workload is Ready by its real probes and the bootstrap Job has succeeded.
 */
export async function startKarmadaPlane(scenario: Scenario, options: KarmadaPlaneOptions = {}): Promise<KarmadaPlane> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const cluster = await HostCluster.start(options.name ?? `karmada-${scenario.name}`);
  let runner: PodRunner | undefined;
  try {
    const hostSpecs = hostsFor(scenario, scenario.tolerance.hostsRequired).map(h => ({ ...h, kubelet: 'pod-runner' as const }));
    await applyCertManagerCrds(cluster);
    runner = await PodRunner.start(cluster, { hosts: hostSpecs.map(h => h.name), namespaces: [scenario.namespace] });
    await cluster.addHosts(hostSpecs);
    await applyObjects(cluster, scenario.objects.filter(o => o.kind === 'Namespace'));
    const issuer = options.issuer ?? CertificateIssuer.CERT_MANAGER;
    if (issuer === CertificateIssuer.TEST_ISSUER) await createCertificateSecrets(cluster, scenario.objects);
    else await cluster.startCertManager(scenario.namespace);
    if (options.secrets && options.secrets.length > 0) {
      await cluster.kubectl(['apply', '--server-side', '--filename', '-'], {
        input: options.secrets.map(secret => JSON.stringify({
          apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name, namespace: scenario.namespace }, stringData: secret.stringData,
        })).join('\n'),
      });
    }
    const applied = await applyObjects(cluster, scenario.objects);
    await waitForCertificates(cluster, scenario, issuer);
    const issued = await certificateSecretFiles(cluster, scenario);
    const started = runner;
    const pods = await waitForPlane(cluster, scenario, timeoutMs).catch(async error => {
      throw new Error(`${(error as Error).message}\n${describePods(workloadPods(await cluster.pods(scenario.namespace)))}\n${started.problems.slice(-10).join('\n')}\n${started.logTails(6)}`);
    });
    await waitForBootstrap({ cluster, runner, scenario });
    const api = await karmadaApi(cluster, scenario, issued, `${scenario.instance}-admin-cert`);
    return { cluster, runner, scenario, issued, issuer, applied, pods, api };
  } catch (error) {
    await runner?.stop();
    await cluster.stop();
    throw error;
  }
}

export async function stopKarmadaPlane(plane: KarmadaPlane | undefined): Promise<void> {
  if (!plane) return;
  await plane.runner.stop();
  await plane.cluster.stop();
}

/** A member cluster: a kubelet-less cluster of the harness whose apiserver the pods reach at the pod network's bridge. */
export async function startMemberCluster(name: string, hostCount = 2): Promise<HostCluster> {
  const member = await HostCluster.start(name, { extraAddress: POD_NETWORK.bridgeAddress });
  await member.addHosts(Array.from({ length: hostCount }, (_, i) => ({ name: `${name}-node-${i}` })));
  return member;
}

/** A member cluster as the Karmada API knows it. */
export interface JoinedMember {
  readonly name: string;
  readonly cluster: HostCluster;
  /** The Cluster object once Ready. */
  readonly object: any;
}

/**
 * Joins `member` to the Karmada API in push mode, as `karmadactl join` does, step by step with kubectl:
 * - in the member: a ServiceAccount for Karmada's controllers bound to cluster-admin, one for the cluster proxy
 *   allowed to impersonate, and `groupsForProxy` (the Karmada administrators' group) bound to cluster-admin so that
 *   a request proxied on their behalf is authorized there;
 * - in the Karmada API: Secrets with a token of each and the member's CA, and the `Cluster` object (served by
 *   karmada-aggregated-apiserver) with the member's apiserver at the pod network's bridge address.
 * Returns once karmada-controller-manager reports the Cluster Ready.
 */
export async function joinMember(
  api: KarmadaApi, member: HostCluster, name: string, groupsForProxy: readonly string[], timeoutMs = 180_000,
): Promise<JoinedMember> {
  // The member's side, from the library: the ServiceAccounts the Karmada controllers act as, their RBAC, and a
  // long-lived token Secret of each, which the member's own token controller fills in.
  const memberChart = new Chart(new App(), 'member');
  const access = new KarmadaPushMemberAccess(memberChart, 'access', { clusterName: name, proxyGroups: [...groupsForProxy] });
  await member.kubectl(['apply', '--server-side', '--filename', '-'], { input: memberChart.toJson().map(o => JSON.stringify(o)).join('\n') });
  const namespace = 'karmada-cluster';
  const token = (account: string) => waitFor(`the token of ServiceAccount ${namespace}/${account} in member ${name}`, async () => {
    const secret = await member.getJson(['secret', `${account}-token`, '--namespace', namespace]);
    return secret.data?.token ? Buffer.from(secret.data.token, 'base64').toString() : undefined;
  }, 60_000);
  // The Karmada API's side, from the library: the Cluster object and, given explicitly here, the credentials.
  const karmadaChart = new Chart(new App(), 'karmada');
  new KarmadaPushMember(karmadaChart, name, {
    clusterName: name,
    apiEndpoint: member.extraServer,
    credentials: {
      token: await token(access.controllerServiceAccountName),
      caBundle: fs.readFileSync(member.caFile).toString('base64'),
      impersonatorToken: await token(access.impersonatorServiceAccountName),
    },
  });
  await api.kubectl(['apply', '--server-side', '--field-manager=harness-join', '--filename', '-'], {
    input: karmadaChart.toJson().map(o => JSON.stringify(o)).join('\n'),
  });
  const object = await waitFor(`Cluster ${name} Ready in the Karmada API`, async () => {
    const cluster = await api.getJson(['cluster', name]);
    return (cluster.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? cluster : undefined;
  }, timeoutMs, async () => (await api.kubectl(['get', 'cluster', name, '-o', 'yaml'], { allowFailure: true })).stdout);
  return { name, cluster: member, object };
}

/** The member clusters a scenario's scheduler estimators serve, and the Secret each reads its member's kubeconfig from. */
export function estimatorKubeconfigSecrets(scenario: Scenario): Array<{ cluster: string; secretName: string }> {
  return scenario.objects
    .filter(o => o.kind === 'Deployment' && o.spec.template.metadata.labels['app.kubernetes.io/name'] === 'karmada-scheduler-estimator')
    .map(o => {
      const container = o.spec.template.spec.containers[0];
      const cluster = (container.args as string[]).find(a => a.startsWith('--cluster-name='))!.split('=')[1];
      const mountPath = (container.args as string[]).find(a => a.startsWith('--kubeconfig='))!.split('=')[1];
      const mount = (container.volumeMounts as any[]).find(m => mountPath.startsWith(`${m.mountPath}/`));
      const volume = (o.spec.template.spec.volumes as any[]).find(v => v.name === mount.name);
      return { cluster, secretName: volume.secret.secretName as string };
    });
}

/**
 * A self-contained kubeconfig for `member` (the CA and a token embedded, the apiserver at its pod-reachable address)
 * as a ServiceAccount `account` of `karmada-cluster` that may read everything: what a person gives a scheduler
 * estimator as its member's kubeconfig Secret.
 */
export async function memberReaderKubeconfig(member: HostCluster, account: string): Promise<string> {
  const namespace = 'karmada-cluster';
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `${account}-reader` },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${account}-reader` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${account}-reader` },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
    },
  ];
  await member.kubectl(['apply', '--server-side', '--filename', '-'], { input: objects.map(o => JSON.stringify(o)).join('\n') });
  const token = (await member.kubectl(['create', 'token', account, '--namespace', namespace, '--duration=24h'])).stdout.trim();
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: member',
    '  cluster:',
    `    server: ${member.extraServer}`,
    `    certificate-authority-data: ${fs.readFileSync(member.caFile).toString('base64')}`,
    'users:',
    `- name: ${account}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: member',
    '  context:',
    '    cluster: member',
    `    user: ${account}`,
    'current-context: member',
    '',
  ].join('\n');
}
