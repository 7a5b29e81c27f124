/**
 * Real-etcd integration test: the etcd members HATopology synthesizes run as local etcd processes (etcd 3.6, the
 * image's version) with exactly their synthesized flags, byte for byte but for the few values a kubelet and a
 * cluster's DNS provide (see test/integ/etcd-harness.ts; no flag is mapped to another etcd version), form a quorum over TLS with client-certificate authentication on client and peer traffic,
 * keep every acknowledged write across the loss of the leader, refuse writes without a quorum, and recover.
 *
 * The certificates are the synthesized ones: every cert-manager Certificate of the topology is issued with openssl
 * as its spec says (test/integ/cert-manager-issuer.ts), the members get the Secrets their pods mount, and the test
 * client presents karmada-apiserver's etcd client certificate (the Secret the apiserver mounts for --etcd-certfile).
 * The CAs are kept apart: karmada-aggregated-apiserver's etcd client certificate reads and writes too, while a client
 * certificate of the Karmada CA (karmada-scheduler's) is refused in the TLS handshake.
 * One test-only deviation, printed and checked: the peer certificates also carry the IP SAN 127.0.0.1, because etcd
 * checks a connecting peer's certificate against the connection's source address, which on loopback is always
 * 127.0.0.1 (in a cluster it is the pod IP that the peer's DNS names resolve to). The server certificates run as
 * synthesized (etcd's gRPC gateway dials its own client port without verifying the server's name).
 *
 * In the 3-member scenario, one member's server and peer certificates are then renewed in place, as cert-manager and
 * the kubelet do it (new key and serial, the mounted files swapped atomically, no restart): new TLS connections to its
 * client and peer ports get the renewed certificates, and the cluster keeps quorum and writes, also over peer
 * connections made after the renewal.
 *
 * The etcd binary is built from etcd's Go module at the image's version by scripts/build-components.sh (run here
 * through test/cluster/real-components.ts; cached); `ETCD_BIN` overrides it, and an etcd older than 3.6 is refused. Each member's log, flags and certificates stay in .etcd-test/run-<time>-<pid>/ when a test fails
 * (or with ETCD_TEST_KEEP_RUN=1).
 */
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { EtcdTopology, HATopology } from '../src';
import { EtcdBinary, ensureEtcdBinary, etcdBinaryAt } from './integ/etcd-binary';
import { EtcdClientCredentials, EtcdEndpoint, EtcdRequestError, servedCertificate } from './integ/etcd-client';
import { EtcdFlag, flagsRejectedByBinary, IGNORED_LEGACY_ETCD_FLAGS, parseEtcdArgs } from './integ/etcd-flags';
import { ARG_CHANGE_REASONS, createRunDirectory, EtcdTestCluster, LOOPBACK_SOURCE_ADDRESS, sleep } from './integ/etcd-harness';
import { HttpGetProbe, synthesizedEtcdMembers } from './integ/etcd-members';
import { verifyCertificate } from './integ/pki';
import { Manifest } from './util';

const STEP_TIMEOUT_MS = 120_000;
/** Bounds of every wait (each also bounded in polls inside the harness). */
const QUORUM_TIMEOUT_MS = 30_000;
const ELECTION_TIMEOUT_MS = 20_000;
/** How long a write may take before the test calls it refused, once quorum is lost. */
const NO_QUORUM_WRITE_TIMEOUT_MS = 3_000;
const KEY_PREFIX = '/integration/acknowledged/';

interface Scenario {
  readonly title: string;
  readonly members: number;
  /** Member i listens on 127.0.0.<firstAddress + i>. */
  readonly firstAddress: number;
  readonly build: (scope: Construct) => void;
  /** Also renew a member's server and peer certificates in place while the cluster runs (one scenario is enough). */
  readonly renewsCertificates?: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    title: '3 members, stacked',
    members: 3,
    firstAddress: 21,
    build: scope => new HATopology(scope, 'karmada', { etcd: EtcdTopology.stacked(), controlPlaneNodes: 3 }),
    renewsCertificates: true,
  },
  {
    title: '5 members, external',
    members: 5,
    firstAddress: 31,
    build: scope => new HATopology(scope, 'karmada', { etcd: EtcdTopology.external({ members: 5 }), controlPlaneNodes: 3 }),
  },
];

/**
 * The Secret `component` presents to etcd: the one mounted where its --etcd-certfile is (the workloads and their
 * container are named by the component: karmada-apiserver, karmada-aggregated-apiserver). Every instance of the
 * component must mount the same one.
 */
