import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing, Yaml } from 'cdk8s';
import { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { APIService } from 'kubernetes-models/apiregistration.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { find, Manifest, ofKind } from './util';
import { KarmadaApiChart, KarmadaApiObjects, KarmadaApiObjectsProps, KarmadaWarnings } from '../src';
import { renderKarmadaApiObjects } from '../src/private/karmada-api-render';
import { KARMADA_CRDS_DIR, karmadaCrds } from '../src/private/karmada-crds';
import { ADMIN_GROUP, Component, componentUserName, CA_BUNDLE_PLACEHOLDER } from '../src/private/names';

/** A stand-in CA certificate: only its shape (base64 of a PEM certificate) matters here. */
const TEST_CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBdummyKarmadaTestCA\n-----END CERTIFICATE-----\n';
const TEST_CA_BUNDLE = Buffer.from(TEST_CA_PEM).toString('base64');

const EVERYTHING: KarmadaApiObjectsProps = {
  instance: 'prod',
  hostNamespace: 'karmada-host',
  clusterDomain: 'corp.local',
  caBundle: TEST_CA_BUNDLE,
  search: true,
  metricsAdapter: true,
  descheduler: true,
  pullModeApiEndpoint: 'https://karmada.example.com:5443',
};

const SCENARIOS: Array<[string, KarmadaApiObjectsProps]> = [
  ['default', {}],
  ['search, metrics adapter, descheduler and pull mode', EVERYTHING],
];

/** GIVEN a chart with KarmadaApiObjects built from `props`, WHEN synthesized: its objects. */
function synth(props: KarmadaApiObjectsProps): Manifest[] {
  const chart = Testing.chart();
  new KarmadaApiObjects(chart, 'karmada-api', props);
  return Testing.synth(chart);
}

/** The CRDs summarized (name and conversion): their schemas are Karmada's, copied verbatim, and large. */
function snapshotView(objects: Manifest[]): Manifest[] {
  return objects.map(o => o.kind === 'CustomResourceDefinition'
    ? { kind: o.kind, name: o.metadata.name, conversion: o.spec.conversion ?? null }
    : o);
}

/** Every string under a key named `key`, anywhere in the objects (a CRD schema's property of that name is no string). */
function valuesOf(value: any, key: string): string[] {
  if (Array.isArray(value)) return value.flatMap(item => valuesOf(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === key && typeof v === 'string' ? [v] : []).concat(valuesOf(v, key)));
  }
  return [];
}

type Model = new (data: any) => { validate(): void };
const MODELS: Record<string, Model> = {
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': ValidatingWebhookConfiguration,
  'apiregistration.k8s.io/v1/APIService': APIService,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
};

