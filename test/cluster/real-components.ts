import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The real upstream programs, built from their Go modules by scripts/build-components.sh at the versions pinned in
 * tools/versions.env, and linked under .real-components/bin/.
 */

/** The repository root (this file lives in test/cluster/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const LINKS = path.join(REPO_ROOT, '.real-components');
const BUILD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'build-components.sh');

/** A program the harness runs, and the component of tools/ that builds it. */
export type RealProgram =
  | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl'
  | 'etcd' | 'etcdctl' | 'etcdutl'
  | 'kwok'
  | 'cert-manager-controller'
  | KarmadaProgram;

/** Karmada's own programs (karmada-apiserver is kube-apiserver; its kube-controller-manager the upstream one). */
export const KARMADA_PROGRAMS = [
  'karmada-aggregated-apiserver', 'karmada-controller-manager', 'karmada-scheduler', 'karmada-webhook',
  'karmada-descheduler', 'karmada-search', 'karmada-metrics-adapter', 'karmada-scheduler-estimator',
] as const;
export type KarmadaProgram = typeof KARMADA_PROGRAMS[number];

/** An image reference's name: its last path segment without tag or digest (`registry/karmada/x:v1` is `x`). */
export function imageName(image: string): string {
  return image.replace(/@.*$/, '').replace(/:[^/]*$/, '').split('/').pop()!;
}

const COMPONENT_OF: Record<RealProgram, string> = {
  'kube-apiserver': 'kubernetes',
  'kube-controller-manager': 'kubernetes',
  'kube-scheduler': 'kubernetes',
  'kubectl': 'kubernetes',
  'etcd': 'etcd',
  'etcdctl': 'etcd',
  'etcdutl': 'etcd',
  'kwok': 'kwok',
  'cert-manager-controller': 'cert-manager',
  ...Object.fromEntries(KARMADA_PROGRAMS.map(program => [program, 'karmada'])) as Record<KarmadaProgram, string>,
};

/** The versions tools/versions.env pins (`KUBERNETES_VERSION`, `ETCD_VERSION`, `KWOK_VERSION`, `KARMADA_VERSION`, `CERT_MANAGER_VERSION`). */
export function pinnedVersions(): Record<string, string> {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'tools', 'versions.env'), 'utf8');
  const versions: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (match) versions[match[1]] = match[2];
  }
  return versions;
}

const built = new Set<string>();

/**
 * The path of a real program. Builds its component with scripts/build-components.sh first, once per test process
 * (a no-op when the cache holds this pin already, so a stale link from an older pin is never used). Throws, never
 * skips, when the build fails: the tests that need a real component must not pass without it.
 */
export function realProgram(program: RealProgram): string {
  const component = COMPONENT_OF[program];
  if (!built.has(component)) {
    const run = spawnSync('bash', [BUILD_SCRIPT, component], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 3_600_000 });
    if (run.status !== 0) {
      throw new Error(`scripts/build-components.sh ${component} failed (exit status ${run.status}${run.error ? `, ${run.error.message}` : ''}):\n${run.stdout}${run.stderr}`);
    }
    built.add(component);
  }
  const link = path.join(LINKS, 'bin', program);
  if (!fs.existsSync(link)) throw new Error(`scripts/build-components.sh ${component} left no ${link}`);
  return fs.realpathSync(link);
}

/** cert-manager's CertificateRequest, Order and Challenge CRDs of the pinned module (written by scripts/build-components.sh cert-manager). */
export function certManagerExtraCrdsFile(): string {
  realProgram('cert-manager-controller');
  return fs.realpathSync(path.join(LINKS, 'cert-manager-crds.yaml'));
}

/** The kwok Stages of the pinned kwok module (written by scripts/build-components.sh kwok). */
export function kwokStagesFile(): string {
  realProgram('kwok');
  return fs.realpathSync(path.join(LINKS, 'kwok-stages.yaml'));
}
