import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KarmadaApiObjects, KarmadaApiObjectsProps } from './karmada-api-objects';
import { SecretNames, CA_BUNDLE_PLACEHOLDER } from '../private/names';
import { addWarning } from '../warnings';

/**
 * Props of a chart for the Karmada API server.
 */
export interface KarmadaApiChartProps extends KarmadaApiObjectsProps {
  /**
   * Labels added to every object of the chart.
   * @default - none beyond the library's own
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A chart of its own for the objects that live inside the Karmada API (`KarmadaApiObjects`): synthesized to
 * `dist/<id>.k8s.yaml` and applied with the Karmada kubeconfig, not the host cluster's:
 *
 * ```sh
 * kubectl --kubeconfig karmada.kubeconfig apply --server-side -f dist/karmada-api.k8s.yaml
 * ```
 *
 * Server-side apply is what `KarmadaBootstrapJob` uses too: it keeps the CRDs (up to about 70 KB each) out of a
 * last-applied annotation, and fields that controllers add (kube-controller-manager signs `cluster-info`) stay
 * theirs. The chart has no namespace of its own: most of its objects are cluster-scoped, the others name theirs.
 *
 * @example
 * import * as fs from 'fs';
 * import { App } from 'cdk8s';
 * import { KarmadaApiChart } from 'cdk8s-karmada';
 *
 * const app = new App();
 * // Applied by a person with the Karmada kubeconfig: kubectl apply --server-side -f dist/karmada-api.k8s.yaml
 * new KarmadaApiChart(app, 'karmada-api', {
 *   caBundle: fs.readFileSync('karmada-ca.crt').toString('base64'),
 *   hostNamespace: 'karmada-system',
 * });
 * app.synth();
 */
export class KarmadaApiChart extends Chart {
  /** The objects inside the Karmada API. */
  public readonly objects: KarmadaApiObjects;

  constructor(scope: Construct, id: string, props: KarmadaApiChartProps = {}) {
    super(scope, id, { labels: props.labels });
    this.objects = new KarmadaApiObjects(this, 'Objects', props);
    if (this.objects.caBundleIsPlaceholder) {
      // Every Secret the Karmada CA issues carries it as ca.crt; the bootstrap client's exists in every PKI mode.
      const caSecret = SecretNames.bootstrapClient(this.objects.instance);
      addWarning(this, 'caBundle is not set, so the webhooks, APIServices and CRD conversion carry the placeholder '
        + `'${CA_BUNDLE_PLACEHOLDER}'. Either let KarmadaBootstrapJob apply these objects (it fills in the CA), or fill it in `
        + `before you apply this chart: CA_BUNDLE="$(kubectl --context <host cluster> -n ${this.objects.hostNamespace} get secret ${caSecret} `
        + `-o jsonpath='{.data.ca\\.crt}')" && sed -i "s|${CA_BUNDLE_PLACEHOLDER}|\${CA_BUNDLE}|g" dist/${id}.k8s.yaml `
        + '(the Secret\'s data is already base64), or pass caBundle');
    }
  }
}