describe.each(SCENARIOS)('KarmadaApiObjects: %s', (_scenario, props) => {
  // GIVEN the props, WHEN synthesized
  const objects = synth(props);
  const instance = props.instance ?? 'karmada';
  const hostNamespace = props.hostNamespace ?? 'karmada-system';
  const caBundle = props.caBundle ?? CA_BUNDLE_PLACEHOLDER;

  test('snapshot (CRDs summarized)', () => {
    expect(snapshotView(objects)).toMatchSnapshot();
  });

  test('every object validates against the Kubernetes schema', () => {
    for (const object of objects) {
      const model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect({ object: `${object.kind}/${object.metadata.name}`, model: model !== undefined }).toEqual({ object: `${object.kind}/${object.metadata.name}`, model: true });
      expect(() => new model(object).validate()).not.toThrow();
    }
  });

  test('the karmada-system namespace and the 19 CRDs come first, in kustomization order', () => {
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'karmada-system' } });
    const crds = objects.slice(1, 20);
    expect(crds.map(o => o.kind)).toEqual(new Array(19).fill('CustomResourceDefinition'));
    expect(ofKind(objects, 'CustomResourceDefinition')).toHaveLength(19);
    expect(crds[8].metadata.name).toBe('resourcebindings.work.karmada.io');
    expect(crds[9].metadata.name).toBe('clusterresourcebindings.work.karmada.io');
  });

  test('every webhook and conversion webhook dials karmada-webhook in the host namespace on 443', () => {
    const urls = valuesOf(objects, 'url');
    expect(urls).toHaveLength(8 + 14 + 2);
    const expectedPrefix = `https://${instance}-webhook.${hostNamespace}.svc:443/`;
    for (const url of urls) {
      expect(url.startsWith(expectedPrefix)).toBe(true);
      const parsed = new URL(url);
      expect(parsed.hostname).toBe(`${instance}-webhook.${hostNamespace}.svc`);
      expect(parsed.pathname).toMatch(/^\/(mutate|validate)-[a-z]+$|^\/convert$/);
    }
  });

  test('every caBundle, and the pull-mode CA, is the given one', () => {
    const bundles = valuesOf(objects, 'caBundle');
    expect(bundles.length).toBeGreaterThanOrEqual(8 + 14 + 2 + 1);
    expect(new Set(bundles)).toEqual(new Set([caBundle]));
    for (const clusterInfo of objects.filter(o => o.kind === 'ConfigMap' && o.metadata.name === 'cluster-info')) {
      const kubeconfig = parse(clusterInfo.data.kubeconfig);
      expect(kubeconfig.clusters[0].cluster['certificate-authority-data']).toBe(caBundle);
    }
  });

  test('every APIService points at an ExternalName Service in karmada-system that names the host Service', () => {
    const apiServices = ofKind(objects, 'APIService');
    expect(apiServices.length).toBeGreaterThan(0);
    for (const apiService of apiServices) {
      const { name, namespace, port } = apiService.spec.service;
      expect(namespace).toBe('karmada-system');
      expect(port).toBe(443);
      const service = find(objects, 'Service', name);
      expect(service.metadata.namespace).toBe('karmada-system');
      expect(service.spec.type).toBe('ExternalName');
      expect(service.spec.externalName).toBe(`${instance}-${name.replace(/^karmada-/, '')}.${hostNamespace}.svc.${props.clusterDomain ?? 'cluster.local'}`);
      expect(apiService.metadata.name).toBe(`${apiService.spec.version}.${apiService.spec.group}`);
    }
  });

  test('component ClusterRoleBindings bind exactly the components\' certificate users, each to its own role', () => {
    const components = [Component.AGGREGATED_API_SERVER, Component.CONTROLLER_MANAGER, Component.SCHEDULER, Component.WEBHOOK,
      ...(props.descheduler ? [Component.DESCHEDULER] : []), ...(props.search ? [Component.SEARCH] : []),
      ...(props.metricsAdapter ? [Component.METRICS_ADAPTER] : [])];
    const componentBindings = ofKind(objects, 'ClusterRoleBinding').filter(b => b.metadata.name.startsWith('system:karmada:karmada-'));
    const ownRoleBindings = componentBindings.filter(b => b.roleRef.name === b.metadata.name);
    expect(ownRoleBindings.map(b => b.subjects)).toEqual(components.map(c => [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: componentUserName(c) }]));
    for (const binding of ownRoleBindings) {
      expect(find(objects, 'ClusterRole', binding.roleRef.name).rules.length).toBeGreaterThan(0);
    }
    // Every User any binding names is a component, or one of the two fixed pull-mode identities.
    const users = new Set([...ofKind(objects, 'ClusterRoleBinding'), ...ofKind(objects, 'RoleBinding')]
      .flatMap(b => b.subjects).filter(s => s.kind === 'User').map(s => s.name));
    const pullModeUsers = props.pullModeApiEndpoint ? ['system:anonymous', 'system:karmada:agent:rbac-generator'] : [];
    expect(users).toEqual(new Set([...components.map(componentUserName), ...pullModeUsers]));
  });

  test('the aggregated API servers delegate authentication and authorization', () => {
    const servers = [Component.AGGREGATED_API_SERVER,
      ...(props.search ? [Component.SEARCH] : []), ...(props.metricsAdapter ? [Component.METRICS_ADAPTER] : [])];
    for (const server of servers) {
      const user = componentUserName(server);
      expect(find(objects, 'ClusterRoleBinding', `${user}:auth-delegator`)).toMatchObject({
        roleRef: { kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: [{ kind: 'User', name: user }],
      });
      expect(find(objects, 'RoleBinding', `${user}:authentication-reader`)).toMatchObject({
        metadata: { namespace: 'kube-system' },
        roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' },
        subjects: [{ kind: 'User', name: user }],
      });
    }
    expect(ofKind(objects, 'RoleBinding').filter(b => b.metadata.namespace === 'kube-system')).toHaveLength(servers.length);
  });

  test('no object names system:masters, and only the admin group is cluster-admin', () => {
    expect(JSON.stringify(objects)).not.toContain('system:masters');
    const clusterAdmin = ofKind(objects, 'ClusterRoleBinding').filter(b => b.roleRef.name === 'cluster-admin');
    expect(clusterAdmin).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: ADMIN_GROUP }),
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: ADMIN_GROUP }],
    })]);
    expect(find(objects, 'ClusterRoleBinding', 'cluster-proxy-admin').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: ADMIN_GROUP }]);
  });

  test('only karmada-controller-manager (and, in pull mode, the agent RBAC generator) holds wildcard rights', () => {
    const wildcardRoles = ofKind(objects, 'ClusterRole').filter(role => role.rules.some((rule: Manifest) => rule.verbs.includes('*') && rule.resources.includes('*')));
    expect(wildcardRoles.map(role => role.metadata.name)).toEqual([
      componentUserName(Component.CONTROLLER_MANAGER),
      ...(props.pullModeApiEndpoint ? ['system:karmada:agent-rbac-generator'] : []),
    ]);
  });
});

