import * as fs from 'fs';
import * as zlib from 'zlib';
import { App, Chart, Yaml } from 'cdk8s';
import { buildRenderTexts, crdsFileText, INSTANCE_SENTINEL, NAMESPACE_SENTINEL, parseCrdSources, renderFileText } from '../scripts/precompute-crds';
import { EtcdTopology, HATopology, KarmadaApiObjects, KarmadaApiObjectsProps, KarmadaBootstrapJob } from '../src';
import {
  PRECOMPUTED_DEFAULT_FILE, PRECOMPUTED_RENDER_FILE, PrecomputedDefault, PrecomputedRender,
  gzipRendered, renderKarmadaApiObjects, renderKey,
} from '../src/private/karmada-api-render';
import { PRECOMPUTED_CRDS_FILE, renderOptions } from '../src/private/karmada-crds';

/** Render with the precomputed texts switched off: the reference every fast path must equal. */
function slowly<T>(run: () => T): T {
  renderOptions.usePrecomputed = false;
  try {
    return run();
  } finally {
    renderOptions.usePrecomputed = true;
  }
}

/** The bootstrap Job's rendered text, and the same objects rendered in a chart without the precomputed texts. */
function bothWays(props: KarmadaApiObjectsProps): { fast: string; slow: string } {
  const fast = renderKarmadaApiObjects(props);
  const chart = new Chart(new App(), 'reference');
  slowly(() => new KarmadaApiObjects(chart, 'Objects', props));
  return { fast, slow: Yaml.stringify(...chart.toJson()) };
}

const precomputed = (): PrecomputedRender => JSON.parse(fs.readFileSync(PRECOMPUTED_RENDER_FILE, 'utf8'));
const precomputedDefault = (): PrecomputedDefault => JSON.parse(fs.readFileSync(PRECOMPUTED_DEFAULT_FILE, 'utf8'));

describe('precomputed CRDs (assets/precomputed/, built by `npx projen precompute-crds`)', () => {
  test('karmada-crds.json is the shipped YAML of assets/karmada-crds/, as cdk8s parses it: run `npx projen precompute-crds` after changing the CRDs', () => {
    expect(fs.readFileSync(PRECOMPUTED_CRDS_FILE, 'utf8')).toBe(crdsFileText(parseCrdSources()));
  });

  test('karmada-api-objects.json and default-installation.json are what the library renders and compresses without them', () => {
    const { render, defaultInstallation } = buildRenderTexts();
    expect(fs.readFileSync(PRECOMPUTED_RENDER_FILE, 'utf8')).toBe(renderFileText(render));
    expect(fs.readFileSync(PRECOMPUTED_DEFAULT_FILE, 'utf8')).toBe(renderFileText(defaultInstallation));
  });

  test('the sentinels occur in the texts only where the installation\'s name and namespace go', () => {
    const texts = precomputed();
    expect(texts.crdDocuments).toHaveLength(19);
    const all = texts.crdDocuments.join('');
    // Every CRD carries the instance label; the two binding CRDs name the webhook Service and its namespace.
    expect(all.split(`app.kubernetes.io/instance: ${INSTANCE_SENTINEL}\n`)).toHaveLength(20);
    expect(all.split(`url: https://${INSTANCE_SENTINEL}-webhook.${NAMESPACE_SENTINEL}.svc:443/convert\n`)).toHaveLength(3);
    expect(all.split(INSTANCE_SENTINEL)).toHaveLength(19 + 2 + 1);
    expect(all.split(NAMESPACE_SENTINEL)).toHaveLength(2 + 1);
  });

  test.each<[string, KarmadaApiObjectsProps]>([
    ['the defaults', {}],
    ['HATopology\'s defaults', { instance: 'karmada', hostNamespace: 'karmada-system', clusterDomain: 'cluster.local', search: false, metricsAdapter: false, descheduler: false }],
    ['another name and namespace, every optional component, pull mode', {
      instance: 'prod',
      hostNamespace: 'karmada-prod',
      clusterDomain: 'example.internal',
      search: true,
      metricsAdapter: true,
      descheduler: true,
      pullModeApiEndpoint: 'https://karmada.example.com:5443',
    }],
    ['names YAML 1.1 would quote (rendered the slow way)', { instance: 'yes', hostNamespace: 'null' }],
    ['names that contain the default ones', { instance: 'karmada-karmada', hostNamespace: 'karmada-system-2' }],
  ])('the bootstrap Job renders the same bytes with the precomputed texts as without: %s', (_name, props) => {
    const { fast, slow } = bothWays(props);
    expect(fast).toBe(slow);
  });

  test('the Usage example\'s installation is the precomputed one: its text and gzip are the slow way\'s, zlib\'s at level 9', () => {
    const chart = new Chart(new App(), 'karmada', { namespace: 'karmada-system' });
    const topology = new HATopology(chart, 'karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes: 3 });
    const job = chart.node.findAll().find((c): c is KarmadaBootstrapJob => c instanceof KarmadaBootstrapJob)!;
    const entry = precomputedDefault();
    expect(renderKey(topology.karmadaApiObjects)).toBe(entry.props);
    const slow = slowly(() => renderKarmadaApiObjects(topology.karmadaApiObjects));
    expect(job.renderedObjects).toBe(slow);
    const reference = zlib.gzipSync(Buffer.from(slow, 'utf8'), { level: 9 });
    reference[9] = 0xff;
    expect(entry.gzipBase64).toBe(reference.toString('base64'));
    expect(gzipRendered(job.renderedObjects).equals(reference)).toBe(true);
    expect(zlib.gunzipSync(gzipRendered(job.renderedObjects)).toString('utf8')).toBe(job.renderedObjects);
  });

  test('another text is compressed at synth, with the same fixed header', () => {
    const text = renderKarmadaApiObjects({ instance: 'other' });
    const bytes = gzipRendered(text);
    expect(bytes[9]).toBe(0xff);
    expect(zlib.gunzipSync(bytes).toString('utf8')).toBe(text);
  });
});
