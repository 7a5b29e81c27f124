import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { sleep, waitFor } from './host-cluster';
import { entryPoint, KarmadaPlane } from './karmada';

/**
 * A host of a running Karmada plane cut off while a client writes through the entry point: what the client and the
 * leader elections see. Used by test/real-karmada-failover.test.ts and bench/host-cut.ts.
 */

/** A client of the Karmada API through the entry-point Service, with the administrator's certificate. */
export class EntryPointClient {
  public static async of(plane: KarmadaPlane): Promise<EntryPointClient> {
    const entry = await entryPoint(plane.cluster, plane.scenario);
    const secret = plane.issued.get(`${plane.scenario.instance}-admin-cert`);
    if (!secret) throw new Error('no issued admin certificate');
    return new EntryPointClient(entry.address, entry.port, `${entry.name}.${plane.scenario.namespace}.svc`, {
      ca: fs.readFileSync(secret.caFile), cert: fs.readFileSync(secret.certFile), key: fs.readFileSync(secret.keyFile),
    });
  }

  private constructor(
    private readonly address: string, private readonly port: number, private readonly serverName: string,
    private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer },
  ) {}

  /**
   * One request on a connection of its own (so that the Service's proxy picks a backend for each, as a client that
   * reconnects after an error does); `timeoutMs` bounds the whole exchange.
   */
  public request(method: string, path: string, body?: object, timeoutMs = 2_000): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = https.request({
        host: this.address,
        port: this.port,
        servername: this.serverName,
        method,
        path,
        agent: false,
        ...this.tls,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      }, response => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (text += chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: text });
        });
      });
      const timer = setTimeout(() => request.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      request.on('error', error => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(payload);
    });
  }
}

/** One write: a ConfigMap created through the entry point. */
export interface WriteRecord {
  readonly name: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** The apiserver answered 201: the write is acknowledged (committed to etcd). */
  readonly acknowledged: boolean;
  readonly error?: string;
}

/** Writes ConfigMaps one after another through the entry point until stopped, and records each. */
export class Writer {
  public static start(client: EntryPointClient, namespace = 'default', pauseMs = 50): Writer {
    return new Writer(client, namespace, pauseMs);
  }

  public readonly records: WriteRecord[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(private readonly client: EntryPointClient, public readonly namespace: string, pauseMs: number) {
    this.loop = (async () => {
      for (let n = 0; this.running; n++) {
        const name = `harness-write-${Date.now()}-${n}`;
        const startedAt = Date.now();
        try {
          const answer = await client.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
            apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: String(n) },
          });
          this.records.push({ name, startedAt, endedAt: Date.now(), acknowledged: answer.status === 201, ...(answer.status === 201 ? {} : { error: `${answer.status} ${answer.body.slice(0, 200)}` }) });
        } catch (error) {
          this.records.push({ name, startedAt, endedAt: Date.now(), acknowledged: false, error: (error as Error).message });
        }
        await sleep(pauseMs);
      }
    })();
  }

  public async stop(): Promise<WriteRecord[]> {
    this.running = false;
    await this.loop;
    return this.records;
  }

  /** The acknowledged writes that cannot be read back now (should be none). */
  public async lostWrites(): Promise<string[]> {
    const answer = await this.client.request('GET', `/api/v1/namespaces/${this.namespace}/configmaps`, undefined, 30_000);
    if (answer.status !== 200) throw new Error(`listing the written ConfigMaps: ${answer.status} ${answer.body.slice(0, 300)}`);
    const present = new Set((JSON.parse(answer.body).items as any[]).map(c => c.metadata.name as string));
    return this.records.filter(r => r.acknowledged && !present.has(r.name)).map(r => r.name);
  }
}

/** The leader-election Leases of the plane's components, as `namespace/name`. */
export const COMPONENT_LEASES = [
  'karmada-system/karmada-controller-manager', 'karmada-system/karmada-scheduler', 'kube-system/kube-controller-manager',
] as const;

