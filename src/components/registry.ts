import { ControlPlaneComponent } from './component-spec';
import { KARMADA_AGGREGATED_APISERVER } from './karmada-aggregated-apiserver';
import { KARMADA_APISERVER } from './karmada-apiserver';
import { KARMADA_CONTROLLER_MANAGER } from './karmada-controller-manager';
import { KARMADA_DESCHEDULER } from './karmada-descheduler';
import { KARMADA_METRICS_ADAPTER } from './karmada-metrics-adapter';
import { KARMADA_SCHEDULER } from './karmada-scheduler';
import { KARMADA_SEARCH } from './karmada-search';
import { KARMADA_WEBHOOK } from './karmada-webhook';
import { KUBE_CONTROLLER_MANAGER } from './kube-controller-manager';
import { OptionalKarmadaComponents } from '../karmada-components';

/**
 * Every control-plane component, in the order a node runs them (and every table derived from them lists them):
 * adding a component is its file, one line here, and its switch, image and settings fields in the public props.
 */
export const CONTROL_PLANE_COMPONENTS: readonly ControlPlaneComponent[] = [
  KARMADA_APISERVER,
  KARMADA_AGGREGATED_APISERVER,
  KUBE_CONTROLLER_MANAGER,
  KARMADA_CONTROLLER_MANAGER,
  KARMADA_SCHEDULER,
  KARMADA_WEBHOOK,
  KARMADA_DESCHEDULER,
  KARMADA_SEARCH,
  KARMADA_METRICS_ADAPTER,
];

/** The components that run with these switches: every component without a switch, and those switched on. */
export function runningComponents(switches: OptionalKarmadaComponents = {}): ControlPlaneComponent[] {
  return CONTROL_PLANE_COMPONENTS.filter(component => component.switch === undefined || switches[component.switch] === true);
}

/** Every switch of `OptionalKarmadaComponents`, resolved: on only where `given` switches it on. */
export function componentSwitches(given: OptionalKarmadaComponents = {}): Required<OptionalKarmadaComponents> {
  const switches: { [name: string]: boolean } = {};
  for (const component of CONTROL_PLANE_COMPONENTS) {
    if (component.switch !== undefined) switches[component.switch] = given[component.switch] === true;
  }
  return switches as Required<OptionalKarmadaComponents>;
}

/** The names of the running components that have a capability, in the registry's order. */
export function componentsThat(switches: OptionalKarmadaComponents, capability: (component: ControlPlaneComponent) => boolean): string[] {
  return runningComponents(switches).filter(capability).map(component => component.name);
}
