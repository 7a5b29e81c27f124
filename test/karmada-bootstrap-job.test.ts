import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { find, Manifest, ofKind, podSpec } from './util';
import { KarmadaApiObjectsProps, KarmadaBootstrapJob, KarmadaBootstrapJobProps } from '../src';
import { renderKarmadaApiObjects } from '../src/private/karmada-api-render';
import { SecretNames, CA_BUNDLE_PLACEHOLDER } from '../src/private/names';
import { SECRET_FILE_MODE } from '../src/private/pod-defaults';

const API_SERVER_URL = 'https://karmada-apiserver.karmada-system.svc.cluster.local:5443';
const TEST_CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBdummyKarmadaTestCA+/with/slashes==\n-----END CERTIFICATE-----\n';

const FULL: KarmadaBootstrapJobProps = {
  instance: 'prod',
  namespace: 'karmada-cp',
  apiServerUrl: 'https://prod-apiserver.karmada-cp.svc.corp.local:5443',
  karmadaApiObjects: { clusterDomain: 'corp.local', search: true, metricsAdapter: true, descheduler: true, pullModeApiEndpoint: 'https://karmada.example.com:5443' },
  images: { kubectl: 'mirror.example.com/kubectl:v1.35.4', shell: 'mirror.example.com/busybox:1.37.0' },
  hosts: {
    nodeLabels: { 'node-role.kubernetes.io/karmada': 'control-plane' },
    tolerations: [kplus.NodeTaintQuery.exists('node-role.kubernetes.io/control-plane')],
  },
};

const SCENARIOS: Array<[string, KarmadaBootstrapJobProps, string | undefined]> = [
  ['default, in a chart of namespace karmada-system', { apiServerUrl: API_SERVER_URL }, 'karmada-system'],
  ['every option', FULL, undefined],
];

/** GIVEN a chart (of `chartNamespace`) with a KarmadaBootstrapJob, WHEN synthesized: its objects and the construct. */
function synth(props: KarmadaBootstrapJobProps, chartNamespace?: string): { objects: Manifest[]; construct: KarmadaBootstrapJob } {
  const chart = new Chart(Testing.app(), 'host', chartNamespace ? { namespace: chartNamespace } : {});
  const construct = new KarmadaBootstrapJob(chart, 'bootstrap', props);
  return { objects: Testing.synth(chart), construct };
}

/** The objects the Job applies, as the construct's props say (the Job's instance and namespace filled in). */
function expectedObjects(props: KarmadaBootstrapJobProps, namespace: string, extra: KarmadaApiObjectsProps = {}): string {
  return renderKarmadaApiObjects({ ...props.karmadaApiObjects, instance: props.instance ?? 'karmada', hostNamespace: namespace, ...extra });
}

function compressedObjects(objects: Manifest[]): Buffer {
  const configMap = objects.find(o => o.kind === 'ConfigMap' && o.binaryData)!;
  return Buffer.from(configMap.binaryData['objects.yaml.gz'], 'base64');
}

/** The compressed objects summarized: their bytes depend on the zlib build, their content does not. */
function snapshotView(objects: Manifest[]): Manifest[] {
  return objects.map(o => o.binaryData
    ? { ...o, binaryData: { 'objects.yaml.gz': `<gzip of ${createHash('sha256').update(zlib.gunzipSync(compressedObjects(objects))).digest('hex')}>` } }
    : o);
}

