import { execFileSync } from 'child_process';
import { imageName, KARMADA_PROGRAMS, realProgram, RealProgram } from './cluster/real-components';
import { SCENARIOS } from './cluster/scenarios';
import { Manifest, workloads } from './util';

/**
 * The upstream Kubernetes components' flags, checked against the real binaries at the images' version (built from
 * k8s.io/kubernetes by scripts/build-components.sh) rather than against a flag list: every flag the library writes
 * for karmada-apiserver (the kube-apiserver image) and kube-controller-manager is one the binary's own `--help`
 * lists, and so is every flag of each Karmada component (built from github.com/karmada-io/karmada at the images'
 * version). etcd's flags are parsed by the real etcd in test/etcd-integration.test.ts.
 */

/** The long flag names a cobra binary's `--help` lists. */
function flagsOf(program: RealProgram): Set<string> {
  const help = execFileSync(realProgram(program), ['--help'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Set([...help.matchAll(/^\s+(?:-\w, )?--([a-z0-9][a-z0-9-]*)/gm)].map(m => m[1]));
}

/** The image's name (its last path segment, without tag) to the program it runs. */
const IMAGE_TO_PROGRAM: Record<string, RealProgram> = {
  'kube-apiserver': 'kube-apiserver',
  'kube-controller-manager': 'kube-controller-manager',
  ...Object.fromEntries(KARMADA_PROGRAMS.map(program => [program, program])),
};

function programOf(image: string): RealProgram | undefined {
  return IMAGE_TO_PROGRAM[imageName(image)];
}

const known = new Map<RealProgram, Set<string>>();
const flagsKnownTo = (program: RealProgram) => known.get(program) ?? known.set(program, flagsOf(program)).get(program)!;

test('the real binaries list a full flag set (the check can fail)', () => {
  // GIVEN the binaries' own flag sets THEN they hold the flags every cluster sets, and not a misspelt one
  expect(flagsKnownTo('kube-apiserver')).toContain('etcd-servers');
  expect(flagsKnownTo('kube-apiserver').has('etcd-server')).toBe(false);
  expect(flagsKnownTo('kube-controller-manager')).toContain('cluster-signing-cert-file');
  expect(flagsKnownTo('kube-apiserver').size).toBeGreaterThan(150);
  for (const program of KARMADA_PROGRAMS) expect({ program, kubeconfig: flagsKnownTo(program).has('kubeconfig') }).toEqual({ program, kubeconfig: true });
  expect(flagsKnownTo('karmada-scheduler')).toContain('enable-scheduler-estimator');
  expect(flagsKnownTo('karmada-scheduler').has('enable-scheduler-estimators')).toBe(false);
});

test.each(Object.keys(SCENARIOS))('%s: every flag of kube-apiserver, kube-controller-manager and each Karmada component is one the real binary knows', name => {
  const { objects } = SCENARIOS[name]();
  const unknown: string[] = [];
  let checked = 0;
  for (const workload of workloads(objects)) {
    for (const c of workload.spec.template.spec.containers as Manifest[]) {
      const program = programOf(c.image);
      if (!program) continue;
      for (const arg of [...(c.command ?? []).slice(1), ...(c.args ?? [])] as string[]) {
        const flag = arg.replace(/^--/, '').split('=')[0].replace(/_/g, '-');
        checked++;
        if (!flagsKnownTo(program).has(flag)) unknown.push(`${workload.metadata.name}/${c.name}: ${arg}`);
      }
    }
  }
  expect(checked).toBeGreaterThan(0);
  expect(unknown).toEqual([]);
  const programs = new Set(workloads(objects)
    .flatMap(w => (w.spec.template.spec.containers as Manifest[]).map(c => programOf(c.image)).filter(Boolean)));
  // every scenario runs at least the apiserver, both controller managers, the scheduler and the webhook
  for (const program of ['kube-apiserver', 'kube-controller-manager', 'karmada-controller-manager', 'karmada-scheduler', 'karmada-webhook'] as const) {
    expect({ program, checked: programs.has(program) }).toEqual({ program, checked: true });
  }
});
