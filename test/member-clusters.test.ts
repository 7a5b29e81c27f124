import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { KarmadaAgent, KarmadaAgentProps, KarmadaApiChart, KarmadaPullMember, KarmadaPushMember, KarmadaPushMemberAccess, KarmadaPushMemberProps } from '../src';
import { container, find, flag, Manifest, ofKind, podSpec } from './util';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const PUSH: KarmadaPushMemberProps = { clusterName: 'member-1', apiEndpoint: 'https://member-1.example.com:6443' };
const AGENT: KarmadaAgentProps = { clusterName: 'member-2', clusterApiEndpoint: 'https://member-2.example.com:6443' };

function synth(build: (chart: Chart) => void, namespace?: string): Manifest[] {
  const chart = new Chart(Testing.app(), 'test', namespace ? { namespace } : {});
  build(chart);
  return Testing.synth(chart);
}

type Model = new (data: any) => { validate(): void };
const MODELS: Record<string, Model> = {
  'apps/v1/Deployment': Deployment,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/ServiceAccount': ServiceAccount,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

/** Every Kubernetes object validates against its schema; the only other kind is Karmada's `Cluster`. */
function expectValid(objects: Manifest[]): void {
  for (const object of objects) {
    if (object.kind === 'Cluster') continue;
    const model = MODELS[`${object.apiVersion}/${object.kind}`];
    expect(model).toBeDefined();
    expect(() => new model(object).validate()).not.toThrow();
  }
}

/** No object carries a token, a key or a kubeconfig. */
function expectNoSecretData(objects: Manifest[]): void {
  for (const object of objects) {
    expect(object.data).toBeUndefined();
    expect(object.stringData).toBeUndefined();
  }
}

describe('push mode, inside the Karmada API: KarmadaPushMember', () => {
  test('snapshot: the Cluster and its namespace, no credentials', () => {
    const objects = synth(chart => new KarmadaPushMember(chart, 'member-1', PUSH));
    expect(objects).toMatchSnapshot();
    expectValid(objects);
  });

  test('the Cluster points at the member with syncMode Push and names the Secrets of karmada-cluster, which are not synthesized', () => {
    const objects = synth(chart => new KarmadaPushMember(chart, 'member-1', { ...PUSH, provider: 'aws', region: 'eu-west-1', zones: ['eu-west-1a'] }));
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/karmada-cluster', 'Cluster/member-1']);
    const cluster = find(objects, 'Cluster', 'member-1');
    expect(cluster.apiVersion).toBe('cluster.karmada.io/v1alpha1');
    expect(cluster.metadata.namespace).toBeUndefined();
    expect(cluster.spec).toEqual({
      syncMode: 'Push',
      apiEndpoint: 'https://member-1.example.com:6443',
      secretRef: { namespace: 'karmada-cluster', name: 'member-1' },
      impersonatorSecretRef: { namespace: 'karmada-cluster', name: 'member-1-impersonator' },
      provider: 'aws',
      region: 'eu-west-1',
      zones: ['eu-west-1a'],
    });
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expectNoSecretData(objects);
  });

  test('snapshot: credentials passed explicitly become the two Secrets karmadactl join writes', () => {
    const objects = synth(chart => new KarmadaPushMember(chart, 'member-1', { ...PUSH, credentials: { token: 'controller-token', caBundle: CA, impersonatorToken: 'impersonator-token' } }));
    expect(objects).toMatchSnapshot();
    expectValid(objects);
    const secret = find(objects, 'Secret', 'member-1');
    expect(secret.metadata.namespace).toBe('karmada-cluster');
    expect(secret.data).toEqual({ caBundle: CA, token: Buffer.from('controller-token').toString('base64') });
    const impersonator = find(objects, 'Secret', 'member-1-impersonator');
    expect(impersonator.data).toEqual({ token: Buffer.from('impersonator-token').toString('base64') });
  });

  test('two members in one KarmadaApiChart: the namespace once', () => {
    const app = Testing.app();
    const chart = new KarmadaApiChart(app, 'karmada-api', { caBundle: CA });
    new KarmadaPushMember(chart, 'member-1', PUSH);
    new KarmadaPushMember(chart, 'member-3', { clusterName: 'member-3', apiEndpoint: 'https://10.0.0.3:6443', createNamespace: false });
    const objects = Testing.synth(chart);
    expect(ofKind(objects, 'Cluster').map(o => o.metadata.name)).toEqual(['member-1', 'member-3']);
    expect(ofKind(objects, 'Namespace').filter(o => o.metadata.name === 'karmada-cluster')).toHaveLength(1);
  });
});

describe('push mode, in the member: KarmadaPushMemberAccess', () => {
  test('snapshot', () => {
    const objects = synth(chart => new KarmadaPushMemberAccess(chart, 'karmada', { clusterName: 'member-1', proxyGroups: ['karmada:cluster-admins'] }));
    expect(objects).toMatchSnapshot();
    expectValid(objects);
    expectNoSecretData(objects);
  });

  test('the objects test/cluster/karmada.ts joinMember creates, by name, and the long-lived token Secrets the member fills in', () => {
    const objects = synth(chart => new KarmadaPushMemberAccess(chart, 'karmada', { clusterName: 'member-1', proxyGroups: ['karmada:cluster-admins'] }));
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole//karmada-impersonator',
      'ClusterRoleBinding//karmada-controller-manager:karmada-member-1',
      'ClusterRoleBinding//karmada-impersonator',
      'ClusterRoleBinding//karmada-proxy-admins',
      'Namespace//karmada-cluster',
      'Secret/karmada-cluster/karmada-impersonator-token',
      'Secret/karmada-cluster/karmada-member-1-token',
      'ServiceAccount/karmada-cluster/karmada-impersonator',
      'ServiceAccount/karmada-cluster/karmada-member-1',
    ]);
    const controller = find(objects, 'ClusterRoleBinding', 'karmada-controller-manager:karmada-member-1');
    expect(controller.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(controller.subjects).toEqual([{ kind: 'ServiceAccount', name: 'karmada-member-1', namespace: 'karmada-cluster' }]);
    expect(find(objects, 'ClusterRole', 'karmada-impersonator').rules).toEqual([{ apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] }]);
    expect(find(objects, 'ClusterRoleBinding', 'karmada-proxy-admins').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'karmada:cluster-admins' }]);
    const token = find(objects, 'Secret', 'karmada-member-1-token');
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'karmada-member-1' });
  });

  test('without proxy groups or token Secrets: neither the proxy binding nor a Secret', () => {
    const objects = synth(chart => new KarmadaPushMemberAccess(chart, 'karmada', { clusterName: 'member-1', tokenSecrets: false }));
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expect(objects.some(o => o.metadata.name === 'karmada-proxy-admins')).toBe(false);
  });
});

