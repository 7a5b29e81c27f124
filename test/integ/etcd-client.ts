import { X509Certificate } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as tls from 'tls';

/**
 * A minimal etcd v3 client over etcd's JSON gRPC gateway (HTTPS with a client certificate), the same in etcd 3.4,
 * 3.5 and 3.6. Every request has a timeout. No etcdctl needed.
 */

/** Where a member's client endpoint is and the name its certificate must carry. */
export interface EtcdEndpoint {
  /** The address to connect to (e.g. `127.0.0.21`). */
  readonly address: string;
  readonly port: number;
  /** The DNS name the server certificate is verified against (TLS SNI too). */
  readonly serverName: string;
}

/** Client TLS material (PEM). Without `cert` and `key` the client presents no certificate. */
export interface EtcdClientCredentials {
  readonly ca: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Caps the TLS version the client offers, e.g. `TLSv1.2` to check that a server refuses it. */
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export type EtcdRequestFailure = 'timeout' | 'network' | 'http' | 'grpc';

/** A request that did not succeed; `kind` tells a timeout from an answer. */
export class EtcdRequestError extends Error {
  constructor(
    message: string,
    public readonly kind: EtcdRequestFailure,
    public readonly elapsedMs: number,
    public readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'EtcdRequestError';
  }
}

/** `/v3/maintenance/status`, the parts the tests use. IDs are decimal strings (uint64). */
export interface EtcdMemberStatus {
  readonly memberId: string;
  readonly leaderId: string;
  readonly raftTerm: string;
  readonly raftIndex: string;
  readonly version: string;
  readonly errors: readonly string[];
}

export interface EtcdMemberInfo {
  readonly id: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
}

export interface EtcdRequestOptions {
  /** @default the client's default timeout */
  readonly timeoutMs?: number;
}

export interface EtcdRangeOptions extends EtcdRequestOptions {
  /** A local read from the member's own state instead of a linearizable (quorum) read. @default false */
  readonly serializable?: boolean;
}

interface GatewayHeader {
  readonly member_id?: string;
  readonly revision?: string;
  readonly raft_term?: string;
}

/** The gateway writes the header's fields in snake case and the status fields in camel case; accept both. */
interface GatewayStatusResponse {
  readonly header?: GatewayHeader;
  readonly leader?: string;
  readonly raftTerm?: string;
  readonly raft_term?: string;
  readonly raftIndex?: string;
  readonly raft_index?: string;
  readonly version?: string;
  readonly errors?: string[];
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString('utf8');

/** The smallest key greater than every key that starts with `prefix` (etcd's `range_end` for a prefix). */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      const end = bytes.subarray(0, i + 1);
      end[i] += 1;
      return end.toString('latin1');
    }
  }
  return '\0';
}

export class EtcdGatewayClient {
  constructor(
    public readonly endpoint: EtcdEndpoint,
    private readonly credentials: EtcdClientCredentials,
    private readonly defaultTimeoutMs = 3_000,
  ) {}

  /** Writes `key`; resolves only when etcd acknowledged the write (committed by a quorum). Returns its revision. */
  public async put(key: string, value: string, options: EtcdRequestOptions = {}): Promise<string> {
    const response = await this.call<{ header?: GatewayHeader }>('/v3/kv/put', { key: b64(key), value: b64(value) }, options);
    return response.header?.revision ?? '';
  }

  /** The value of `key`, or undefined. Linearizable unless `serializable`. */
  public async get(key: string, options: EtcdRangeOptions = {}): Promise<string | undefined> {
    const kvs = await this.range({ key: b64(key) }, options);
    return kvs.get(key);
  }

  /** Every key under `prefix` with its value. Linearizable unless `serializable`. */
  public async getPrefix(prefix: string, options: EtcdRangeOptions = {}): Promise<Map<string, string>> {
    return this.range({ key: b64(prefix), range_end: Buffer.from(prefixRangeEnd(prefix), 'latin1').toString('base64') }, options);
  }

  public async status(options: EtcdRequestOptions = {}): Promise<EtcdMemberStatus> {
    const r = await this.call<GatewayStatusResponse>('/v3/maintenance/status', {}, options);
    return {
      memberId: r.header?.member_id ?? '',
      leaderId: r.leader ?? '0',
      raftTerm: r.raftTerm ?? r.raft_term ?? '',
      raftIndex: r.raftIndex ?? r.raft_index ?? '',
      version: r.version ?? '',
      errors: r.errors ?? [],
    };
  }

  public async memberList(options: EtcdRequestOptions = {}): Promise<EtcdMemberInfo[]> {
    const r = await this.call<{ members?: Array<{ ID?: string; name?: string; peerURLs?: string[]; clientURLs?: string[] }> }>(
      '/v3/cluster/member/list', {}, options);
    return (r.members ?? []).map(m => ({ id: m.ID ?? '', name: m.name ?? '', peerUrls: m.peerURLs ?? [], clientUrls: m.clientURLs ?? [] }));
  }

