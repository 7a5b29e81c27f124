import { execFileSync } from 'child_process';
import * as net from 'net';

/**
 * The network of the pods the pod runner runs (test/cluster/pod-runner.ts), as a CNI plugin and kube-proxy would
 * give it, with the Linux tools every machine of the project has (`ip`, as root):
 *
 * - one network namespace per pod, its `eth0` one end of a veth pair whose other end is on a bridge in the
 *   machine's own namespace: every pod has an address of its own on one flat network (`POD_NETWORK`), as a CNI
 *   gives it, and reaches every other pod directly;
 * - a host is cut off by setting its pods' links down (`cutOff`): it neither reaches nor is reached;
 * - Services: each ClusterIP is an address of the bridge, and a TCP proxy of ours listens on each Service port
 *   there and forwards each connection to a ready endpoint's address and target port (kube-proxy's userspace
 *   mode did the same). The pods reach a ClusterIP through their default route, the test process directly.
 *
 * What differs from a cluster: the proxy is TCP only, and the server sees the bridge's address as the client's.
 */

/** The pods' flat network: the bridge holds the first address, pods get the others. */
export const POD_NETWORK = { prefix: '10.245', bridgeAddress: '10.245.0.1', prefixLength: 16 } as const;
const BRIDGE = 'ckbr0';
const NAMESPACE_PREFIX = 'ckpod-';

function ip(args: readonly string[], allowFailure = false): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (allowFailure) return '';
    throw new Error(`ip ${args.join(' ')} failed: ${(error as any).stderr ?? error}`);
  }
}

/** A pod's place on the network. */
export interface PodAttachment {
  /** The network namespace, for `ip netns exec`. */
  readonly netns: string;
  readonly address: string;
  readonly host: string;
  /** The veth end on the bridge. */
  readonly hostLink: string;
}

/** One endpoint of a Service port: where the proxy forwards to. */
export interface ServiceBackend {
  readonly address: string;
  readonly port: number;
}

interface ProxiedPort {
  readonly server: net.Server;
  backends: ServiceBackend[];
  next: number;
}

export class PodNetwork {
  /** Sets the bridge up, removing what an earlier, crashed run left. */
  public static create(): PodNetwork {
    PodNetwork.removeLeftovers();
    ip(['link', 'add', BRIDGE, 'type', 'bridge']);
    ip(['addr', 'add', `${POD_NETWORK.bridgeAddress}/${POD_NETWORK.prefixLength}`, 'dev', BRIDGE]);
    ip(['link', 'set', BRIDGE, 'up']);
    return new PodNetwork();
  }

  /** Deletes the bridge and every pod namespace of this harness (a crashed run leaves them behind). */
  public static removeLeftovers(): void {
    for (const line of ip(['netns', 'list'], true).split('\n')) {
      const name = line.split(' ')[0];
      if (name.startsWith(NAMESPACE_PREFIX)) ip(['netns', 'delete', name], true);
    }
    for (const match of ip(['-o', 'link', 'show'], true).matchAll(/^\d+: (ckh\d+)[@:]/gm)) ip(['link', 'delete', match[1]], true);
    ip(['link', 'delete', BRIDGE], true);
  }

  private readonly attachments = new Map<string, PodAttachment>();
  private readonly serviceAddresses = new Set<string>();
  private readonly proxies = new Map<string, ProxiedPort>();
  private readonly cut = new Set<string>();
  private nextLink = 0;

  private constructor() {}

  /**
   * Creates the pod's namespace and link with `address` (the pod runner gives each pod name one address for its
   * life, so a StatefulSet's pod keeps its address when it is recreated, as its DNS name does).
   */
  public attach(podKey: string, host: string, address: string): PodAttachment {
    const existing = this.attachments.get(podKey);
    if (existing) return existing;
    const id = this.nextLink++;
    const netns = `${NAMESPACE_PREFIX}${id}`;
    const hostLink = `ckh${id}`;
    const podLink = `ckp${id}`;
    ip(['netns', 'add', netns]);
    ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', podLink]);
    ip(['link', 'set', podLink, 'netns', netns]);
    ip(['-n', netns, 'link', 'set', podLink, 'name', 'eth0']);
    ip(['-n', netns, 'addr', 'add', `${address}/${POD_NETWORK.prefixLength}`, 'dev', 'eth0']);
    ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', netns, 'route', 'add', 'default', 'via', POD_NETWORK.bridgeAddress]);
    ip(['link', 'set', hostLink, 'master', BRIDGE]);
    if (!this.cut.has(host)) ip(['link', 'set', hostLink, 'up']);
    const attachment = { netns, address, host, hostLink };
    this.attachments.set(podKey, attachment);
    return attachment;
  }

  public detach(podKey: string): void {
    const attachment = this.attachments.get(podKey);
    if (!attachment) return;
    this.attachments.delete(podKey);
    ip(['netns', 'delete', attachment.netns], true);
    ip(['link', 'delete', attachment.hostLink], true);
  }

  /** Cuts every pod of `host` off the network (and every pod it starts later), or reconnects them. */
  public cutOff(host: string, off = true): void {
    if (off) this.cut.add(host);
    else this.cut.delete(host);
    for (const attachment of this.attachments.values()) {
      if (attachment.host === host) ip(['link', 'set', attachment.hostLink, off ? 'down' : 'up']);
    }
  }

  /**
   * Makes `clusterIp:port` forward to `backends` (round robin, a connection to the next on failure); no backends:
   * connections are refused, as kube-proxy rejects them for a Service without ready endpoints.
   */
  public async proxy(clusterIp: string, port: number, backends: readonly ServiceBackend[]): Promise<void> {
    if (!this.serviceAddresses.has(clusterIp)) {
      ip(['addr', 'add', `${clusterIp}/32`, 'dev', BRIDGE]);
      this.serviceAddresses.add(clusterIp);
    }
    const key = `${clusterIp}:${port}`;
    const existing = this.proxies.get(key);
    if (existing) {
      existing.backends = [...backends];
      return;
    }
    const proxied: ProxiedPort = { server: net.createServer(socket => this.forward(proxied, socket)), backends: [...backends], next: 0 };
    this.proxies.set(key, proxied);
    await new Promise<void>((resolve, reject) => {
      proxied.server.once('error', reject);
      proxied.server.listen(port, clusterIp, () => resolve());
    });
  }

  /** Stops every proxy and deletes every namespace and the bridge. */
  public async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map(p => new Promise<void>(resolve => p.server.close(() => resolve()))));
    this.proxies.clear();
    for (const key of [...this.attachments.keys()]) this.detach(key);
    ip(['link', 'delete', BRIDGE], true);
  }

  private forward(proxied: ProxiedPort, client: net.Socket, attempt = 0): void {
    const backends = proxied.backends;
    if (backends.length === 0 || attempt >= backends.length) {
      client.destroy();
      return;
    }
    const backend = backends[proxied.next++ % backends.length];
    const upstream = net.connect({ host: backend.address, port: backend.port });
    let connected = false;
    upstream.setTimeout(5_000, () => upstream.destroy(new Error('connect timeout')));
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => {
      if (!connected) this.forward(proxied, client, attempt + 1);
      else client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (connected) client.destroy();
    });
  }
}
