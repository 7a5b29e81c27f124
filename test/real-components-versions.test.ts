import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { KarmadaVersions } from '../src';
import { KARMADA_PROGRAMS, pinnedVersions, realProgram, RealProgram, REPO_ROOT } from './cluster/real-components';

/**
 * The programs the tests run are the versions of the images the library synthesizes: tools/versions.env pins them,
 * each wrapper module requires exactly that version, and each built binary says so itself.
 */

const pinned = pinnedVersions();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `3.6.6-0` (the image tag) is etcd v3.6.6. */
const etcdVersionOfImage = `v${KarmadaVersions.ETCD.replace(/-\d+$/, '')}`;

test('tools/versions.env pins the versions of the default images', () => {
  expect(pinned.KUBERNETES_VERSION).toBe(KarmadaVersions.KUBERNETES);
  expect(pinned.ETCD_VERSION).toBe(etcdVersionOfImage);
  expect(pinned.KARMADA_VERSION).toBe(KarmadaVersions.KARMADA);
});

test('each wrapper module requires the pinned version, and Kubernetes\' staging modules at its v0 twin', () => {
  const goMod = (component: string) => fs.readFileSync(path.join(REPO_ROOT, 'tools', component, 'go.mod'), 'utf8');
  expect(goMod('kubernetes')).toMatch(new RegExp(`^\\s+k8s\\.io/kubernetes ${escape(pinned.KUBERNETES_VERSION)}( |$)`, 'm'));
  const staging = pinned.KUBERNETES_VERSION.replace(/^v1\./, 'v0.');
  const replaces = [...goMod('kubernetes').matchAll(/^replace (\S+) => (\S+) (\S+)$/gm)];
  expect(replaces.length).toBe(29);
  for (const [, from, to, version] of replaces) expect({ from, to, version }).toEqual({ from, to: from, version: staging });
  for (const module of ['server', 'etcdctl', 'etcdutl']) {
    expect(goMod('etcd')).toMatch(new RegExp(`go\\.etcd\\.io/etcd/${module}/v3 ${escape(pinned.ETCD_VERSION)}( |$)`, 'm'));
  }
  expect(goMod('kwok')).toMatch(new RegExp(`sigs\\.k8s\\.io/kwok ${escape(pinned.KWOK_VERSION)}( |$)`, 'm'));
  expect(goMod('karmada')).toMatch(new RegExp(`github\\.com/karmada-io/karmada ${escape(pinned.KARMADA_VERSION)}( |$)`, 'm'));
  expect(goMod('karmada')).not.toMatch(/^replace /m);
  expect(goMod('cert-manager')).toMatch(new RegExp(`github\\.com/cert-manager/cert-manager ${escape(pinned.CERT_MANAGER_VERSION)}( |$)`, 'm'));
});

test.each<[RealProgram, string[], string]>([
  ['kube-apiserver', ['--version'], `Kubernetes ${KarmadaVersions.KUBERNETES}`],
  ['kube-controller-manager', ['--version'], `Kubernetes ${KarmadaVersions.KUBERNETES}`],
  ['kube-scheduler', ['--version'], `Kubernetes ${KarmadaVersions.KUBERNETES}`],
  ['kubectl', ['version', '--client'], `Client Version: ${KarmadaVersions.KUBERNETES}`],
  ['etcd', ['--version'], `etcd Version: ${etcdVersionOfImage.slice(1)}`],
  ['etcdctl', ['version'], `etcdctl version: ${etcdVersionOfImage.slice(1)}`],
  ['etcdutl', ['version'], `etcdutl version: ${etcdVersionOfImage.slice(1)}`],
  ['kwok', ['--version'], `kwok version ${pinned.KWOK_VERSION}`],
  ['cert-manager-controller', ['version'], `cert-manager-controller version ${pinned.CERT_MANAGER_VERSION}`],
  ...KARMADA_PROGRAMS.map((program): [RealProgram, string[], string] => [program, ['version'], `${program} version: version.Info{GitVersion:"${KarmadaVersions.KARMADA}"`]),
])('the built %s reports its version itself', (program, args, expected) => {
  const output = execFileSync(realProgram(program), args, { encoding: 'utf8', timeout: 30_000 });
  expect(output.split('\n')[0]).toContain(expected);
});