describe('pull mode, inside the Karmada API: KarmadaPullMember', () => {
  test('snapshot', () => {
    const objects = synth(chart => new KarmadaPullMember(chart, 'member-2', { clusterName: 'member-2' }));
    expect(objects).toMatchSnapshot();
    expectValid(objects);
  });

  test('the agent\'s user gets the roles karmadactl register creates, and only for its own cluster and execution space', () => {
    const objects = synth(chart => new KarmadaPullMember(chart, 'member-2', { clusterName: 'member-2' }));
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace//karmada-cluster',
      'Namespace//karmada-es-member-2',
      'ClusterRole//system:karmada:member-2:agent',
      'ClusterRoleBinding//system:karmada:member-2:agent',
      'Role/karmada-cluster/system:karmada:member-2:agent-secret',
      'RoleBinding/karmada-cluster/system:karmada:member-2:agent-secret',
      'Role/karmada-es-member-2/system:karmada:member-2:agent-work',
      'RoleBinding/karmada-es-member-2/system:karmada:member-2:agent-work',
    ]);
    for (const binding of [...ofKind(objects, 'ClusterRoleBinding'), ...ofKind(objects, 'RoleBinding')]) {
      expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:karmada:agent:member-2' }]);
    }
    const role = find(objects, 'ClusterRole', 'system:karmada:member-2:agent');
    expect(role.rules).toContainEqual({ apiGroups: ['cluster.karmada.io'], resources: ['clusters/status'], resourceNames: ['member-2'], verbs: ['update'] });
    expect(role.rules).toContainEqual({ apiGroups: ['cluster.karmada.io'], resources: ['clusters'], resourceNames: ['member-2'], verbs: ['get', 'delete'] });
    expect(find(objects, 'Role', 'system:karmada:member-2:agent-secret').rules[0].resourceNames).toEqual(['member-2', 'member-2-impersonator']);
    expect(find(objects, 'Role', 'system:karmada:member-2:agent-work').rules[0]).toEqual({
      apiGroups: ['work.karmada.io'], resources: ['works'], verbs: ['get', 'create', 'list', 'watch', 'update', 'delete'],
    });
  });

  test('the agent\'s group is the one the pull-mode objects of KarmadaApiObjects let renew its certificate', () => {
    const objects = Testing.synth(new KarmadaApiChart(Testing.app(), 'api', { caBundle: CA, pullModeApiEndpoint: 'https://karmada.example.com:5443' }));
    expect(find(objects, 'ClusterRoleBinding', 'system:karmada:agent-autoapprove-certificate-rotation').subjects)
      .toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:karmada:agents' }]);
  });
});