  private async range(body: Record<string, string>, options: EtcdRangeOptions): Promise<Map<string, string>> {
    const r = await this.call<{ kvs?: Array<{ key?: string; value?: string }>; more?: boolean }>(
      '/v3/kv/range', { ...body, ...(options.serializable ? { serializable: true } : {}) }, options);
    if (r.more) {
      throw new EtcdRequestError('range returned a partial result (more=true)', 'grpc', 0);
    }
    return new Map((r.kvs ?? []).map(kv => [unb64(kv.key), unb64(kv.value)]));
  }

  /** POSTs JSON to the gateway; rejects with {@link EtcdRequestError} on timeout, network error or error answer. */
  private call<T>(apiPath: string, body: object, options: EtcdRequestOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const payload = JSON.stringify(body);
    const started = Date.now();
    const where = `${this.endpoint.serverName} (${this.endpoint.address}:${this.endpoint.port}) ${apiPath}`;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (error: EtcdRequestError | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error); else resolve(value as T);
      };
      const request = https.request({
        host: this.endpoint.address,
        port: this.endpoint.port,
        // SNI carries DNS names only; for an address, Node checks the certificate's IP SANs against `host`.
        ...(net.isIP(this.endpoint.serverName) ? {} : { servername: this.endpoint.serverName }),
        method: 'POST',
        path: apiPath,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        ca: this.credentials.ca,
        cert: this.credentials.cert,
        key: this.credentials.key,
        maxVersion: this.credentials.maxVersion,
        agent: false,
        timeout: timeoutMs,
      }, (response: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (e: Error) => finish(new EtcdRequestError(`${where}: ${e.message}`, 'network', Date.now() - started)));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: { error?: string; message?: string; code?: number } & Record<string, unknown>;
          try {
            parsed = JSON.parse(text);
          } catch {
            finish(new EtcdRequestError(`${where}: HTTP ${response.statusCode}, not JSON: ${text.slice(0, 300)}`, 'http', Date.now() - started, response.statusCode));
            return;
          }
          if (response.statusCode !== 200 || parsed.error !== undefined || (parsed.code !== undefined && parsed.code !== 0)) {
            finish(new EtcdRequestError(
              `${where}: HTTP ${response.statusCode}: ${parsed.message ?? parsed.error ?? text.slice(0, 300)}`,
              response.statusCode === 200 ? 'grpc' : 'http', Date.now() - started, response.statusCode));
            return;
          }
          finish(undefined, parsed as T);
        });
      });
      const timer = setTimeout(() => {
        finish(new EtcdRequestError(`${where}: no answer within ${timeoutMs} ms`, 'timeout', Date.now() - started));
        request.destroy();
      }, timeoutMs);
      request.on('timeout', () => {
        finish(new EtcdRequestError(`${where}: socket idle for ${timeoutMs} ms`, 'timeout', Date.now() - started));
        request.destroy();
      });
      request.on('error', (e: Error) => finish(new EtcdRequestError(`${where}: ${e.message}`, 'network', Date.now() - started)));
      request.end(payload);
    });
  }
}

/**
 * The certificate a TLS endpoint serves on a new connection (no connection is reused): opens one, presenting
 * `credentials`' client certificate, verifies the served chain against `credentials.ca` and the name
 * `endpoint.serverName` (as {@link EtcdGatewayClient} does), and closes it. Works for client and peer ports alike.
 */
export function servedCertificate(endpoint: EtcdEndpoint, credentials: EtcdClientCredentials, timeoutMs = 3_000): Promise<X509Certificate> {
  const where = `${endpoint.serverName} (${endpoint.address}:${endpoint.port})`;
  return new Promise<X509Certificate>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, certificate?: X509Certificate) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.end();
      socket.destroy();
      if (error) reject(error); else resolve(certificate!);
    };
    const socket = tls.connect({
      host: endpoint.address,
      port: endpoint.port,
      ...(net.isIP(endpoint.serverName) ? {} : { servername: endpoint.serverName }),
      ca: credentials.ca,
      cert: credentials.cert,
      key: credentials.key,
      maxVersion: credentials.maxVersion,
    }, () => {
      const certificate = socket.getPeerX509Certificate();
      finish(certificate ? undefined : new Error(`${where}: no certificate served`), certificate);
    });
    const timer = setTimeout(() => finish(new Error(`${where}: no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (e: Error) => finish(new Error(`${where}: ${e.message}`)));
  });
}

/** GETs a plain-HTTP URL (etcd's metrics port: /livez, /readyz, /metrics); resolves with the status, or 'timeout'. */
export function httpGetStatus(url: string, timeoutMs: number): Promise<{ status: number | 'timeout' | 'error'; body: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise(resolve => {
    let settled = false;
    const done = (status: number | 'timeout' | 'error', body: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, body, elapsedMs: Date.now() - started });
    };
    const request = http.get(url, { agent: false, timeout: timeoutMs }, response => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => done(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      response.on('error', e => done('error', e.message));
    });
    const timer = setTimeout(() => {
      done('timeout', '');
      request.destroy();
    }, timeoutMs);
    request.on('timeout', () => {
      done('timeout', '');
      request.destroy();
    });
    request.on('error', e => done('error', e.message));
  });
}