/** The component Leases of a Lease list (`GET .../leases`), `namespace/name` to the holder's pod (its identity's host-name part). */
export function componentLeaseHolders(leaseList: string): Record<string, string> {
  const holders: Record<string, string> = {};
  for (const lease of JSON.parse(leaseList).items as any[]) {
    const key = `${lease.metadata.namespace}/${lease.metadata.name}`;
    if ((COMPONENT_LEASES as readonly string[]).includes(key) && lease.spec.holderIdentity) {
      holders[key] = String(lease.spec.holderIdentity).split('_')[0];
    }
  }
  return holders;
}

/** One look at who holds each Lease. */
export interface LeaseSample {
  readonly at: number;
  /** `namespace/name` to the holder's pod (the identity's host-name part). */
  readonly holders: Record<string, string>;
}

/** Samples the Leases' holders through the entry point until stopped. */
export class LeaseWatcher {
  public static start(client: EntryPointClient, intervalMs = 250): LeaseWatcher {
    return new LeaseWatcher(client, intervalMs);
  }

  public readonly samples: LeaseSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(client: EntryPointClient, intervalMs: number) {
    this.loop = (async () => {
      while (this.running) {
        try {
          const answer = await client.request('GET', '/apis/coordination.k8s.io/v1/leases');
          if (answer.status === 200) this.samples.push({ at: Date.now(), holders: componentLeaseHolders(answer.body) });
        } catch {
          // a request lost in the cut: the next sample will tell
        }
        await sleep(intervalMs);
      }
    })();
  }

  public async stop(): Promise<LeaseSample[]> {
    this.running = false;
    await this.loop;
    return this.samples;
  }
}

/** The host each pod runs on, by pod name. */
export async function hostsOfPods(plane: KarmadaPlane): Promise<Map<string, string>> {
  const pods = await plane.cluster.pods(plane.scenario.namespace);
  return new Map(pods.filter(p => p.nodeName).map(p => [p.name, p.nodeName!]));
}

/** The host of the etcd leader: the member whose metrics say `etcd_server_is_leader 1`. */
export async function etcdLeaderHost(plane: KarmadaPlane): Promise<string | undefined> {
  const members = (await plane.cluster.pods(plane.scenario.namespace)).filter(p => p.labels['app.kubernetes.io/name'] === 'etcd' && p.ready);
  for (const member of members) {
    const metrics = await new Promise<string>(resolve => {
      http.get({ host: member.raw.status.podIP, port: 2381, path: '/metrics', timeout: 2_000 }, response => {
        let text = '';
        response.on('data', chunk => (text += chunk));
        response.on('end', () => resolve(text));
      }).on('error', () => resolve('')).on('timeout', function (this: http.ClientRequest) {
        this.destroy();
      });
    });
    if (/^etcd_server_is_leader 1$/m.test(metrics)) return member.nodeName;
  }
  return undefined;
}

/** What one host cut showed. */
export interface HostCutMeasurement {
  readonly host: string;
  /** What the host held before the cut: Leases and the etcd leader. */
  readonly held: string[];
  /** From the cut to the first write, started after the cut, that was acknowledged. */
  readonly firstAcknowledgedWriteMs: number;
  /** The longest time without an acknowledged write, from the last one before the cut. */
  readonly longestWriteGapMs: number;
  /** Per Lease the host held: from the cut until another pod held it. */
  readonly leaderMovedMs: Record<string, number>;
  readonly writesAcknowledged: number;
  readonly writesFailed: number;
  /** Acknowledged writes that could not be read back after the host came back (must be 0). */
  readonly acknowledgedWritesLost: number;
  /** From bringing the host back until every workload was Ready again. */
  readonly rejoinedMs: number;
}

export interface HostCutOptions {
  /** How long the host stays cut off (its link down, then its processes killed). @default 45000 */
  readonly cutMs?: number;
  /** Writes before the cut. @default 3000 */
  readonly warmUpMs?: number;
  /** Waits for every workload to be Ready after the host comes back. */
  readonly waitReady: () => Promise<unknown>;
}

