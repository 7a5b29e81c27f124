/**
 * The bootstrap Job's kubectl command, run by a real kubectl of the version of the Job's image: built from the
 * Kubernetes Go modules by scripts/build-components.sh kubernetes (test/cluster/real-components.ts; cached), at the
 * version tools/versions.env pins, which is the tag of the default kubectl image (src/images.ts). `KUBECTL_BIN`
 * overrides it.
 *
 * The command line, the kubeconfig and the certificate files are the synthesized ones: the kubeconfig comes from the
 * synthesized ConfigMap, the bootstrap client Secret is issued from the synthesized cert-manager Certificates with
 * openssl. Two things change, and only these: the absolute mount paths point into a temp dir, and the server is a
 * local port nothing listens on (there is no karmada-apiserver here). kubectl must then get as far as dialling the
 * server: every flag parsed, the kubeconfig and the client certificate and key loaded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { issueCertManagerPki } from './integ/cert-manager-issuer';
import { ensureKubectlBinary, KubectlBinary } from './integ/kubectl-binary';
import { find, Manifest, podSpec, synthTopology } from './util';
import { renderKarmadaApiObjects } from '../src/private/karmada-api-render';
import { SecretNames } from '../src/private/names';

/** A local port nothing listens on (the discard port; connections to it are refused). */
const CLOSED_SERVER = 'https://127.0.0.1:9';

let kubectl: KubectlBinary;
let tmp: string;

// GIVEN the default topology WHEN synthesized: the bootstrap Job's kubectl container, its volumes and kubeconfig
const { objects, topology } = synthTopology();
const job = find(objects, 'Job', objects.find(o => o.kind === 'Job')!.metadata.name);
const spec = podSpec(job);
const apply: Manifest = spec.containers.find((c: Manifest) => c.name === 'apply');

beforeAll(() => {
  kubectl = ensureKubectlBinary();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-kubectl-'));
  console.log(`kubectl ${kubectl.version} from ${kubectl.path} (${kubectl.source}); the Job's image: ${apply.image}`);
}, 3_600_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Each of the apply container's mounts as a directory under the temp dir, holding what the volume would. */
function materialize(): { args: string[]; dirs: Map<string, string> } {
  const issued = issueCertManagerPki(objects, { dir: path.join(tmp, 'secrets') });
  const dirs = new Map<string, string>();
  for (const mount of apply.volumeMounts as Manifest[]) {
    const volume = spec.volumes.find((v: Manifest) => v.name === mount.name);
    const dir = path.join(tmp, 'mounts', mount.name);
    fs.mkdirSync(dir, { recursive: true });
    dirs.set(mount.mountPath, dir);
    if (volume.secret) {
      expect(volume.secret.secretName).toBe(SecretNames.bootstrapClient(topology.name));
      const secret = issued.get(volume.secret.secretName)!;
      for (const item of volume.secret.items as Manifest[]) fs.copyFileSync(path.join(secret.dir, item.key), path.join(dir, item.path));
    } else if (volume.configMap) {
      const configMap = find(objects, 'ConfigMap', volume.configMap.name);
      for (const item of volume.configMap.items as Manifest[]) {
        if (configMap.data?.[item.key] !== undefined) fs.writeFileSync(path.join(dir, item.path), configMap.data[item.key]);
      }
    }
  }
  // The emptyDir: the init container leaves the objects there, the CA filled in (here: rendered with the CA given).
  const work = dirs.get('/work')!;
  const ca = fs.readFileSync(path.join(dirs.get('/etc/karmada/pki')!, 'ca.crt')).toString('base64');
  fs.writeFileSync(path.join(work, 'objects.yaml'), renderKarmadaApiObjects({ ...topology.karmadaApiObjects, caBundle: ca }));
  // Rewrite the mount paths, in the args and inside the kubeconfig, and point the kubeconfig at a closed port.
  const rewrite = (text: string) => [...dirs.entries()].sort((a, b) => b[0].length - a[0].length)
    .reduce((result, [mountPath, dir]) => result.split(`${mountPath}/`).join(`${dir}/`), text);
  const kubeconfigFile = path.join(dirs.get('/etc/karmada/kubeconfig')!, 'kubeconfig');
  const kubeconfig = parse(rewrite(fs.readFileSync(kubeconfigFile, 'utf8')));
  kubeconfig.clusters[0].cluster.server = CLOSED_SERVER;
  fs.writeFileSync(kubeconfigFile, stringify(kubeconfig));
  return { args: (apply.args as string[]).map(rewrite), dirs };
}

function runKubectl(args: string[]) {
  const result = spawnSync(kubectl.path, args, { encoding: 'utf8', timeout: 60_000, env: { HOME: tmp, PATH: '/usr/bin:/bin' } });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

test('the kubectl here is the version of the Job\'s kubectl image (unless KUBECTL_BIN names another)', () => {
  const tag = /:(v\d+\.\d+\.\d+)$/.exec(apply.image)?.[1];
  expect(tag).toBeDefined();
  if (process.env.KUBECTL_BIN) {
    console.log(`KUBECTL_BIN: kubectl ${kubectl.version}, the Job's image ${apply.image}: version not checked`);
    return;
  }
  expect(kubectl.version).toBe(tag);
});

test('the Job runs kubectl itself, with flags only, on a file the init container writes', () => {
  expect(apply.command).toEqual(['/bin/kubectl']);
  expect(apply.args).toEqual(expect.arrayContaining(['apply', '--server-side', '--force-conflicts', '--field-manager=cdk8s-karmada']));
});

test('a real kubectl parses every argument, loads the kubeconfig and the client certificate, and dials the server', () => {
  // WHEN kubectl runs the Job's command line against a server that is not there
  const { args } = materialize();
  const { status, output } = runKubectl(args);
  console.log(`kubectl ${kubectl.version}: ${output.trim().split('\n').pop()}`);
  // THEN it fails only because nothing answers: no flag, kubeconfig or certificate problem came first
  expect(status).not.toBe(0);
  expect(output).toMatch(/connection refused|connection to the server 127\.0\.0\.1:9 was refused/);
  expect(output).not.toMatch(/unknown flag|unknown shorthand|invalid argument|unable to read client-cert|unable to read client-key|no such file/i);
});

test('the check can fail: an unknown flag, or a missing client key, is reported before any dialling', () => {
  const { args, dirs } = materialize();
  expect(runKubectl([...args, '--no-such-flag']).output).toMatch(/unknown flag: --no-such-flag/);
  fs.rmSync(path.join(dirs.get('/etc/karmada/pki')!, 'tls.key'));
  const missingKey = runKubectl(args);
  expect(missingKey.status).not.toBe(0);
  expect(missingKey.output).not.toMatch(/refused/);
  expect(missingKey.output).toMatch(/tls\.key/);
});
