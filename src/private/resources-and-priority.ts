import { ApiObject, JsonPatch, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Component } from './names';
import { ETCD_COMPONENT } from './selectors';
import { ComponentSettings, ControlPlaneComponentSettings } from '../component-settings';
import { CONTROL_PLANE_COMPONENTS } from '../components/registry';

/** The highest built-in class: the pods a node needs to work (kubelet static control planes, etcd). */
export const SYSTEM_NODE_CRITICAL = 'system-node-critical';
/** The built-in class for the pods a cluster needs to work. */
export const SYSTEM_CLUSTER_CRITICAL = 'system-cluster-critical';

/** The settings field of each component. */
export const COMPONENT_SETTINGS_FIELDS: { readonly [component: string]: keyof ControlPlaneComponentSettings } = {
  ...Object.fromEntries(CONTROL_PLANE_COMPONENTS.map(component => [component.name, component.field])),
  [Component.SCHEDULER_ESTIMATOR]: 'schedulerEstimator',
  [ETCD_COMPONENT]: 'etcd',
};

/** The components whose CPU must never be throttled: etcd (heartbeats) and karmada-apiserver (it serves etcd's clients). */
const UNTHROTTLED_COMPONENTS: readonly string[] = [ETCD_COMPONENT, Component.API_SERVER];

/**
 * The default PriorityClass of a component's pods: etcd and karmada-apiserver are what every other component
 * needs (`system-node-critical`, as kubeadm's static pods); the rest of the control plane is
 * `system-cluster-critical`; maintenance Jobs have none (they can wait).
 */
export function defaultPriorityClassName(component: string): string | undefined {
  if (UNTHROTTLED_COMPONENTS.includes(component)) return SYSTEM_NODE_CRITICAL;
  if (component in COMPONENT_SETTINGS_FIELDS) return SYSTEM_CLUSTER_CRITICAL;
  return undefined;
}

/** The settings of one component, if any. */
export function settingsOf(settings: ControlPlaneComponentSettings | undefined, component: string): ComponentSettings | undefined {
  const field = COMPONENT_SETTINGS_FIELDS[component];
  return field ? settings?.[field] : undefined;
}

/** The PriorityClass of a component's pods: the one given (`''`: none), else its default. */
export function resolvePriorityClassName(component: string, given: string | undefined): string | undefined {
  const name = given ?? defaultPriorityClassName(component);
  return name === '' ? undefined : name;
}

/** The PriorityClass of an etcd member's pod. */
export function resolveEtcdPriorityClassName(given: string | undefined): string | undefined {
  return resolvePriorityClassName(ETCD_COMPONENT, given);
}

/** Set `priorityClassName` on the pod spec at `podSpecPointer` (e.g. `/spec/template/spec`) when there is one. */
export function setPriorityClassName(object: ApiObject, podSpecPointer: string, priorityClassName: string | undefined): void {
  if (priorityClassName) {
    object.addJsonPatch(JsonPatch.add(`${podSpecPointer}/priorityClassName`, priorityClassName));
  }
}

/** CPU in cores, from a kplus amount such as `500m` or `2`. */
export function cpuCores(cpu: kplus.Cpu): number {
  return cpu.amount.endsWith('m') ? Number(cpu.amount.slice(0, -1)) / 1000 : Number(cpu.amount);
}

function mebibytes(size: Size): number {
  return size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}

function formatMebibytes(size: Size): string {
  return `${mebibytes(size)}Mi`;
}

/** Errors: a limit below its request. `property` names the resources, e.g. `componentSettings.etcd.resources`. */
export function checkResources(property: string, resources: kplus.ContainerResources | undefined): string[] {
  if (!resources) return [];
  const errors: string[] = [];
  const below = (name: string, limit: string, request: string) =>
    `${property}.${name}.limit ${limit} is below its request ${request}: raise ${property}.${name}.limit to at least the request, or lower the request`;
  const cpu = resources.cpu;
  if (cpu?.request && cpu.limit && cpuCores(cpu.limit) < cpuCores(cpu.request)) {
    errors.push(below('cpu', cpu.limit.amount, cpu.request.amount));
  }
  // cdk8s-plus writes memory in whole MiB and ephemeral storage in whole GiB, and fails on anything else without
  // naming the property.
  for (const [name, unit, toUnit] of [
    ['memory', 'MiB', (size: Size) => mebibytes(size)],
    ['ephemeralStorage', 'GiB', (size: Size) => size.toGibibytes({ rounding: SizeRoundingBehavior.NONE })],
  ] as const) {
    for (const bound of ['request', 'limit'] as const) {
      const size = resources[name]?.[bound];
      if (size !== undefined && !Number.isInteger(toUnit(size))) {
        errors.push(`${property}.${name}.${bound} must be a whole number of ${unit}, got ${Math.round(toUnit(size) * 1000) / 1000} ${unit}: round it, e.g. Size.${unit === 'MiB' ? 'mebibytes(512)' : 'gibibytes(1)'}`);
      }
    }
  }
  for (const name of ['memory', 'ephemeralStorage'] as const) {
    const pair = resources[name];
    if (pair?.request && pair.limit && mebibytes(pair.limit) < mebibytes(pair.request)) {
      errors.push(below(name, formatMebibytes(pair.limit), formatMebibytes(pair.request)));
    }
  }
  return errors;
}

/** Warnings: legal but unsafe resources of `component` (no memory limit; a CPU limit on etcd or the apiserver). */
export function warnResources(property: string, component: string, resources: kplus.ContainerResources | undefined): string[] {
  if (!resources) return [];
  const warnings: string[] = [];
  if (!resources.memory?.limit) {
    warnings.push(`${property} has no memory limit: a leak in ${component} can exhaust its host's memory and take the host's other control-plane pods with it; set ${property}.memory.limit`);
  }
  if (resources.cpu?.limit && UNTHROTTLED_COMPONENTS.includes(component)) {
    warnings.push(`${property}.cpu.limit is set on ${component}: CPU throttling stalls etcd heartbeats and lease renewals and causes leader elections; remove ${property}.cpu.limit and size ${property}.cpu.request instead`);
  }
  return warnings;
}

const PRIORITY_CLASS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A PriorityClass name: a DNS-1123 subdomain, or `''` for none. */
export function checkPriorityClassName(property: string, value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  if (value.length > 253 || !PRIORITY_CLASS_NAME.test(value)) {
    return [`${property} '${value}' is not a PriorityClass name (a DNS-1123 subdomain): use e.g. '${SYSTEM_CLUSTER_CRITICAL}', or '' for none`];
  }
  return [];
}

/** Errors and warnings of the settings of `components` (by component name), under `property`. */
export function checkComponentSettings(property: string, settings: ControlPlaneComponentSettings | undefined,
  components: readonly string[] = Object.keys(COMPONENT_SETTINGS_FIELDS)): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const component of components) {
    const field = COMPONENT_SETTINGS_FIELDS[component];
    const given = field ? settings?.[field] : undefined;
    if (!given) continue;
    errors.push(...checkResources(`${property}.${field}.resources`, given.resources));
    errors.push(...checkPriorityClassName(`${property}.${field}.priorityClassName`, given.priorityClassName));
    warnings.push(...warnResources(`${property}.${field}.resources`, component, given.resources));
  }
  return { errors, warnings };
}