describe('KarmadaApiObjects: what each component may do', () => {
  const objects = synth(EVERYTHING);
  const rulesOf = (component: string): Manifest[] => find(objects, 'ClusterRole', componentUserName(component)).rules;
  const allows = (component: string, group: string, resource: string, verb: string): boolean => rulesOf(component).some(rule =>
    (rule.apiGroups.includes(group) || rule.apiGroups.includes('*')) && (rule.resources.includes(resource) || rule.resources.includes('*'))
    && (rule.verbs.includes(verb) || rule.verbs.includes('*')));

  test('the scheduler reads bindings and clusters, patches bindings and their status, records events, elects a leader', () => {
    for (const verb of ['get', 'list', 'watch', 'patch']) {
      expect(allows(Component.SCHEDULER, 'work.karmada.io', 'resourcebindings', verb)).toBe(true);
      expect(allows(Component.SCHEDULER, 'work.karmada.io', 'clusterresourcebindings', verb)).toBe(true);
    }
    expect(allows(Component.SCHEDULER, 'work.karmada.io', 'resourcebindings/status', 'patch')).toBe(true);
    expect(allows(Component.SCHEDULER, 'work.karmada.io', 'clusterresourcebindings/status', 'patch')).toBe(true);
    expect(allows(Component.SCHEDULER, 'cluster.karmada.io', 'clusters', 'watch')).toBe(true);
    expect(allows(Component.SCHEDULER, '', 'events', 'create')).toBe(true);
    expect(allows(Component.SCHEDULER, 'coordination.k8s.io', 'leases', 'update')).toBe(true);
    expect(allows(Component.SCHEDULER, '', 'services', 'get')).toBe(true);
    expect(allows(Component.SCHEDULER, 'work.karmada.io', 'resourcebindings', 'delete')).toBe(false);
    expect(allows(Component.SCHEDULER, '', 'secrets', 'get')).toBe(false);
  });

  test('the webhook reads what it validates against and charges quotas, nothing else', () => {
    expect(allows(Component.WEBHOOK, 'config.karmada.io', 'resourceinterpretercustomizations', 'watch')).toBe(true);
    expect(allows(Component.WEBHOOK, 'policy.karmada.io', 'federatedresourcequotas', 'list')).toBe(true);
    expect(allows(Component.WEBHOOK, 'policy.karmada.io', 'federatedresourcequotas/status', 'update')).toBe(true);
    expect(allows(Component.WEBHOOK, 'policy.karmada.io', 'federatedresourcequotas', 'update')).toBe(false);
    expect(allows(Component.WEBHOOK, '', 'secrets', 'get')).toBe(false);
  });

  test('the aggregated API servers read member-cluster secrets; search and the metrics adapter read clusters', () => {
    for (const component of [Component.AGGREGATED_API_SERVER, Component.SEARCH, Component.METRICS_ADAPTER]) {
      expect(allows(component, '', 'secrets', 'watch')).toBe(true);
      expect(allows(component, '', 'secrets', 'update')).toBe(false);
    }
    expect(allows(Component.SEARCH, 'cluster.karmada.io', 'clusters', 'list')).toBe(true);
    expect(allows(Component.SEARCH, 'search.karmada.io', 'resourceregistries', 'watch')).toBe(true);
    expect(allows(Component.METRICS_ADAPTER, 'cluster.karmada.io', 'clusters', 'list')).toBe(true);
  });

  test('the descheduler updates bindings it reads', () => {
    expect(allows(Component.DESCHEDULER, 'work.karmada.io', 'resourcebindings', 'update')).toBe(true);
    expect(allows(Component.DESCHEDULER, 'cluster.karmada.io', 'clusters', 'watch')).toBe(true);
    expect(allows(Component.DESCHEDULER, 'coordination.k8s.io', 'leases', 'create')).toBe(true);
  });

  test('karmada-controller-manager may do anything: it propagates resources of any type', () => {
    expect(rulesOf(Component.CONTROLLER_MANAGER)).toEqual([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
  });
});

describe('KarmadaApiObjects: webhooks', () => {
  const objects = synth({});
  const paths = (kind: string) => find(objects, kind, kind === 'MutatingWebhookConfiguration' ? 'mutating-config' : 'validating-config')
    .webhooks.map((w: Manifest) => new URL(w.clientConfig.url).pathname.slice(1));

  test('mutating-config has Karmada v1.18.2\'s eight webhooks', () => {
    expect(paths('MutatingWebhookConfiguration')).toEqual([
      'mutate-propagationpolicy', 'mutate-clusterpropagationpolicy', 'mutate-overridepolicy', 'mutate-resourcebinding',
      'mutate-clusterresourcebinding', 'mutate-work', 'mutate-federatedhpa', 'mutate-multiclusterservice',
    ]);
  });

  test('validating-config has Karmada v1.18.2\'s fourteen webhooks', () => {
    expect(paths('ValidatingWebhookConfiguration')).toEqual([
      'validate-propagationpolicy', 'validate-clusterpropagationpolicy', 'validate-overridepolicy', 'validate-clusteroverridepolicy',
      'validate-resourceinterpreterwebhookconfiguration', 'validate-resourceinterpretercustomization', 'validate-federatedresourcequota',
      'validate-multiclusteringress', 'validate-federatedhpa', 'validate-cronfederatedhpa', 'validate-multiclusterservice',
      'validate-resourcedeletionprotection', 'validate-resourcebinding', 'validate-clustertaintpolicy',
    ]);
  });

  test('every webhook fails closed after 3 s (10 s for interpreter customizations), with no side effects but the quota charge', () => {
    const webhooks = [...find(objects, 'MutatingWebhookConfiguration', 'mutating-config').webhooks, ...find(objects, 'ValidatingWebhookConfiguration', 'validating-config').webhooks];
    for (const webhook of webhooks) {
      expect(webhook.failurePolicy).toBe('Fail');
      expect(webhook.admissionReviewVersions).toEqual(['v1']);
      expect(webhook.timeoutSeconds).toBe(webhook.name === 'resourceinterpretercustomization.karmada.io' ? 10 : 3);
      const dryRunSensitive = webhook.clientConfig.url.endsWith('/validate-resourcebinding');
      expect(webhook.sideEffects).toBe(dryRunSensitive ? 'NoneOnDryRun' : 'None');
    }
    const protection = webhooks.find((w: Manifest) => w.name === 'resourcedeletionprotection.karmada.io');
    expect(protection.rules).toEqual([{ operations: ['DELETE'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: '*' }]);
    expect(protection.objectSelector).toEqual({ matchExpressions: [{ key: 'resourcetemplate.karmada.io/deletion-protected', operator: 'Exists' }] });
  });
});

describe('KarmadaApiObjects: CRDs', () => {
  test('the binding CRDs convert through karmada-webhook; the other 17 have no conversion', () => {
    const crds = karmadaCrds({ webhookServiceName: 'karmada-webhook', webhookNamespace: 'ns', caBundle: 'Q0E=' });
    const converted = crds.filter(crd => crd.spec.conversion);
    expect(converted.map(crd => crd.metadata.name)).toEqual(['resourcebindings.work.karmada.io', 'clusterresourcebindings.work.karmada.io']);
    for (const crd of converted) {
      expect(crd.spec.conversion).toEqual({
        strategy: 'Webhook',
        webhook: { clientConfig: { url: 'https://karmada-webhook.ns.svc:443/convert', caBundle: 'Q0E=' }, conversionReviewVersions: ['v1'] },
      });
    }
  });

  test('each CRD equals its shipped file as a YAML 1.2 parser reads it, but for the conversion', () => {
    const crds = karmadaCrds({ webhookServiceName: 'w', webhookNamespace: 'n', caBundle: 'Q0E=' });
    const kustomization = parseAllDocuments(fs.readFileSync(path.join(KARMADA_CRDS_DIR, 'kustomization.yaml'), 'utf8'))[0].toJSON();
    expect(kustomization.resources).toHaveLength(19);
    kustomization.resources.forEach((file: string, index: number) => {
      const shipped = parseAllDocuments(fs.readFileSync(path.join(KARMADA_CRDS_DIR, file), 'utf8'))[0].toJSON();
      const { conversion: _conversion, ...spec } = crds[index].spec;
      expect({ ...crds[index], spec }).toEqual(shipped);
    });
  });

  test('a call returns fresh copies', () => {
    const values = { webhookServiceName: 'w', webhookNamespace: 'n', caBundle: 'Q0E=' };
    const first = karmadaCrds(values);
    first[0].metadata.name = 'changed';
    expect(karmadaCrds(values)[0].metadata.name).toBe('serviceexports.multicluster.x-k8s.io');
  });
});

describe('KarmadaApiObjects: validation', () => {
  const expectError = (props: KarmadaApiObjectsProps, message: string) => expect(() => synth(props)).toThrow(message);

  test('pullModeApiEndpoint must be an https URL of a host', () => {
    expectError({ pullModeApiEndpoint: 'http://karmada.example.com:5443' },
      'pullModeApiEndpoint \'http://karmada.example.com:5443\' is not an https URL: its clients verify karmada-apiserver with the Karmada CA, '
      + 'write it as \'https://<host>[:<port>]\', e.g. \'https://karmada.example.com:5443\'');
    expectError({ pullModeApiEndpoint: 'karmada.example.com' },
      'pullModeApiEndpoint \'karmada.example.com\' is not a URL: write it as \'https://<host>[:<port>]\'');
    expectError({ pullModeApiEndpoint: 'https://karmada.example.com/api' },
      'pullModeApiEndpoint \'https://karmada.example.com/api\' has a path, query or credentials: write it as \'https://<host>[:<port>]\'');
  });

  test('caBundle must be the base64 of a PEM certificate', () => {
    expectError({ caBundle: TEST_CA_PEM },
      'caBundle is not the base64 of a PEM certificate: give the Karmada CA\'s ca.crt in base64, e.g. the output of '
      + 'kubectl -n karmada-system get secret karmada-bootstrap-client-cert -o jsonpath=\'{.data.ca\\.crt}\', or leave caBundle unset and let KarmadaBootstrapJob fill it in');
    expectError({ caBundle: Buffer.from('not a certificate').toString('base64'), instance: 'prod', hostNamespace: 'cp' },
      'kubectl -n cp get secret prod-bootstrap-client-cert -o jsonpath');
  });

  test('instance, hostNamespace and clusterDomain must be names; every problem is reported at once', () => {
    expect(() => synth({ instance: 'Prod', hostNamespace: 'Karmada_System', clusterDomain: 'cluster..local' })).toThrow([
      'instance \'Prod\' is not a DNS-1123 label that starts with a letter and has at most 30 characters: use lowercase letters, digits and \'-\', e.g. \'karmada\'',
      'hostNamespace \'Karmada_System\' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. \'karmada-system\'',
      'clusterDomain \'cluster..local\' is not a DNS domain: use the cluster\'s DNS domain, e.g. \'cluster.local\'',
    ].join('\n'));
  });
});

describe('KarmadaApiChart', () => {
  test('GIVEN no caBundle WHEN built THEN it warns how to fill in the placeholder', () => {
    const chart = new KarmadaApiChart(Testing.app(), 'karmada-api', { instance: 'prod', hostNamespace: 'cp' });
    expect(KarmadaWarnings.of(chart)).toEqual([
      `caBundle is not set, so the webhooks, APIServices and CRD conversion carry the placeholder '${CA_BUNDLE_PLACEHOLDER}'. `
      + 'Either let KarmadaBootstrapJob apply these objects (it fills in the CA), or fill it in before you apply this chart: '
      + 'CA_BUNDLE="$(kubectl --context <host cluster> -n cp get secret prod-bootstrap-client-cert -o jsonpath=\'{.data.ca\\.crt}\')" && '
      + `sed -i "s|${CA_BUNDLE_PLACEHOLDER}|\${CA_BUNDLE}|g" dist/karmada-api.k8s.yaml (the Secret's data is already base64), or pass caBundle`,
    ]);
    expect(JSON.stringify(Testing.synth(chart))).toContain(CA_BUNDLE_PLACEHOLDER);
  });

  test('GIVEN a caBundle WHEN built THEN no warning, no placeholder, and the same objects as KarmadaApiObjects in any chart', () => {
    const chart = new KarmadaApiChart(Testing.app(), 'karmada-api', EVERYTHING);
    expect(KarmadaWarnings.of(chart)).toEqual([]);
    const objects = Testing.synth(chart);
    expect(JSON.stringify(objects)).not.toContain(CA_BUNDLE_PLACEHOLDER);
    expect(objects).toEqual(synth(EVERYTHING));
    expect(objects.every(o => o.metadata.namespace === undefined || ['karmada-system', 'kube-system', 'kube-public'].includes(o.metadata.namespace))).toBe(true);
  });

  test('the chart\'s labels reach every object', () => {
    const objects = Testing.synth(new KarmadaApiChart(Testing.app(), 'karmada-api', { labels: { team: 'platform' } }));
    expect(objects.every(o => o.metadata.labels.team === 'platform')).toBe(true);
  });
});

describe('renderKarmadaApiObjects', () => {
  test('is the multi-document YAML of the same objects, deterministic, with the placeholder by default', () => {
    const rendered = renderKarmadaApiObjects({ search: true });
    expect(renderKarmadaApiObjects({ search: true })).toBe(rendered);
    const chart = new Chart(Testing.app(), 'other');
    new KarmadaApiObjects(chart, 'Objects', { search: true });
    expect(rendered).toBe(Yaml.stringify(...Testing.synth(chart)));
    expect(rendered).toContain(CA_BUNDLE_PLACEHOLDER);
    expect(Buffer.from(CA_BUNDLE_PLACEHOLDER, 'base64').toString()).toBe('CDK8S_KARMADA_CA_BUNDLE');
  });
});
