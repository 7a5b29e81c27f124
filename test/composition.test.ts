import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EtcdMember, EtcdTopology, HATopology, KarmadaBootstrapJob, KarmadaControlPlaneNode, KarmadaLabels } from '../src';

/**
 * The README's "Composing without HATopology": three stacked nodes composed by hand, with the Services and the Job
 * HATopology would add. The same code as the README's example, so that what the README says about it is checked.
 */
function composeByHand(chart: Chart): void {
  const instance = 'karmada';
  const members = ['karmada-etcd-0', 'karmada-etcd-1', 'karmada-etcd-2'];
  members.forEach((memberName, i) => {
    const member = new EtcdMember(chart, `etcd-${i}`, { memberName, initialClusterMembers: members, instance, controlPlaneNode: `karmada-cp-${i}` });
    new KarmadaControlPlaneNode(chart, `cp-${i}`, { nodeName: `karmada-cp-${i}`, localEtcdMember: member, instance });
  });
  const service = (component: string, port: number, targetPort: number) => {
    const labels = { [KarmadaLabels.INSTANCE]: instance, [KarmadaLabels.NAME]: component };
    new kplus.Service(chart, component, {
      metadata: { name: component, labels },
      selector: kplus.Pods.select(chart, `${component}-pods`, { labels }),
      ports: [{ name: 'https', port, targetPort }],
    });
  };
  service('karmada-apiserver', 5443, 5443);
  service('karmada-aggregated-apiserver', 443, 8443);
  service('karmada-webhook', 443, 8443);
  new KarmadaBootstrapJob(chart, 'bootstrap', { instance, apiServerUrl: 'https://karmada-apiserver.karmada-system.svc.cluster.local:5443' });

  const plan = new Chart(new App(), 'pki', { namespace: 'karmada-system' });
  new HATopology(plan, instance, {
    etcd: EtcdTopology.stacked(),
    controlPlaneNodes: 3,
    etcdBackup: { enabled: false },
    etcdDefragmentation: { enabled: false },
  });
  for (const object of plan.toJson().filter(o => o.kind === 'Issuer' || o.kind === 'Certificate')) {
    new ApiObject(chart, `${object.kind}-${object.metadata.name}`, object);
  }
}

describe('composing a stacked topology by hand (README: Composing without HATopology)', () => {
  const byHand = Testing.synth((() => {
    const chart = new Chart(Testing.app(), 'by-hand', { namespace: 'karmada-system' });
    composeByHand(chart);
    return chart;
  })());
  const haChart = new Chart(new App(), 'ha', { namespace: 'karmada-system' });
  const ha = new HATopology(haChart, 'karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes: 3 });
  const haObjects = Testing.synth(haChart);
  const named = (objects: any[], kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name);

  test('gives the workloads, Services and Job HATopology gives for the same names, object for object', () => {
    const kinds = ['Deployment', 'StatefulSet', 'Service', 'ConfigMap', 'Job'];
    const handNames = byHand.filter(o => kinds.includes(o.kind)).map(o => `${o.kind}/${o.metadata.name}`).sort();
    const haNames = haObjects.filter(o => kinds.includes(o.kind)).map(o => `${o.kind}/${o.metadata.name}`).sort();
    // Of these kinds HATopology has one more: the etcd client Service its backup and defragmentation dial.
    expect(haNames.filter(name => !handNames.includes(name))).toEqual(['Service/karmada-etcd-client']);
    expect(handNames.filter(name => !haNames.includes(name))).toEqual([]);
    for (const name of handNames) {
      const [kind, objectName] = name.split('/');
      expect({ name, spec: named(byHand, kind, objectName).spec, data: named(byHand, kind, objectName).data })
        .toEqual({ name, spec: named(haObjects, kind, objectName).spec, data: named(haObjects, kind, objectName).data });
    }
  });

  const volumes = (o: any): any[] => o.spec?.template?.spec?.volumes ?? [];
  const mounted = new Set(byHand.flatMap(o => volumes(o).filter(v => v.secret).map(v => v.secret.secretName)));

  test('every Secret its pods mount is one HATopology.certificates describes', () => {
    const described = new Set(ha.certificates.map(c => c.secretName));
    expect([...mounted].filter(secret => !described.has(secret))).toEqual([]);
    expect(mounted.size).toBe(12 + 2 * 3 + 1);
  });

  test('every Secret its pods mount has a copied Certificate, and every copied Certificate a copied Issuer', () => {
    const certificates = byHand.filter(o => o.kind === 'Certificate');
    const issued = new Set(certificates.map(c => c.spec.secretName));
    expect([...mounted].filter(secret => !issued.has(secret))).toEqual([]);
    const issuers = new Set(byHand.filter(o => o.kind === 'Issuer').map(i => i.metadata.name));
    expect(certificates.filter(c => !issuers.has(c.spec.issuerRef.name)).map(c => c.metadata.name)).toEqual([]);
    // The CAs, the mounted Secrets and the admin certificate (people use it): nothing for the switched-off maintenance.
    const expected = [...mounted, 'karmada-ca', 'karmada-etcd-ca', 'karmada-front-proxy-ca', 'karmada-admin-cert'];
    expect(certificates.map(c => c.spec.secretName).sort()).toEqual(expected.sort());
  });

  test('a member of another instance is refused before any object is created', () => {
    const chart = Testing.chart();
    const member = new EtcdMember(chart, 'etcd', { memberName: 'other-etcd-0', initialClusterMembers: ['other-etcd-0'], instance: 'other', controlPlaneNode: 'karmada-cp-0' });
    expect(() => new KarmadaControlPlaneNode(chart, 'cp', { nodeName: 'karmada-cp-0', localEtcdMember: member })).toThrow(/instance/);
    expect(Testing.synth(chart).filter(o => o.kind !== 'StatefulSet' && o.kind !== 'Service')).toEqual([]);
  });
});
