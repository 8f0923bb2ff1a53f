/**
 * Peer endpoint leases: where to dial a peer. As upstream's `PeerEndpointLeaseController`, they are
 * not API objects but TTL records in the store (etcd keys under `/peerserverleases/` with a 15 s TTL),
 * holding an Endpoints value labelled with the server's identity. A server writes its own only once
 * it is ready, refreshes it every 10 s and deletes it on graceful stop; a crashed server's record
 * simply expires. Readers list every record on each lookup, with no cache, as `GetEndpoint` does.
 */
import type { Logger } from 'pino';
import type { Store } from '../../storage/store.js';
import type { Clock, ClockTimer } from '../clock.js';

/** The key prefix of peer endpoint leases. */
export const PEER_LEASE_PREFIX = '/peerserverleases/';

/** The Endpoints value of one lease. */
export interface PeerEndpoint {
  kind: 'Endpoints';
  apiVersion: 'v1';
  metadata: { labels: { apiserverIdentity: string }; generation: number };
  subsets: Array<{ addresses: Array<{ ip: string }>; ports: Array<{ name: string; port: number; protocol: 'TCP' }> }>;
}

/** Split `host:port` (IPv6 in brackets) into its parts. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) throw new Error(`address ${address}: missing port in address`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Join a host and port, bracketing IPv6. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Resolve a peer's `host:port` from the store, or '' when it has no unexpired lease (upstream returns
 * "" with no error, and the caller's SplitHostPort then fails).
 */
export async function getPeerEndpoint(store: Store, serverID: string): Promise<string> {
  if (!serverID) throw new Error('server id is empty');
  for (const { value } of await store.listTtl(PEER_LEASE_PREFIX)) {
    const ep = value as unknown as PeerEndpoint;
    if (ep.metadata?.labels?.apiserverIdentity !== serverID) continue;
    const ip = ep.subsets?.[0]?.addresses?.[0]?.ip;
    const port = ep.subsets?.[0]?.ports?.[0]?.port;
    if (ip === undefined || port === undefined) return '';
    return joinHostPort(ip, port);
  }
  return '';
}

/** What the controller needs. */
export interface EndpointLeaseDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  id: string;
  /** `host:port` from the peer address fallback (read when the lease is written). */
  address: () => string;
  ttlSeconds: number;
  intervalSeconds: number;
}

/** Writes and refreshes this server's peer endpoint lease. */
export class EndpointLeaseController {
  private timer: ClockTimer | undefined;
  private generation = 0;
  private stopped = false;

  constructor(private readonly deps: EndpointLeaseDeps) {}

  private get key(): string {
    return `${PEER_LEASE_PREFIX}${this.deps.id}`;
  }

  /** Write the lease now (the server is ready) and refresh it every interval. */
  async start(): Promise<void> {
    await this.update();
    this.timer = this.deps.clock.setInterval(() => void this.update().catch((err) => this.deps.log.warn({ err }, 'peer endpoint lease update failed')), this.deps.intervalSeconds * 1000);
  }

  private async update(): Promise<void> {
    if (this.stopped) return;
    const { host, port } = splitHostPort(this.deps.address());
    this.generation++;
    const value: PeerEndpoint = {
      kind: 'Endpoints',
      apiVersion: 'v1',
      metadata: { labels: { apiserverIdentity: this.deps.id }, generation: this.generation },
      subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    };
    await this.deps.store.setTtl(this.key, value as unknown as Record<string, unknown>, this.deps.ttlSeconds);
  }

  /** Stop refreshing and delete the lease (the pre-shutdown hook). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.deps.store.deleteTtl(this.key).catch((err) => this.deps.log.warn({ err }, 'peer endpoint lease delete failed'));
  }
}