function theJob(objects: Manifest[]): Manifest {
  const jobs = ofKind(objects, 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

describe.each(SCENARIOS)('KarmadaBootstrapJob: %s', (_scenario, props, chartNamespace) => {
  // GIVEN the props, WHEN synthesized
  const { objects, construct } = synth(props, chartNamespace);
  const namespace = props.namespace ?? chartNamespace ?? 'karmada-system';
  const instance = props.instance ?? 'karmada';
  const job = theJob(objects);
  const spec = podSpec(job);

  test('snapshot (compressed objects summarized)', () => {
    expect(snapshotView(objects)).toMatchSnapshot();
  });

  test('every object validates against the Kubernetes schema', () => {
    const models: Record<string, new (data: any) => { validate(): void }> = { 'v1/ConfigMap': ConfigMap, 'batch/v1/Job': Job };
    expect(objects.map(o => `${o.apiVersion}/${o.kind}`).sort()).toEqual(['batch/v1/Job', 'v1/ConfigMap', 'v1/ConfigMap']);
    for (const object of objects) {
      expect(() => new models[`${object.apiVersion}/${object.kind}`](object).validate()).not.toThrow();
      expect(object.metadata.namespace).toBe(namespace);
    }
  });

  test('the ConfigMap decompresses to exactly the rendered objects, CA bundle placeholder included', () => {
    const yaml = zlib.gunzipSync(compressedObjects(objects)).toString('utf8');
    expect(yaml).toBe(expectedObjects(props, namespace));
    expect(yaml).toBe(construct.renderedObjects);
    expect(yaml).toContain(CA_BUNDLE_PLACEHOLDER);
    expect(find(objects, 'ConfigMap', `${instance}-karmada-api-objects`).binaryData).toBeDefined();
  });

  test('the compressed bytes are the same on every synth: no time, no name, a fixed OS byte', () => {
    const compressed = compressedObjects(objects);
    expect(compressed.subarray(3, 8)).toEqual(Buffer.from([0, 0, 0, 0, 0]));
    expect(compressed[9]).toBe(0xff);
    expect(compressedObjects(synth(props, chartNamespace).objects)).toEqual(compressed);
  });

  test('the kubeconfig names only the mounted files of the bootstrap client Secret, and the apiserver URL', () => {
    const configMap = find(objects, 'ConfigMap', `${instance}-bootstrap-kubeconfig`);
    const kubeconfig = parse(configMap.data.kubeconfig);
    expect(JSON.stringify(kubeconfig)).not.toMatch(/-data"/);
    expect(kubeconfig.clusters).toEqual([{ name: 'karmada-apiserver', cluster: { 'server': props.apiServerUrl, 'certificate-authority': '/etc/karmada/pki/ca.crt' } }]);
    expect(kubeconfig.users).toEqual([{ name: 'karmada-bootstrap', user: { 'client-certificate': '/etc/karmada/pki/tls.crt', 'client-key': '/etc/karmada/pki/tls.key' } }]);
    // Those paths are files of the Secret volume mounted at /etc/karmada/pki in the kubectl container.
    const apply = spec.containers[0];
    const mount = apply.volumeMounts.find((m: Manifest) => m.mountPath === '/etc/karmada/pki');
    const volume = spec.volumes.find((v: Manifest) => v.name === mount.name);
    expect(volume.secret).toEqual({
      secretName: SecretNames.bootstrapClient(instance),
      defaultMode: SECRET_FILE_MODE,
      items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }],
    });
    expect(apply.args).toContain('--kubeconfig=/etc/karmada/kubeconfig/kubeconfig');
  });

  test('the init container sees only the CA certificate; no other Secret, host path or service-account token is mounted', () => {
    const secretVolumes = spec.volumes.filter((v: Manifest) => v.secret);
    const clientSecret = SecretNames.bootstrapClient(instance);
    expect(secretVolumes.map((v: Manifest) => v.secret.secretName)).toEqual([clientSecret, clientSecret]);
    const prepare = spec.initContainers[0];
    const prepareSecrets = prepare.volumeMounts
      .map((m: Manifest) => spec.volumes.find((v: Manifest) => v.name === m.name))
      .filter((v: Manifest) => v.secret);
    expect(prepareSecrets.map((v: Manifest) => v.secret.items)).toEqual([[{ key: 'ca.crt', path: 'ca.crt' }]]);
    expect(spec.volumes.every((v: Manifest) => v.secret || v.configMap || v.emptyDir)).toBe(true);
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('a restricted, read-only pod that runs once and retries for about an hour', () => {
    expect(spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBe(12);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits).toBeDefined();
      expect(c.volumeMounts.find((m: Manifest) => m.mountPath === '/work')).toBeDefined();
    }
    expect(spec.volumes.find((v: Manifest) => v.name === 'work').emptyDir).toBeDefined();
    expect(job.spec.template.metadata.labels['cdk8s.io/metadata.addr']).toBeUndefined();
  });

  test('kubectl applies, server side, the file the init container writes', () => {
    const [apply] = spec.containers;
    expect(apply.image).toBe(props.images?.kubectl ?? 'registry.k8s.io/kubectl:v1.35.4');
    expect(apply.command).toEqual(['/bin/kubectl']);
    expect(apply.args).toEqual(expect.arrayContaining(['apply', '--server-side', '--force-conflicts', '--field-manager=cdk8s-karmada', '--filename=/work/objects.yaml']));
    expect(spec.initContainers[0].image).toBe(props.images?.shell ?? 'docker.io/library/busybox:1.37.0');
    expect(spec.initContainers[0].command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(spec.initContainers[0].command[2]).toContain('> /work/objects.yaml\n');
  });

  test('the Job is named after the instance and a hash of what it applies', () => {
    expect(job.metadata.name).toMatch(new RegExp(`^${instance}-bootstrap-[0-9a-f]{10}$`));
    expect(job.metadata.name).toBe(construct.jobName);
    expect(job.metadata.name.length).toBeLessThanOrEqual(63);
  });
});

describe('KarmadaBootstrapJob: the init container\'s script, run here', () => {
  test('GIVEN the CA in the Secret WHEN the script runs THEN it writes the objects rendered with that CA bundle', () => {
    // GIVEN the mounts of the pod as local folders
    const { objects } = synth(FULL);
    const prepare = podSpec(theJob(objects)).initContainers[0];
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'karmada-bootstrap-'));
    const dirs = { '/etc/karmada/objects': path.join(root, 'objects'), '/etc/karmada/ca': path.join(root, 'ca'), '/work': path.join(root, 'work') };
    Object.values(dirs).forEach(dir => fs.mkdirSync(dir));
    fs.writeFileSync(path.join(dirs['/etc/karmada/objects'], 'objects.yaml.gz'), compressedObjects(objects));
    fs.writeFileSync(path.join(dirs['/etc/karmada/ca'], 'ca.crt'), TEST_CA_PEM);
    let script: string = prepare.command[2];
    for (const [mountPath, dir] of Object.entries(dirs)) script = script.split(`${mountPath}/`).join(`${dir}/`);

    // WHEN it runs
    execFileSync('sh', ['-c', script]);

    // THEN the result is what the construct renders when given the CA bundle itself
    const caBundle = Buffer.from(TEST_CA_PEM).toString('base64');
    const written = fs.readFileSync(path.join(dirs['/work'], 'objects.yaml'), 'utf8');
    expect(written).not.toContain(CA_BUNDLE_PLACEHOLDER);
    expect(written).toBe(expectedObjects(FULL, 'karmada-cp', { caBundle }));
    expect(fs.readdirSync(dirs['/work'])).toEqual(['objects.yaml']);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('GIVEN an empty ca.crt WHEN the script runs THEN it fails', () => {
    const { objects } = synth({ apiServerUrl: API_SERVER_URL });
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'karmada-bootstrap-'));
    fs.writeFileSync(path.join(root, 'ca.crt'), '');
    const script = podSpec(theJob(objects)).initContainers[0].command[2].split('/etc/karmada/ca/').join(`${root}/`);
    expect(() => execFileSync('sh', ['-c', script], { stdio: 'pipe' })).toThrow(/ca\.crt is empty/);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('KarmadaBootstrapJob: a new Job for new content', () => {
  const nameOf = (props: KarmadaBootstrapJobProps) => synth(props).construct.jobName;
  const base: KarmadaBootstrapJobProps = { apiServerUrl: API_SERVER_URL };

  test('the same props give the same name', () => {
    expect(nameOf(base)).toBe(nameOf({ ...base }));
  });

  test('other objects, images or hosts give another name', () => {
    const names = [
      nameOf(base),
      nameOf({ ...base, karmadaApiObjects: { search: true } }),
      nameOf({ ...base, karmadaApiObjects: { pullModeApiEndpoint: 'https://karmada.example.com' } }),
      nameOf({ ...base, images: { kubectl: 'registry.k8s.io/kubectl:v1.35.3' } }),
      nameOf({ ...base, images: { shell: 'docker.io/library/busybox:1.37.1' } }),
      nameOf({ ...base, hosts: { nodeLabels: { role: 'karmada' } } }),
      nameOf({ ...base, apiServerUrl: 'https://other.karmada-system.svc:5443' }),
    ];
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('KarmadaBootstrapJob: namespace', () => {
  test('the props\' namespace, else the chart\'s, else karmada-system; the objects point at it', () => {
    expect(synth({ apiServerUrl: API_SERVER_URL, namespace: 'a' }, 'b').construct.namespace).toBe('a');
    expect(synth({ apiServerUrl: API_SERVER_URL }, 'b').construct.namespace).toBe('b');
    const { construct } = synth({ apiServerUrl: API_SERVER_URL });
    expect(construct.namespace).toBe('karmada-system');
    expect(synth({ apiServerUrl: API_SERVER_URL }, 'b').construct.renderedObjects).toContain('https://karmada-webhook.b.svc:443/convert');
  });

  test('the hosts\' labels and taints place the pod', () => {
    const spec = podSpec(theJob(synth(FULL).objects));
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'node-role.kubernetes.io/karmada', operator: 'In', values: ['control-plane'] }] },
    ]);
    expect(spec.tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }]);
  });
});

describe('KarmadaBootstrapJob: validation', () => {
  test('apiServerUrl must be an https URL of a host and port', () => {
    expect(() => synth({ apiServerUrl: 'http://karmada-apiserver:5443' })).toThrow(
      'apiServerUrl \'http://karmada-apiserver:5443\' is not an https URL: its clients verify karmada-apiserver with the Karmada CA, '
      + 'write it as \'https://<host>[:<port>]\', e.g. \'https://karmada-apiserver.karmada-system.svc.cluster.local:5443\'');
    expect(() => synth({ apiServerUrl: 'karmada-apiserver' })).toThrow('apiServerUrl \'karmada-apiserver\' is not a URL: write it as \'https://<host>[:<port>]\'');
  });

  test('karmadaApiObjects must describe the same installation', () => {
    expect(() => synth({ apiServerUrl: API_SERVER_URL, instance: 'prod', namespace: 'cp', karmadaApiObjects: { instance: 'dev', hostNamespace: 'other' } })).toThrow([
      'karmadaApiObjects.instance \'dev\' differs from instance \'prod\': the Job serves one installation, drop karmadaApiObjects.instance or make them equal',
      'karmadaApiObjects.hostNamespace \'other\' differs from the Job\'s namespace \'cp\': the Job runs beside the control plane, drop karmadaApiObjects.hostNamespace or make them equal',
    ].join('\n'));
  });

  test('instance and namespace must be names', () => {
    expect(() => synth({ apiServerUrl: API_SERVER_URL, instance: 'Prod', namespace: 'Bad_NS' })).toThrow([
      'instance \'Prod\' is not a DNS-1123 label that starts with a letter and has at most 30 characters: use lowercase letters, digits and \'-\', e.g. \'karmada\'',
      'namespace \'Bad_NS\' is not a valid namespace name (a DNS-1123 label of at most 63 characters): use e.g. \'karmada-system\'',
    ].join('\n'));
  });

  test('errors in karmadaApiObjects surface with their prop name', () => {
    expect(() => synth({ apiServerUrl: API_SERVER_URL, karmadaApiObjects: { pullModeApiEndpoint: 'http://x' } })).toThrow('pullModeApiEndpoint \'http://x\' is not an https URL');
  });
});
