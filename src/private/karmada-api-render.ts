import { App, Chart, Yaml } from 'cdk8s';
import { KarmadaApiObjects, KarmadaApiObjectsProps } from '../constructs/karmada-api-objects';

/**
 * Stands in for the Karmada CA bundle when it is unknown at synth time (cert-manager issues the CA in the cluster).
 * It is itself valid base64 (of `CDK8S_KARMADA_CA_BUNDLE`), so the objects that carry it still validate; the
 * bootstrap Job replaces every occurrence with the base64 of the CA certificate before it applies them.
 */
export const CA_BUNDLE_PLACEHOLDER = Buffer.from('CDK8S_KARMADA_CA_BUNDLE').toString('base64');

/** Rendered YAML by props: rendering (mostly serializing the CRDs' schemas) costs ~120 ms, and it is a pure function. */
const rendered = new Map<string, string>();

/**
 * The objects `KarmadaApiObjects` creates inside the Karmada API, as multi-document YAML: built in a detached app so
 * nothing leaks into the caller's charts. Deterministic: the same props give the same bytes, so each distinct set of
 * props is rendered once per process.
 */
export function renderKarmadaApiObjects(props: KarmadaApiObjectsProps): string {
  const key = JSON.stringify(props, Object.keys(props).sort());
  let text = rendered.get(key);
  if (text === undefined) {
    const chart = new Chart(new App(), 'karmada-api');
    new KarmadaApiObjects(chart, 'Objects', props);
    text = Yaml.stringify(...chart.toJson());
    rendered.set(key, text);
  }
  return text;
}
