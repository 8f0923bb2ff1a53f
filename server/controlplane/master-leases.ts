/**
 * The lease endpoint reconciler's records of live servers, upstream's `storageLeases`: one TTL
 * record per server under `/masterleases/`, holding an Endpoints value, refreshed on every
 * reconcile (its generation bumped, as upstream must to make etcd take the new TTL) and removed on
 * a graceful stop; a server that dies simply stops refreshing and its record lapses.
 *
 * What differs on one machine: upstream keys a record by the server's IP (`/masterleases/<ip>`) and
 * stores only the address, because every kube-apiserver listens on the same port of its own host.
 * kube-skew's servers share 127.0.0.1 and differ by port, so the key is `<ip>:<port>` and the value
 * carries the port too; keyed by IP alone, the servers would overwrite one another's record.
 */
import type { Store } from '../../storage/store.js';

/** The key prefix of the records (upstream's `/masterleases/`). */
export const MASTER_LEASES_PREFIX = '/masterleases/';

/** One live server, as its record says. */
export interface MasterLease {
  ip: string;
  port: number;
}

/** Join an address and port, bracketing IPv6. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

interface LeaseValue {
  kind: 'Endpoints';
  apiVersion: 'v1';
  metadata: { generation: number };
  subsets: Array<{ addresses: Array<{ ip: string }>; ports: Array<{ name: string; port: number; protocol: 'TCP' }> }>;
}

/** The `/masterleases/` records in a store. */
export class MasterLeases {
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly ttlSeconds: number,
  ) {}

  /** Every unexpired record, in key order; records without an address are skipped, as upstream's ListLeases does. */
  async list(): Promise<MasterLease[]> {
    const out: MasterLease[] = [];
    for (const { value } of await this.store.listTtl(MASTER_LEASES_PREFIX)) {
      const subset = (value as unknown as LeaseValue).subsets?.[0];
      const ip = subset?.addresses?.[0]?.ip;
      const port = subset?.ports?.[0]?.port;
      if (ip && typeof port === 'number') out.push({ ip, port });
    }
    return out;
  }

  /** Write (or refresh) this server's record for another TTL. */
  async update(self: MasterLease): Promise<void> {
    this.generation++;
    const value: LeaseValue = {
      kind: 'Endpoints',
      apiVersion: 'v1',
      metadata: { generation: this.generation },
      subsets: [{ addresses: [{ ip: self.ip }], ports: [{ name: 'https', port: self.port, protocol: 'TCP' }] }],
    };
    await this.store.setTtl(this.key(self), value as unknown as Record<string, unknown>, this.ttlSeconds);
  }

  /** Remove this server's record (no error when there is none). */
  async remove(self: MasterLease): Promise<void> {
    await this.store.deleteTtl(this.key(self));
  }

  private key(self: MasterLease): string {
    return `${MASTER_LEASES_PREFIX}${hostPort(self.ip, self.port)}`;
  }
}