function etcdClientSecretOf(objects: readonly Manifest[], component: string): string {
  const secrets = new Set<string>();
  for (const workload of objects.filter(o => o.kind === 'Deployment'
    && o.spec?.template?.metadata?.labels?.['app.kubernetes.io/name'] === component)) {
    const podSpec = workload.spec.template.spec;
    const container = podSpec.containers.find((c: Manifest) => c.name === component);
    const certFile: string | undefined = (container?.args ?? []).find((a: string) => a.startsWith('--etcd-certfile='))?.split('=')[1];
    const mount = (container?.volumeMounts ?? []).find((m: Manifest) => certFile?.startsWith(`${m.mountPath}/`));
    const secretName = podSpec.volumes?.find((v: Manifest) => v.name === mount?.name)?.secret?.secretName;
    if (!secretName) throw new Error(`${workload.metadata.name}: --etcd-certfile=${certFile} is in no mounted Secret`);
    secrets.add(secretName);
  }
  if (secrets.size !== 1) throw new Error(`expected every ${component} to mount one etcd client Secret, found: ${[...secrets].join(', ') || 'none'}`);
  return [...secrets][0];
}

/** A certificate's serial number, as Node spells it (upper-case hex), to compare with a served one. */
function serialOf(certFile: string): string {
  return new X509Certificate(fs.readFileSync(certFile)).serialNumber;
}

let binary: EtcdBinary;
let runDir: string;
let anyStepFailed = false;

beforeAll(() => {
  // Builds etcd (scripts/build-components.sh etcd) when the cache lacks it; throws, never skips, when it cannot.
  binary = ensureEtcdBinary();
  runDir = createRunDirectory();
  console.log(`etcd ${binary.version} from ${binary.path} (${binary.source}); run directory ${runDir}`);
}, 600_000);

afterAll(() => {
  if (runDir && !anyStepFailed && process.env.ETCD_TEST_KEEP_RUN !== '1') {
    fs.rmSync(runDir, { recursive: true, force: true });
  } else if (runDir) {
    console.log(`kept the run directory (logs, flags, certificates): ${runDir}`);
  }
});

test('the harness refuses an etcd older than 3.6 (the synthesized flags are 3.6\'s, and none is mapped to an older spelling), before preparing anything', () => {
  const chart = Testing.chart();
  SCENARIOS[0].build(chart);
  const manifests = Testing.synth(chart);
  const fakes = fs.mkdtempSync(`${runDir}/older-etcd-`);
  for (const version of ['3.5.16', '3.4.23']) {
    // GIVEN a binary that reports an older etcd (what `etcd --version` prints)
    const fake = `${fakes}/etcd-${version}`;
    fs.writeFileSync(fake, `#!/bin/sh\necho 'etcd Version: ${version}'\n`, { mode: 0o755 });
    const older = etcdBinaryAt(fake, 'a fake older etcd');
    expect(older.version).toBe(version);
    // WHEN a cluster is prepared with it THEN the harness throws, saying why, and writes no cluster directory
    expect(() => EtcdTestCluster.prepare({
      name: `older-${version}`,
      members: synthesizedEtcdMembers(manifests),
      binary: older,
      runDir: fakes,
      firstAddress: 41,
      manifests,
      clientSecretName: etcdClientSecretOf(manifests, 'karmada-apiserver'),
    })).toThrow(new RegExp(`etcd ${version.replace(/\./g, '\\.')} .* is older than etcd 3\\.6: the synthesized flags are etcd 3\\.6's and run unchanged`));
    expect(fs.existsSync(`${fakes}/older-${version}`)).toBe(false);
  }
  fs.rmSync(fakes, { recursive: true, force: true });
});

