import { Chart, Testing } from 'cdk8s';
import { HATopology, HATopologyProps } from '../src';

/** A synthesized Kubernetes object, as plain JSON. */
export type Manifest = Record<string, any>;

process.env.CDK8S_KARMADA_SILENCE_WARNINGS = '1';

/** GIVEN a chart with one HATopology built from `props`, WHEN synthesized: its objects and the construct. */
export function synthTopology(props: HATopologyProps = {}, chartNamespace?: string): { objects: Manifest[]; topology: HATopology; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', chartNamespace ? { namespace: chartNamespace } : {});
  const topology = new HATopology(chart, 'karmada', props);
  return { objects: Testing.synth(chart), topology, chart };
}

/** The object of `kind` named `name`; fails if there is not exactly one. */
export function find(objects: Manifest[], kind: string, name: string): Manifest {
  const matches = objects.filter(o => o.kind === kind && o.metadata?.name === name);
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind} '${name}', found ${matches.length}; have: ${objects.map(o => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  }
  return matches[0];
}

/** Every object of `kind`. */
export function ofKind(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter(o => o.kind === kind);
}

/** Every workload that has a pod template. */
export function workloads(objects: Manifest[]): Manifest[] {
  return objects.filter(o => o.spec?.template?.spec);
}

/** The pod spec of a workload. */
export function podSpec(workload: Manifest): Manifest {
  return workload.spec.template.spec;
}

/** The container named `name` (or the only one). */
export function container(workload: Manifest, name?: string): Manifest {
  const containers: Manifest[] = podSpec(workload).containers;
  return name ? containers.find(c => c.name === name)! : containers[0];
}

/** The value of `--flag=value` in a container's args; undefined when absent; fails when repeated. */
export function flag(workload: Manifest, flagName: string, containerName?: string): string | undefined {
  const args: string[] = container(workload, containerName).args ?? [];
  const values = args.filter(a => a === `--${flagName}` || a.startsWith(`--${flagName}=`)).map(a => a.slice(flagName.length + 3));
  if (values.length > 1) throw new Error(`--${flagName} appears ${values.length} times`);
  return values[0];
}

/** The labels of a workload's pods. */
export function podLabels(workload: Manifest): Record<string, string> {
  return workload.spec.template.metadata.labels;
}
