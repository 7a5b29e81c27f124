import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** The namespace used when neither the props nor the chart name one. */
export const DEFAULT_NAMESPACE = 'karmada-system';

/** The namespace a construct's objects go to: the props', else the chart's, else `karmada-system`. */
export function resolveNamespace(scope: Construct, namespace: string | undefined): string {
  return namespace ?? Chart.of(scope).namespace ?? DEFAULT_NAMESPACE;
}