describe('pull mode, in the member: KarmadaAgent', () => {
  test('snapshot', () => {
    const objects = synth(chart => new KarmadaAgent(chart, 'agent', AGENT));
    expect(objects).toMatchSnapshot();
    expectValid(objects);
  });

  test('the objects karmadactl register creates in the member, by name; no kubeconfig Secret unless passed', () => {
    const objects = synth(chart => new KarmadaAgent(chart, 'agent', AGENT));
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace//karmada-system',
      'ServiceAccount/karmada-system/karmada-agent-sa',
      'ClusterRole//karmada-agent',
      'ClusterRoleBinding//karmada-agent',
      'Deployment/karmada-system/karmada-agent',
    ]);
    expectNoSecretData(objects);
    expect(find(objects, 'ClusterRole', 'karmada-agent').rules).toEqual([
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['get'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'karmada-agent').subjects).toEqual([{ kind: 'ServiceAccount', name: 'karmada-agent-sa', namespace: 'karmada-system' }]);
  });

  test('the Deployment: image, flags, ServiceAccount token, the kubeconfig Secret mounted, hardened', () => {
    const objects = synth(chart => new KarmadaAgent(chart, 'agent', { ...AGENT, provider: 'aws', region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] }));
    const deployment = find(objects, 'Deployment', 'karmada-agent');
    const main = container(deployment);
    expect(main.image).toBe('docker.io/karmada/karmada-agent:v1.18.2');
    expect(main.command).toEqual(['/bin/karmada-agent']);
    expect(flag(deployment, 'karmada-kubeconfig')).toBe('/etc/karmada/kubeconfig/karmada-kubeconfig');
    expect(flag(deployment, 'karmada-kubeconfig-namespace')).toBe('karmada-system');
    expect(flag(deployment, 'cluster-name')).toBe('member-2');
    expect(flag(deployment, 'cluster-api-endpoint')).toBe('https://member-2.example.com:6443');
    expect(flag(deployment, 'cluster-namespace')).toBe('karmada-cluster');
    expect(flag(deployment, 'cluster-provider')).toBe('aws');
    expect(flag(deployment, 'cluster-region')).toBe('eu-west-1');
    expect(flag(deployment, 'cluster-zones')).toBe('eu-west-1a,eu-west-1b');
    expect(flag(deployment, 'controllers')).toBe('*');
    expect(flag(deployment, 'leader-elect')).toBe('true');
    expect(flag(deployment, 'leader-elect-resource-namespace')).toBe('karmada-system');
    expect(flag(deployment, 'health-probe-bind-address')).toBe('$(POD_IP):10357');
    expect(flag(deployment, 'metrics-bind-address')).toBe('$(POD_IP):8080');
    expect(main.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 10357, scheme: 'HTTP' });
    const pod = podSpec(deployment);
    expect(pod.serviceAccountName).toBe('karmada-agent-sa');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(main.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const volume = pod.volumes.find((v: Manifest) => v.secret?.secretName === 'karmada-kubeconfig');
    expect(volume.secret.items).toEqual([{ key: 'karmada-kubeconfig', path: 'karmada-kubeconfig' }]);
    expect(main.volumeMounts).toContainEqual({ name: volume.name, mountPath: '/etc/karmada/kubeconfig', readOnly: true });
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/instance': 'karmada', 'app.kubernetes.io/name': 'karmada-agent', 'karmada.io/member-cluster': 'member-2',
    });
    expect(pod.priorityClassName).toBeUndefined();
  });

  test('certificate rotation on: the certRotation controller', () => {
    const objects = synth(chart => new KarmadaAgent(chart, 'agent', { ...AGENT, certRotation: true }));
    expect(flag(find(objects, 'Deployment', 'karmada-agent'), 'controllers')).toBe('*,certRotation');
  });

  test('snapshot: a kubeconfig passed explicitly becomes Secret karmada-kubeconfig in the chart\'s namespace', () => {
    const objects = synth(chart => new KarmadaAgent(chart, 'agent', { ...AGENT, karmadaKubeconfig: 'apiVersion: v1\nkind: Config\n', createNamespace: false }), 'karmada-agent');
    expect(objects).toMatchSnapshot();
    expectValid(objects);
    const secret = find(objects, 'Secret', 'karmada-kubeconfig');
    expect(secret.metadata.namespace).toBe('karmada-agent');
    expect(Buffer.from(secret.data['karmada-kubeconfig'], 'base64').toString()).toBe('apiVersion: v1\nkind: Config\n');
    expect(ofKind(objects, 'Namespace')).toEqual([]);
    expect(flag(find(objects, 'Deployment', 'karmada-agent'), 'leader-elect-resource-namespace')).toBe('karmada-agent');
  });

  test('every flag is in karmada-agent v1.18.2\'s flag list (the vendor data\'s copy in test/fixtures/flags)', () => {
    const known = new Set(fs.readFileSync(path.join(__dirname, 'fixtures', 'flags', 'karmada-agent.txt'), 'utf8').split('\n').map(l => l.trim()).filter(Boolean));
    const vendor = path.join(__dirname, '..', '..', 'shared', 'vendor-data', 'flags', 'karmada-agent.txt');
    if (fs.existsSync(vendor)) expect(fs.readFileSync(vendor, 'utf8').trim()).toBe([...known].join('\n'));
    const objects = synth(chart => new KarmadaAgent(chart, 'agent', { ...AGENT, provider: 'p', region: 'r', zones: ['z'], certRotation: true }));
    const args: string[] = container(find(objects, 'Deployment', 'karmada-agent')).args;
    expect(args.length).toBeGreaterThan(10);
    expect(args.filter(arg => !known.has(arg.replace(/^--/, '').split('=')[0]))).toEqual([]);
  });
});

describe('the examples of docs/member-clusters.md', () => {
  test('push mode: the Karmada side and the member side', () => {
    const app = Testing.app();
    const members = new Chart(app, 'karmada-members');
    new KarmadaPushMember(members, 'member-1', { clusterName: 'member-1', apiEndpoint: 'https://member-1.example.com:6443' });
    const member = new Chart(app, 'member-1');
    new KarmadaPushMemberAccess(member, 'karmada', { clusterName: 'member-1', proxyGroups: ['karmada:cluster-admins'] });
    expect(Testing.synth(members).map(o => o.kind)).toEqual(['Namespace', 'Cluster']);
    expect(Testing.synth(member)).toHaveLength(9);
  });

  test('pull mode: the Karmada side and the member side', () => {
    const app = Testing.app();
    const members = new Chart(app, 'karmada-members');
    new KarmadaPullMember(members, 'member-2', { clusterName: 'member-2' });
    const member = new Chart(app, 'member-2', { namespace: 'karmada-system' });
    new KarmadaAgent(member, 'agent', { clusterName: 'member-2', clusterApiEndpoint: 'https://member-2.example.com:6443' });
    expect(Testing.synth(members)).toHaveLength(8);
    expect(Testing.synth(member).map(o => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment']);
  });
});
