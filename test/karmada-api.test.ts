import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { HATopology, KarmadaApiChart, KarmadaWarnings } from '../src';
import { CA_BUNDLE_PLACEHOLDER } from '../src/private/names';

/** A throw-away CA certificate (its key is discarded): what a user of their own PKI would pass as caBundle. */
function testCaBundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'karmada-api-ca-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=test-ca', '-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.crt')], { stdio: 'ignore' });
  const pem = fs.readFileSync(path.join(dir, 'ca.crt'));
  fs.rmSync(dir, { recursive: true, force: true });
  return pem.toString('base64');
}

describe('the objects inside the Karmada API, both ways', () => {
  // GIVEN an HA topology with optional components and pull mode, and a Karmada API chart made from its description
  const app = Testing.app();
  const host = new Chart(app, 'host');
  const topology = new HATopology(host, 'karmada', {
    components: { search: true, metricsAdapter: true },
    pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
  });
  const caBundle = testCaBundle();
  const apiChart = new KarmadaApiChart(app, 'karmada-api', { ...topology.karmadaApiObjects, caBundle });

  test('the chart a person applies holds exactly what the bootstrap Job applies, with the CA filled in', () => {
    // WHEN both are synthesized
    const chartObjects = Testing.synth(apiChart);
    const bundle = Testing.synth(host).find(o => o.kind === 'ConfigMap' && o.binaryData?.['objects.yaml.gz']);
    const jobText = gunzipSync(Buffer.from(bundle.binaryData['objects.yaml.gz'], 'base64')).toString('utf8');
    expect(jobText).toContain(CA_BUNDLE_PLACEHOLDER);
    const jobObjects = parseAllDocuments(jobText.split(CA_BUNDLE_PLACEHOLDER).join(caBundle)).map(d => d.toJSON());
    // THEN they are the same objects
    expect(chartObjects).toEqual(jobObjects);
    expect(chartObjects.length).toBeGreaterThan(40);
  });

  test('with the CA given, the chart warns about nothing', () => {
    expect(KarmadaWarnings.of(apiChart)).toEqual([]);
  });

  test('an app with both charts writes two files: one for the host cluster, one for the Karmada API', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'karmada-api-app-'));
    const twoCharts = new App({ outdir });
    const hostChart = new Chart(twoCharts, 'host');
    const ha = new HATopology(hostChart, 'karmada', {});
    new KarmadaApiChart(twoCharts, 'karmada-api', { ...ha.karmadaApiObjects, caBundle });
    twoCharts.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['host.k8s.yaml', 'karmada-api.k8s.yaml']);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
