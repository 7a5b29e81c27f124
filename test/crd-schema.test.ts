import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { customResourceKinds, validateCustomResource } from './crd-schema';
import { karmadaCrds } from '../src/private/karmada-crds';

/** A Certificate as our constructs would write it; each test changes one thing. */
function certificate(spec: Record<string, any> = {}): Record<string, any> {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'karmada-apiserver', namespace: 'karmada-system', labels: { app: 'karmada' } },
    spec: {
      secretName: 'karmada-apiserver-cert',
      issuerRef: { name: 'karmada-ca', kind: 'Issuer', group: 'cert-manager.io' },
      commonName: 'karmada-apiserver',
      dnsNames: ['karmada-apiserver.karmada-system.svc', 'localhost'],
      ipAddresses: ['127.0.0.1'],
      duration: '8760h',
      renewBefore: '720h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth', 'client auth'],
      ...spec,
    },
  };
}

function propagationPolicy(spec: Record<string, any>): Record<string, any> {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: 'nginx', namespace: 'default' },
    spec,
  };
}

describe('customResourceKinds', () => {
  test('GIVEN imports/crds.yaml THEN it lists every served version of the cert-manager and Karmada CRDs', () => {
    // WHEN
    const kinds = customResourceKinds();

    // THEN
    expect(kinds).toEqual(expect.arrayContaining([
      'cert-manager.io/v1/Certificate',
      'cert-manager.io/v1/Issuer',
      'cert-manager.io/v1/ClusterIssuer',
      'policy.karmada.io/v1alpha1/PropagationPolicy',
      'work.karmada.io/v1alpha2/ResourceBinding',
    ]));
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});

describe('validateCustomResource: cert-manager', () => {
  test('GIVEN a complete Certificate THEN it validates', () => {
    expect(() => validateCustomResource(certificate())).not.toThrow();
  });

  test('GIVEN a Certificate without spec.secretName THEN the error names the object and the missing field', () => {
    // GIVEN
    const cert = certificate();
    delete cert.spec.secretName;

    // WHEN / THEN
    expect(() => validateCustomResource(cert)).toThrow(/Certificate\/karmada-apiserver .*\n.*\/spec must have required property 'secretName'/);
  });

  test('GIVEN a Certificate with a typo (spec.dnsName) THEN the unknown field is rejected, not pruned', () => {
    // GIVEN
    const cert = certificate({ dnsName: ['karmada-apiserver'] });

    // WHEN / THEN
    expect(() => validateCustomResource(cert)).toThrow("/spec has unknown property 'dnsName'");
  });

  test('GIVEN a Certificate with a value outside an enum THEN the error lists the allowed values', () => {
    const cert = certificate({ privateKey: { algorithm: 'DSA' } });
    expect(() => validateCustomResource(cert)).toThrow(/\/spec\/privateKey\/algorithm must be equal to one of the allowed values: \["RSA","ECDSA","Ed25519"\]/);
  });

  test('GIVEN a CA Issuer THEN it validates', () => {
    expect(() => validateCustomResource({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: 'karmada-ca', namespace: 'karmada-system' },
      spec: { ca: { secretName: 'karmada-ca-key-pair' } },
    })).not.toThrow();
  });

  test('GIVEN a self-signed ClusterIssuer THEN it validates', () => {
    expect(() => validateCustomResource({
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'selfsigned' },
      spec: { selfSigned: {} },
    })).not.toThrow();
  });
});

describe('validateCustomResource: Karmada', () => {
  test('GIVEN a PropagationPolicy with resourceSelectors and a placement THEN it validates', () => {
    expect(() => validateCustomResource(propagationPolicy({
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
      placement: {
        clusterAffinity: { clusterNames: ['member1', 'member2'] },
        replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' },
      },
      priority: 10,
    }))).not.toThrow();
  });

  test('GIVEN a PropagationPolicy whose resourceSelectors is an object THEN the wrong type is reported', () => {
    expect(() => validateCustomResource(propagationPolicy({
      resourceSelectors: { apiVersion: 'apps/v1', kind: 'Deployment' },
    }))).toThrow(/PropagationPolicy\/nginx .*\n.*\/spec\/resourceSelectors must be array/);
  });
});

describe('validateCustomResource: no matching CRD', () => {
  test('GIVEN a kind no CRD defines THEN it throws', () => {
    expect(() => validateCustomResource({ apiVersion: 'cert-manager.io/v1', kind: 'Widget', metadata: { name: 'w' } }))
      .toThrow('Widget/w: no CRD in imports/crds.yaml defines cert-manager.io/v1 Widget');
  });

  test('GIVEN a version the CRD does not serve THEN it throws and lists the served versions', () => {
    expect(() => validateCustomResource({ apiVersion: 'cert-manager.io/v1beta1', kind: 'Certificate', metadata: { name: 'c' } }))
      .toThrow('served versions: v1');
  });

  test('GIVEN a core kind THEN it throws: only custom resources are validated here', () => {
    expect(() => validateCustomResource({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }))
      .toThrow(/do not name a custom resource/);
  });
});

test('the CRDs the package ships (assets/) are the ones the typed imports were generated from (imports/crds.yaml)', () => {
  // GIVEN both copies WHEN the Karmada CRDs are read from each THEN they are the same 19 CRDs, field for field
  const imported = parseAllDocuments(fs.readFileSync(path.join(__dirname, '..', 'imports', 'crds.yaml'), 'utf8'))
    .map(document => document.toJSON()).filter(crd => crd?.kind === 'CustomResourceDefinition' && crd.spec.group !== 'cert-manager.io');
  const shipped = karmadaCrds({ webhookServiceName: 'karmada-webhook', webhookNamespace: 'karmada-system', caBundle: 'Cg==' })
    .map(crd => { const copy = JSON.parse(JSON.stringify(crd)); delete copy.spec.conversion; return copy; });
  const withoutConversion = imported.map(crd => { const copy = JSON.parse(JSON.stringify(crd)); delete copy.spec.conversion; return copy; });
  expect(shipped).toHaveLength(19);
  expect(shipped).toEqual(withoutConversion);
});