/**
 * Cuts `host` off while a client writes through the entry point: its links go down, a moment later its processes
 * are killed; after `cutMs` it comes back and its pods run again. Returns what the writer and the Lease watcher saw.
 */
export async function cutHost(plane: KarmadaPlane, host: string, options: HostCutOptions): Promise<HostCutMeasurement> {
  const client = await EntryPointClient.of(plane);
  const podsToHosts = await hostsOfPods(plane);
  const etcdLeader = await etcdLeaderHost(plane);
  const writer = Writer.start(client);
  const leases = LeaseWatcher.start(client);
  try {
    await sleep(options.warmUpMs ?? 3_000);
    const before = leases.samples[leases.samples.length - 1]?.holders ?? {};
    const heldLeases = Object.entries(before).filter(([, pod]) => podsToHosts.get(pod) === host).map(([lease]) => lease);
    const cutAt = Date.now();
    plane.runner.cutOff(host);
    await sleep(500);
    plane.runner.killHost(host);
    await waitFor(`writes acknowledged again after cutting ${host}`, async () => writer.records.some(r => r.startedAt > cutAt && r.acknowledged) ? true : undefined, 120_000);
    await waitFor(`every Lease ${host} held to move`, async () => {
      const last = leases.samples[leases.samples.length - 1];
      return last && heldLeases.every(lease => last.holders[lease] && podsToHosts.get(last.holders[lease]) !== host) ? true : undefined;
    }, 120_000, async () => JSON.stringify(leases.samples[leases.samples.length - 1]));
    const remaining = (options.cutMs ?? 45_000) - (Date.now() - cutAt);
    if (remaining > 0) await sleep(remaining);
    const broughtUpAt = Date.now();
    plane.runner.bringUp(host);
    await options.waitReady();
    const rejoinedMs = Date.now() - broughtUpAt;
    await sleep(1_000);
    const records = await writer.stop();
    await leases.stop();
    const acknowledged = records.filter(r => r.acknowledged);
    const lastBefore = acknowledged.filter(r => r.endedAt <= cutAt).pop();
    let longestWriteGapMs = 0;
    let previous = lastBefore?.endedAt ?? cutAt;
    for (const record of acknowledged.filter(r => r.endedAt > cutAt)) {
      longestWriteGapMs = Math.max(longestWriteGapMs, record.endedAt - previous);
      previous = record.endedAt;
    }
    const firstAfter = acknowledged.find(r => r.startedAt > cutAt)!;
    const leaderMovedMs: Record<string, number> = {};
    for (const lease of heldLeases) {
      const moved = leases.samples.find(s => s.at > cutAt && s.holders[lease] && podsToHosts.get(s.holders[lease]) !== host);
      if (moved) leaderMovedMs[lease] = moved.at - cutAt;
    }
    const lost = await writer.lostWrites();
    return {
      host,
      held: [...heldLeases, ...(etcdLeader === host ? ['etcd leader'] : [])],
      firstAcknowledgedWriteMs: firstAfter.endedAt - cutAt,
      longestWriteGapMs,
      leaderMovedMs,
      writesAcknowledged: acknowledged.length,
      writesFailed: records.length - acknowledged.length,
      acknowledgedWritesLost: lost.length,
      rejoinedMs,
    };
  } finally {
    await writer.stop();
    await leases.stop();
  }
}

/** The host whose pods hold the most component Leases right now (the one whose loss moves the most leaders). */
export async function hostHoldingLeases(plane: KarmadaPlane): Promise<string> {
  const client = await EntryPointClient.of(plane);
  const podsToHosts = await hostsOfPods(plane);
  const answer = await client.request('GET', '/apis/coordination.k8s.io/v1/leases', undefined, 10_000);
  const counts = new Map<string, number>();
  for (const pod of Object.values(componentLeaseHolders(answer.body))) {
    const host = podsToHosts.get(pod);
    if (host) counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (!best) throw new Error(`no component Lease is held by a pod of the plane: ${answer.body.slice(0, 500)}`);
  return best[0];
}
