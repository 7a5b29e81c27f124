/**
 * The library writes its cert-manager Issuers and Certificates as plain ApiObjects (src/private/cert-manager-pki.ts)
 * instead of through the generated bindings (`certmanager`, src/imports/cert-manager.io.ts), which cost every synth
 * their loading. The JSON must be the bindings' to the byte, key order included: cdk8s sorts the keys, unless
 * `CDK8S_DISABLE_SORT` is set, and then the bindings' own order (alphabetical) decides.
 */
import { ApiObject, App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EtcdTopology, HATopology, HATopologyProps, IssuerReference, Pki, certmanager } from '../src';

/** What the bindings make of an object's JSON: their props use `isCa` where the JSON says `isCA`. */
function throughBindings(json: any): any {
  if (json.kind === 'Issuer') return { ...certmanager.Issuer.GVK, ...certmanager.toJson_IssuerProps(json) };
  const { isCA, ...spec } = json.spec;
  return { ...certmanager.Certificate.GVK, ...certmanager.toJson_CertificateProps({ metadata: json.metadata, spec: { ...spec, isCa: isCA } }) };
}

/** Every cert-manager object's JSON, as cdk8s renders it. */
function certManagerObjects(props: Partial<HATopologyProps>): any[] {
  const chart = new Chart(new App(), 'karmada', { namespace: 'karmada-system' });
  new HATopology(chart, 'karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes: 3, ...props });
  return chart.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && c.apiVersion === 'cert-manager.io/v1')
    .map(object => object.toJson());
}

const CASES: Array<[string, Partial<HATopologyProps>]> = [
  ['the defaults', {}],
  ['lifetimes, a user\'s issuer, external names and addresses, pull mode', {
    pki: Pki.certManager({ certificateDuration: Duration.days(90), renewBefore: Duration.days(30), etcdIssuer: IssuerReference.issuer('etcd-ca') }),
    apiServerService: { type: kplus.ServiceType.LOAD_BALANCER, externalDnsNames: ['karmada.example.com'], externalIpAddresses: ['203.0.113.10'] },
    pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
  }],
];

describe.each([['sorted keys (the default)', undefined], ['CDK8S_DISABLE_SORT', '1']])('cert-manager objects without the generated bindings: %s', (_title, disableSort) => {
  const saved = process.env.CDK8S_DISABLE_SORT;
  beforeAll(() => {
    if (disableSort === undefined) delete process.env.CDK8S_DISABLE_SORT;
    else process.env.CDK8S_DISABLE_SORT = disableSort;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.CDK8S_DISABLE_SORT;
    else process.env.CDK8S_DISABLE_SORT = saved;
  });

  test.each(CASES)('%s: the same JSON, key order included, as the bindings render', (_name, props) => {
    const objects = certManagerObjects(props);
    expect(objects.filter(o => o.kind === 'Certificate').length).toBeGreaterThan(20);
    expect(objects.filter(o => o.kind === 'Issuer').length).toBeGreaterThan(1);
    for (const json of objects) {
      expect(JSON.stringify(json, undefined, 1)).toBe(JSON.stringify(throughBindings(json), undefined, 1));
    }
  });
});
