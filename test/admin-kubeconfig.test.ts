import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'admin-kubeconfig.sh');
const FAKE_KUBECTL = path.join(__dirname, 'fixtures', 'fake-kubectl');
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** GIVEN the admin Secret's keys (or none) WHEN the script runs with `args`: its exit, output and the kubeconfig. */
function run(secretKeys: Record<string, string>, args: string[], secretName = 'karmada-admin-cert') {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-kubeconfig-'));
  fs.writeFileSync(path.join(state, 'calls'), '');
  for (const [key, value] of Object.entries(secretKeys)) fs.writeFileSync(path.join(state, `secret.${secretName}.${key}`), b64(value));
  const output = path.join(state, 'admin.kubeconfig');
  const result = spawnSync('bash', [SCRIPT, ...args, '-o', output], {
    env: { ...process.env, PATH: `${FAKE_KUBECTL}:${process.env.PATH}`, FAKE_KUBECTL_STATE: state },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const kubeconfig = fs.existsSync(output) ? { text: fs.readFileSync(output, 'utf8'), mode: fs.statSync(output).mode % 0o1000 } : undefined;
  const calls = fs.readFileSync(path.join(state, 'calls'), 'utf8').trim().split('\n');
  fs.rmSync(state, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr, kubeconfig, calls };
}

const ISSUED = { 'ca.crt': 'CA PEM', 'tls.crt': 'ADMIN CERT PEM', 'tls.key': 'ADMIN KEY PEM' };

test('writes a kubeconfig of the issued admin certificate, readable by its owner only', () => {
  const { status, kubeconfig, calls } = run(ISSUED, ['-s', 'https://karmada.example.com:5443']);
  expect(status).toBe(0);
  expect(kubeconfig!.mode).toBe(0o600);
  const config = parse(kubeconfig!.text);
  expect(config.clusters[0].cluster).toEqual({ 'server': 'https://karmada.example.com:5443', 'certificate-authority-data': b64('CA PEM') });
  expect(config.users[0].user).toEqual({ 'client-certificate-data': b64('ADMIN CERT PEM'), 'client-key-data': b64('ADMIN KEY PEM') });
  expect(config['current-context']).toBe('karmada');
  // THEN it read exactly the three keys of the admin Secret in the installation's namespace
  expect(calls).toEqual(['ca.crt', 'tls.crt', 'tls.key'].map(key =>
    `--namespace karmada-system get secret karmada-admin-cert -o jsonpath={.data.${key.replace('.', '\\.')}}`));
});

test('refuses without a server URL, or with one that is not https', () => {
  expect(run(ISSUED, []).stderr).toContain('give the apiserver URL with -s');
  expect(run(ISSUED, ['-s', 'http://karmada.example.com:5443']).stderr).toContain('is not an https URL');
});

test('says what to check when the Secret is not issued yet, and writes nothing', () => {
  const { status, stderr, kubeconfig } = run({}, ['-s', 'https://karmada.example.com:5443']);
  expect(status).not.toBe(0);
  expect(stderr).toContain('kubectl -n karmada-system get certificate karmada-admin-cert');
  expect(kubeconfig).toBeUndefined();
});

test('another client certificate Secret can be named, e.g. the bootstrap identity to apply KarmadaApiChart by hand', () => {
  const { status, calls } = run(ISSUED, ['-s', 'https://karmada.example.com:5443', '-n', 'cp', '-c', 'prod-bootstrap-client-cert'], 'prod-bootstrap-client-cert');
  expect(status).toBe(0);
  expect(calls[0]).toBe('--namespace cp get secret prod-bootstrap-client-cert -o jsonpath={.data.ca\\.crt}');
});