describe.each(SCENARIOS)('real etcd, $title', scenario => {
  const clusterName = `${scenario.members}-members`;
  let cluster: EtcdTestCluster | undefined;
  /** Every write etcd acknowledged: key → value. */
  const acknowledged = new Map<string, string>();
  /** Writes etcd did not acknowledge (no quorum): the outcome is unknown, either value or absent is fine. */
  const unacknowledged = new Map<string, string>();
  const timings: Record<string, number> = {};
  let failedStep: string | undefined;
  let keyCounter = 0;

  /** A test that depends on the previous ones: it does not run after one failed, and reports logs on failure. */
  const step = (name: string, fn: (c: EtcdTestCluster) => Promise<void>) => test(name, async () => {
    if (failedStep) throw new Error(`not run: the step "${failedStep}" failed`);
    if (!cluster) throw new Error('not run: the cluster could not be prepared');
    const c = cluster;
    try {
      await c.withDiagnostics(name, () => fn(c));
    } catch (error) {
      failedStep = name;
      anyStepFailed = true;
      throw error;
    }
  }, STEP_TIMEOUT_MS);

  const time = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      timings[label] = Date.now() - started;
    }
  };

  beforeAll(() => {
    try {
      const chart = Testing.chart();
      scenario.build(chart);
      const manifests = Testing.synth(chart);
      const members = synthesizedEtcdMembers(manifests);
      expect(members.map(m => m.name)).toHaveLength(scenario.members);
      cluster = EtcdTestCluster.prepare({
        name: clusterName,
        members,
        binary,
        runDir,
        firstAddress: scenario.firstAddress,
        manifests,
        clientSecretName: etcdClientSecretOf(manifests, 'karmada-apiserver'),
      });
    } catch (error) {
      anyStepFailed = true;
      throw error;
    }
    const first = cluster.members[0];
    console.log([
      `[${clusterName}] etcd ${binary.version} (${binary.source}); host names: ${cluster.hostNameResolution}; image in the manifests: ${first.synthesized.image}`,
      `members: ${cluster.members.map(m => `${m.name}=${m.address} (${m.hostNames.join(', ')})`).join('; ')}`,
      `flags: etcd ${binary.version} runs the synthesized etcd 3.6 flags with no version mapping and accepts every one (asked with --version); `
        + `${first.name}: ${first.synthesizedArgs.length - first.argChanges.length} of ${first.synthesizedArgs.length} flags byte for byte, `
        + `the other ${first.argChanges.length} with the same flag name and only a path or host-name value remapped:`,
      ...first.argChanges.map(c => `  ${c.synthesized}\n    -> ${c.run}  [${c.why.join('; ')}]`),
      `certificates: the ${cluster.secrets.size} synthesized cert-manager Certificates, issued with openssl; client: ${cluster.options.clientSecretName}; `
        + `test-only deviations (${cluster.certificateDeviations.length}):`,
      ...cluster.certificateDeviations.map(d => `  ${d.secretName}: ${d.change} [${d.reason}]`),
    ].join('\n'));
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    console.log(`[${clusterName}] timings (ms, informational): ${JSON.stringify(timings)}`);
  }, 30_000);

  /** Puts `count` new keys, round-robin over `targets`, 8 at a time. Every write must be acknowledged. */
  const writeKeys = async (c: EtcdTestCluster, targets: readonly string[], count: number, phase: string): Promise<void> => {
    const failures: string[] = [];
    const jobs = Array.from({ length: count }, (_, i) => ({
      key: `${KEY_PREFIX}${String(keyCounter++).padStart(5, '0')}`,
      value: `${phase}-${i}-${Math.random().toString(36).slice(2)}`,
      target: targets[i % targets.length],
    }));
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(jobs.slice(i, i + 8).map(async job => {
        try {
          await c.client(job.target).put(job.key, job.value, { timeoutMs: 5_000 });
          acknowledged.set(job.key, job.value);
        } catch (error) {
          failures.push(`${job.key} via ${job.target}: ${(error as Error).message}`);
        }
      }));
    }
    expect(failures).toEqual([]);
  };

  /** Linearizable reads of every acknowledged key from each of `readers`: all present with their values. */
  const expectAcknowledgedKeysOn = async (c: EtcdTestCluster, readers: readonly string[]): Promise<void> => {
    for (const reader of readers) {
      const stored = await c.client(reader).getPrefix(KEY_PREFIX, { timeoutMs: 10_000 });
      const lost = [...acknowledged].filter(([key, value]) => stored.get(key) !== value)
        .map(([key, value]) => `${key}: expected ${value}, read ${stored.get(key) ?? '(missing)'}`);
      expect({ reader, lost: lost.slice(0, 10), lostCount: lost.length }).toEqual({ reader, lost: [], lostCount: 0 });
      for (const [key, value] of unacknowledged) {
        expect([undefined, value]).toContain(stored.get(key));
      }
    }
  };

  const probesOf = (c: EtcdTestCluster, name: string): Array<[string, HttpGetProbe]> => {
    const probes = c.member(name).synthesized.probes;
    return Object.entries(probes).filter((e): e is [string, HttpGetProbe] => e[1] !== undefined);
  };

  step('GIVEN the synthesized members THEN each runs every synthesized flag, in order and by the same name, byte for byte but for the documented path and host-name remaps', async c => {
    const documented: readonly string[] = Object.values(ARG_CHANGE_REASONS);
    for (const member of c.members) {
      const synthesized = parseEtcdArgs(member.synthesizedArgs);
      const run = parseEtcdArgs(member.args);
      // The same flags in the same order: nothing added, dropped or renamed (no mapping to another etcd version).
      expect({ member: member.name, flags: run.map(f => f.name) }).toEqual({ member: member.name, flags: synthesized.map(f => f.name) });
      const changed = new Map(member.argChanges.map(change => [change.synthesized, change]));
      synthesized.forEach((flag, i) => {
        const arg = member.synthesizedArgs[i];
        const change = changed.get(arg);
        if (!change) {
          expect({ member: member.name, runs: member.args[i] }).toEqual({ member: member.name, runs: arg });
          return;
        }
        expect(change.run).toBe(member.args[i]);
        expect(change.run.startsWith(`--${flag.name}=`)).toBe(true);
        expect({ member: member.name, arg, why: change.why.filter(w => !documented.includes(w)) }).toEqual({ member: member.name, arg, why: [] });
        expect(change.why.length).toBeGreaterThan(0);
      });
      expect(changed.size).toBe(member.argChanges.length);
    }
  });

  step('THEN etcd itself accepts every flag a member runs with, and the check can fail: an unknown flag, an invalid value, an unknown feature gate and an ignored legacy flag are each reported, and only those', async c => {
    const flags = parseEtcdArgs(c.members[0].args);
    expect(flagsRejectedByBinary(binary, flags)).toEqual([]);
    // Negative controls, each added to the flags the member runs with: the binary's own parse must name it.
    const withExtra = (extra: EtcdFlag) => flagsRejectedByBinary(binary, [...flags, extra]);
    expect(withExtra({ name: 'no-such-flag', value: 'true' })).toEqual([`--no-such-flag: not a flag of etcd ${binary.version}`]);
    expect(withExtra({ name: 'heartbeat-interval', value: 'soon' })).toEqual(['--heartbeat-interval=soon: parse error']);
    expect(withExtra({ name: 'feature-gates', value: 'NoSuchGate=true' }))
      .toEqual(['--feature-gates=NoSuchGate=true: unrecognized feature gate: NoSuchGate']);
    expect(withExtra({ name: IGNORED_LEGACY_ETCD_FLAGS[0], value: '1' }))
      .toEqual([`--${IGNORED_LEGACY_ETCD_FLAGS[0]}: an ignored legacy flag (etcd accepts it and does nothing)`]);
  });

  step('GIVEN the synthesized members THEN client and peer traffic is TLS-only with client-certificate authentication', async c => {
    for (const member of c.members) {
      const flags = new Map(parseEtcdArgs(member.synthesizedArgs).map(f => [f.name, f.value]));
      expect({ member: member.name, clientCertAuth: flags.get('client-cert-auth'), peerClientCertAuth: flags.get('peer-client-cert-auth') })
        .toEqual({ member: member.name, clientCertAuth: 'true', peerClientCertAuth: 'true' });
      for (const name of ['listen-client-urls', 'advertise-client-urls', 'listen-peer-urls', 'initial-advertise-peer-urls']) {
        for (const url of (flags.get(name) ?? '').split(',')) expect(`--${name}=${url}`).toMatch(/^--[a-z-]+=https:\/\//);
      }
      expect(flags.get('initial-cluster-state')).toBe('new');
      const initialCluster = (flags.get('initial-cluster') ?? '').split(',').map(pair => pair.split('=')[0]).sort();
      expect(initialCluster).toEqual(c.members.map(m => m.name).sort());
    }
  });

  step('GIVEN the synthesized certificates THEN each member runs with the Secrets its pod mounts, the client is karmada-apiserver\'s, and (with the hosts file) the only deviation is 127.0.0.1 on peer certificates', async c => {
    const etcdCa = c.secrets.get(c.options.clientSecretName)!.signedBy;
    expect(etcdCa).toBeDefined();
    expect(c.secrets.get(c.options.clientSecretName)!.spec.commonName).toBe('system:karmada:karmada-apiserver-etcd-client');
    for (const member of c.members) {
      const flags = new Map(parseEtcdArgs(member.synthesizedArgs).map(f => [f.name, f.value]));
      const secretAt = (flagName: string) => member.synthesized.secretMounts.find(m => flags.get(flagName)!.startsWith(`${m.mountPath}/`))?.secretName;
      const serverSecret = c.secrets.get(secretAt('cert-file')!)!;
      const peerSecret = c.secrets.get(secretAt('peer-cert-file')!)!;
      // Both signed by the CA that signs the client, and both trust it.
      expect({ member: member.name, server: serverSecret.signedBy, peer: peerSecret.signedBy })
        .toEqual({ member: member.name, server: etcdCa, peer: etcdCa });
      expect(secretAt('trusted-ca-file')).toBe(serverSecret.secretName);
      expect(secretAt('peer-trusted-ca-file')).toBe(peerSecret.secretName);
      expect(serverSecret.spec.dnsNames).toEqual(expect.arrayContaining(member.hostNames));
      if (c.hostNameResolution === 'mount-namespace-hosts-file') {
        expect({ member: member.name, server: serverSecret.deviations.length, peer: peerSecret.profile.ipAddresses })
          .toEqual({ member: member.name, server: 0, peer: [...peerSecret.spec.ipAddresses ?? [], LOOPBACK_SOURCE_ADDRESS] });
      }
    }
    if (c.hostNameResolution === 'mount-namespace-hosts-file') {
      expect(c.certificateDeviations.map(d => d.change)).toEqual(c.members.map(() => `IP SAN ${LOOPBACK_SOURCE_ADDRESS} added`));
    }
  });

  step('WHEN started with the synthesized flags THEN the members form a quorum and all report the same leader', async c => {
    const [first, ...rest] = c.members.map(m => m.name);
    // The first member alone waits for its peers: what do its probes say meanwhile?
    await c.start([first]);
    // Wait (bounded) until its metrics port answers at all, then ask every probe. A probe without quorum may hang
    // (etcd's /readyz has no timeout of its own): 1.5 s stands for kubelet's timeoutSeconds, and a timeout fails.
    const probes = probesOf(c, first);
    expect(probes.length).toBeGreaterThan(0);
    const answering = Date.now() + 10_000;
    while (typeof (await c.probe(first, probes[0][1], 1_000)).status !== 'number' && Date.now() < answering) {
      await sleep(100);
    }
    const bootstrapProbes: Record<string, unknown> = {};
    for (const [kind, probe] of probes) {
      bootstrapProbes[`${kind} ${probe.path}`] = (await c.probe(first, probe, 1_500)).status;
    }
    console.log(`[${clusterName}] probes of ${first} while it waits for its peers: ${JSON.stringify(bootstrapProbes)}`);
    // Startup and liveness must not fail a member that waits for its peers; readiness must not pass without quorum.
    for (const [kind, probe] of probes) {
      expect({ kind, path: probe.path, passes: bootstrapProbes[`${kind} ${probe.path}`] === 200 })
        .toEqual({ kind, path: probe.path, passes: kind !== 'readiness' });
    }
    await c.start(rest);
    const { leader, raftTerm, elapsedMs } = await time('quorum after start', () =>
      c.waitForLeader({ members: c.members.map(m => m.name), timeoutMs: QUORUM_TIMEOUT_MS }));
    console.log(`[${clusterName}] leader ${leader} (term ${raftTerm}) agreed by all ${c.members.length} members after ${elapsedMs} ms`);

    const list = await c.client(first).memberList();
    expect(list.map(m => m.name).sort()).toEqual(c.members.map(m => m.name).sort());
    for (const m of list) {
      const advertised = parseEtcdArgs(c.member(m.name).args).find(f => f.name === 'advertise-client-urls')?.value.split(',');
      expect({ member: m.name, clientUrls: m.clientUrls }).toEqual({ member: m.name, clientUrls: advertised });
    }
    for (const member of c.members) {
      for (const [kind, probe] of probesOf(c, member.name)) {
        const r = await c.probe(member.name, probe, 5_000);
        expect({ member: member.name, kind, path: probe.path, status: r.status })
          .toEqual({ member: member.name, kind, path: probe.path, status: 200 });
      }
    }
  });

  step('THEN clients without a certificate are refused on client and peer ports, and so is TLS below the minimum version', async c => {
    const tlsMinVersion = parseEtcdArgs(c.members[0].args).find(f => f.name === 'tls-min-version')?.value;
    for (const member of c.members) {
      const { ca } = c.clientCredentials;
      // The TLS alert: "certificate required" (TLS 1.3) or "bad certificate" (TLS 1.2, were --tls-min-version lower).
      const certificateRequired = { kind: 'network', message: expect.stringMatching(/certificate required|bad certificate/) };
      await expect(c.client(member.name, 3_000, { ca }).status()).rejects.toMatchObject(certificateRequired);
      await expect(c.peerEndpointClientWithoutCertificate(member.name).status()).rejects.toMatchObject(certificateRequired);
      if (tlsMinVersion === 'TLS1.3') {
        await expect(c.client(member.name, 3_000, { ...c.clientCredentials, maxVersion: 'TLSv1.2' }).status())
          .rejects.toMatchObject({ kind: 'network', message: expect.stringMatching(/protocol version/) });
      }
      await expect(c.client(member.name).status()).resolves.toMatchObject({ leaderId: expect.stringMatching(/^[1-9]\d*$/) });
    }
    if (tlsMinVersion !== 'TLS1.3') {
      console.log(`[${clusterName}] --tls-min-version is ${tlsMinVersion ?? 'not synthesized'}: TLS 1.2 refusal not checked`);
    }
  });

  step('THEN karmada-aggregated-apiserver\'s etcd client certificate reads and writes, and a client certificate of the Karmada CA is refused at the TLS layer', async c => {
    const manifests = c.options.manifests as Manifest[];
    const etcdCa = c.secrets.get(c.options.clientSecretName)!.signedBy!;
    // GIVEN the Secret karmada-aggregated-apiserver mounts for --etcd-certfile: an etcd-CA client certificate.
    const aggregated = c.secrets.get(etcdClientSecretOf(manifests, 'karmada-aggregated-apiserver'))!;
    expect(aggregated.secretName).toBe('karmada-aggregated-apiserver-etcd-client-cert');
    expect(aggregated.signedBy).toBe(etcdCa);
    expect(aggregated.profile.extendedKeyUsage).toContain('clientAuth');
    // GIVEN a client certificate of the Karmada CA: valid for client auth, and signed by a CA etcd does not trust.
    const karmadaClient = c.secrets.get('karmada-scheduler-client-cert')!;
    expect(karmadaClient.signedBy).toBeDefined();
    expect(karmadaClient.signedBy).not.toBe(etcdCa);
    expect(karmadaClient.profile.extendedKeyUsage).toContain('clientAuth');
    expect(verifyCertificate(karmadaClient.certFile, karmadaClient.caFile)).toMatchObject({ ok: true });
    expect(verifyCertificate(karmadaClient.certFile, c.secrets.get(etcdCa)!.certFile)).toMatchObject({ ok: false });

    /** TLS alert → the members that sent it. */
    const outcomes: Record<string, string[]> = {};
    for (const member of c.members) {
      // WHEN karmada-aggregated-apiserver's client (trusting its own mounted ca.crt) writes and reads a key
      const key = `/integration/etcd-clients/karmada-aggregated-apiserver/${member.name}`;
      const value = `written-by-${aggregated.secretName}`;
      const client = c.clientWithSecret(member.name, aggregated.secretName);
      // THEN etcd accepts both, and karmada-apiserver's client reads the same key (one keyspace, no etcd auth)
      await expect(client.put(key, value, { timeoutMs: 5_000 })).resolves.toMatch(/^[1-9]\d*$/);
      await expect(client.get(key, { timeoutMs: 5_000 })).resolves.toBe(value);
      await expect(c.client(member.name).get(key, { timeoutMs: 5_000 })).resolves.toBe(value);

      // WHEN the Karmada-CA client (trusting the etcd CA, so only the server can refuse) writes
      const refusedKey = `/integration/etcd-clients/karmada-scheduler/${member.name}`;
      const refused = c.clientWithSecret(member.name, karmadaClient.secretName, 'etcd-ca');
      const error = await refused.put(refusedKey, 'must-not-be-written', { timeoutMs: 5_000 }).then(() => undefined, (e: EtcdRequestError) => e);
      // THEN the handshake fails with a TLS alert (not an HTTP or gRPC answer, not a timeout), and nothing was written
      expect(error).toBeInstanceOf(EtcdRequestError);
      // etcd answers "unknown ca" (alert 48); another Go TLS stack may answer "bad certificate" (alert 42).
      expect({ kind: error?.kind, message: error?.message }).toEqual({ kind: 'network', message: expect.stringMatching(/alert (unknown ca|bad certificate)/) });
      await expect(c.client(member.name).get(refusedKey, { timeoutMs: 5_000 })).resolves.toBeUndefined();
      const alert = /alert ([a-z ]+).*?(alert number \d+)/.exec(error!.message);
      const outcome = alert ? `${alert[1]} (${alert[2]})` : error!.message;
      outcomes[outcome] = [...outcomes[outcome] ?? [], member.name];
    }
    // A member's peer certificate used as a client is no such case: the etcd CA signs it too, with client auth, so the
    // client port accepts it. Pinned here, so that separating the peer CA from the client CA shows up as a change.
    const first = c.members[0];
    const peerCertFile = parseEtcdArgs(first.synthesizedArgs).find(f => f.name === 'peer-cert-file')!.value;
    const peerSecret = first.synthesized.secretMounts.find(m => peerCertFile.startsWith(`${m.mountPath}/`))!.secretName;
    expect(c.secrets.get(peerSecret)!.signedBy).toBe(etcdCa);
    await expect(c.clientWithSecret(first.name, peerSecret).status()).resolves.toMatchObject({ leaderId: expect.stringMatching(/^[1-9]\d*$/) });
    console.log(`[${clusterName}] ${aggregated.secretName} (signed by ${etcdCa}): put/get accepted on every member; `
      + `${karmadaClient.secretName} (signed by ${karmadaClient.signedBy}) refused: ${JSON.stringify(outcomes)}; `
      + `${peerSecret} as a client (signed by ${etcdCa}): accepted`);
  });

  step('WHEN 200 keys are written through all members THEN every write is acknowledged', async c => {
    await time('200 writes', () => writeKeys(c, c.members.map(m => m.name), 200, 'initial'));
    expect(acknowledged.size).toBe(200);
    await expectAcknowledgedKeysOn(c, [c.members[0].name]);
  });

  step('WHEN the leader is killed (SIGKILL) THEN a new leader is elected, no acknowledged write is lost and writes go on', async c => {
    const { leader: oldLeader } = await c.waitForLeader({ timeoutMs: ELECTION_TIMEOUT_MS });
    await c.kill(oldLeader, 'SIGKILL');
    const survivors = c.running();
    expect(survivors).toHaveLength(scenario.members - 1);
    const { leader, elapsedMs } = await time('election after leader kill', () =>
      c.waitForLeader({ members: survivors, timeoutMs: ELECTION_TIMEOUT_MS, notLeader: oldLeader }));
    console.log(`[${clusterName}] killed leader ${oldLeader}; ${leader} leads the survivors after ${elapsedMs} ms`);
    await time('linearizable reads after leader kill', () => expectAcknowledgedKeysOn(c, survivors));
    await time('50 writes after leader kill', () => writeKeys(c, survivors, 50, 'after-leader-kill'));
  });

  step('WHEN members are killed until quorum is lost THEN writes are refused within a bounded time', async c => {
    const quorum = Math.floor(scenario.members / 2) + 1;
    const { leader } = await c.waitForLeader({ timeoutMs: ELECTION_TIMEOUT_MS });
    // Kill the current leader first, then others, until one member fewer than a quorum is left.
    const victims = [leader, ...c.running().filter(n => n !== leader)].slice(0, c.running().length - (quorum - 1));
    for (const victim of victims) await c.kill(victim, 'SIGKILL');
    const survivors = c.running();
    expect(survivors).toHaveLength(quorum - 1);

    const attempts = await time('refused writes without quorum', () => Promise.all(survivors.map(async (name, i) => {
      const key = `${KEY_PREFIX}no-quorum-${i}`;
      const value = `no-quorum-${name}`;
      const started = Date.now();
      try {
        await c.client(name).put(key, value, { timeoutMs: NO_QUORUM_WRITE_TIMEOUT_MS });
        return { name, outcome: 'acknowledged', elapsedMs: Date.now() - started };
      } catch (error) {
        unacknowledged.set(key, value);
        const e = error as EtcdRequestError;
        return { name, outcome: e.kind === 'timeout' ? 'timed out' : `refused: ${e.message.split(': ').pop()}`, elapsedMs: Date.now() - started };
      }
    })));
    console.log(`[${clusterName}] killed ${victims.join(', ')}; writes to the ${survivors.length} survivor(s): ${JSON.stringify(attempts)}`);
    for (const attempt of attempts) {
      expect(attempt.outcome).not.toBe('acknowledged');
      expect(attempt.elapsedMs).toBeLessThan(NO_QUORUM_WRITE_TIMEOUT_MS + 2_000);
    }
    // The survivors still run and answer from their own state, but cannot serve a linearizable read.
    for (const name of survivors) {
      await expect(c.client(name).getPrefix(KEY_PREFIX, { serializable: true, timeoutMs: 3_000 })).resolves.toBeInstanceOf(Map);
      await expect(c.client(name).get(`${KEY_PREFIX}00000`, { timeoutMs: 2_000 })).rejects.toBeInstanceOf(EtcdRequestError);
    }
    const probes: Record<string, unknown> = {};
    for (const [kind, probe] of probesOf(c, survivors[0])) {
      probes[`${kind} ${probe.path}`] = (await c.probe(survivors[0], probe, 1_500)).status;
    }
    console.log(`[${clusterName}] probes of ${survivors[0]} without quorum: ${JSON.stringify(probes)}`);
  });

  step('WHEN the killed members restart with the same flags and data THEN quorum returns, every acknowledged write is there and writes succeed', async c => {
    const stopped = c.members.map(m => m.name).filter(n => !c.isRunning(n));
    for (const name of stopped) await c.restart(name);
    const all = c.members.map(m => m.name);
    const { leader, elapsedMs } = await time('quorum after restart', () => c.waitForLeader({ members: all, timeoutMs: QUORUM_TIMEOUT_MS }));
    console.log(`[${clusterName}] restarted ${stopped.join(', ')}; leader ${leader} agreed by all after ${elapsedMs} ms`);
    await time('linearizable reads after recovery', () => expectAcknowledgedKeysOn(c, all));
    await time('writes after recovery', () => writeKeys(c, all, all.length, 'after-recovery'));
    await expectAcknowledgedKeysOn(c, [leader]);
    expect(acknowledged.size).toBe(200 + 50 + all.length);
  });

  if (scenario.renewsCertificates) {
    step('WHEN a member\'s server and peer certificates are renewed in place (new key and serial, files swapped atomically, no restart) THEN new connections to its client and peer ports get the renewed certificates, and the cluster keeps quorum and writes', async c => {
      const [renewedName, restartedName, otherName] = c.members.map(m => m.name);
      const member = c.member(renewedName);
      const secretOf = (name: string, flagName: string): string => {
        const file = parseEtcdArgs(c.member(name).synthesizedArgs).find(f => f.name === flagName)!.value;
        return c.member(name).secretVolumes.find(v => file.startsWith(`${v.mountPath}/`))!.secretName;
      };
      const serverSecret = secretOf(renewedName, 'cert-file');
      const peerSecret = secretOf(renewedName, 'peer-cert-file');
      expect({ key: secretOf(renewedName, 'key-file'), peerKey: secretOf(renewedName, 'peer-key-file') }).toEqual({ key: serverSecret, peerKey: peerSecret });
      expect(peerSecret).not.toBe(serverSecret);

      // The member's ports, each verified against the name its certificate must carry; a new TLS connection per check.
      const runFlags = parseEtcdArgs(member.args);
      const runFlag = (name: string) => runFlags.find(f => f.name === name)!.value;
      const listenPeer = new URL(runFlag('listen-peer-urls').split(',')[0]);
      const peerEndpoint: EtcdEndpoint = {
        address: member.address,
        port: Number(listenPeer.port || 2380),
        serverName: new URL(runFlag('initial-advertise-peer-urls').split(',')[0]).hostname,
      };
      // On the peer port the test presents another member's peer certificate: what a peer that dials it presents.
      const otherPeer = c.secrets.get(secretOf(restartedName, 'peer-cert-file'))!;
      const peerCredentials: EtcdClientCredentials = {
        ca: c.peerCaCertificate, cert: fs.readFileSync(otherPeer.certFile), key: fs.readFileSync(otherPeer.keyFile),
      };
      const served = async () => ({
        client: (await servedCertificate(member.clientEndpoint, c.clientCredentials)).serialNumber,
        peer: (await servedCertificate(peerEndpoint, peerCredentials)).serialNumber,
      });

      // GIVEN the member serves the certificates it started with
      const issued = { client: serialOf(c.secrets.get(serverSecret)!.certFile), peer: serialOf(c.secrets.get(peerSecret)!.certFile) };
      expect(await served()).toEqual(issued);
      const pid = c.pid(renewedName);
      expect(pid).toBeDefined();

      // WHEN cert-manager renews both Secrets and the kubelet swaps the mounted files
      const { server, peer } = await time('renewal of 2 Secrets', async () => {
        const renewals = { server: c.renewSecret(serverSecret), peer: c.renewSecret(peerSecret) };
        for (const renewal of Object.values(renewals)) {
          // Only this member mounts it; new key, new serial, same CA; the files at the paths of the flags are the new ones.
          expect(renewal.volumes.map(v => v.member)).toEqual([renewedName]);
          expect(fs.readFileSync(renewal.renewed.keyFile)).not.toEqual(fs.readFileSync(renewal.previous.keyFile));
          expect(verifyCertificate(renewal.renewed.certFile, renewal.renewed.caFile)).toMatchObject({ ok: true });
        }
        expect(serialOf(runFlag('cert-file'))).toBe(serialOf(renewals.server.renewed.certFile));
        expect(serialOf(runFlag('peer-cert-file'))).toBe(serialOf(renewals.peer.renewed.certFile));
        return renewals;
      });
      const renewed = { client: serialOf(server.renewed.certFile), peer: serialOf(peer.renewed.certFile) };
      expect(renewed.client).not.toBe(issued.client);
      expect(renewed.peer).not.toBe(issued.peer);

      // THEN the same process serves the renewed certificates on new connections to its client and peer ports
      const afterRenewal = await served();
      console.log(`[${clusterName}] ${renewedName} (pid ${pid}, not restarted): client port serial ${issued.client} -> ${afterRenewal.client} `
        + `(renewed: ${renewed.client}); peer port serial ${issued.peer} -> ${afterRenewal.peer} (renewed: ${renewed.peer})`);
      expect(afterRenewal).toEqual(renewed);
      expect(c.pid(renewedName)).toBe(pid);
      // and the gateway still reads and writes with karmada-apiserver's client certificate
      await expect(c.client(renewedName).put('/integration/renewal/client-port', renewed.client, { timeoutMs: 5_000 })).resolves.toMatch(/^[1-9]\d*$/);
      await expect(c.client(renewedName).get('/integration/renewal/client-port', { timeoutMs: 5_000 })).resolves.toBe(renewed.client);

      // THEN quorum needs peer connections made after the renewal: with a third member down, another one restarts (it
      // dials the renewed member, which serves its renewed peer certificate, and the renewed member dials it,
      // presenting the renewed peer certificate as a client), and the two alone must elect a leader and commit writes.
      const { elapsedMs } = await time('quorum over new peer connections', async () => {
        await c.kill(otherName, 'SIGKILL');
        await c.kill(restartedName, 'SIGKILL');
        await c.restart(restartedName);
        return c.waitForLeader({ members: [renewedName, restartedName], timeoutMs: QUORUM_TIMEOUT_MS });
      });
      await writeKeys(c, [renewedName, restartedName], 10, 'after-renewal');
      await c.restart(otherName);
      const all = c.members.map(m => m.name);
      await time('quorum after renewal', () => c.waitForLeader({ members: all, timeoutMs: QUORUM_TIMEOUT_MS }));
      await expectAcknowledgedKeysOn(c, all);
      await writeKeys(c, all, all.length, 'after-renewal-all');
      expect(c.pid(renewedName)).toBe(pid);
      console.log(`[${clusterName}] ${renewedName} and the restarted ${restartedName} (${otherName} down) agreed on a leader after ${elapsedMs} ms and committed writes`);
    });
  }
});
