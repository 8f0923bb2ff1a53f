/**
 * Faults on the peer hop between two servers of a running cluster: the record the source server's
 * proxy transport looks up (`server/peers/faults.ts`), keyed by the source's identity and the peer's
 * address. Both stay the same across a restart, so a fault outlives restarts until it is healed.
 */
import type { Store } from '../../storage/store.js';
import { faultKey, type Fault } from '../peers/faults.js';
import type { Cluster } from './cluster.js';

/** Fault records outlive any run that writes them (a year); healing deletes them. */
export const PEER_FAULT_TTL_SECONDS = 365 * 24 * 3600;

/**
 * The record key of the hop from server `from` to server `to`, or undefined while either has not
 * started yet (the source's identity and the peer's port are only known once it listened).
 */
export function peerLinkKey(cluster: Cluster, from: string, to: string): string | undefined {
  const id = cluster.servers.get(from)?.info?.id;
  const port = cluster.servers.get(to)?.info?.port;
  return id && port !== undefined ? faultKey(id, `127.0.0.1:${port}`) : undefined;
}

/** Put `fault` on the hop from `from` to `to`, or heal the hop when `fault` is undefined; throws when either server has not started. */
export async function setPeerFault(cluster: Cluster, store: Store, from: string, to: string, fault: Fault | undefined): Promise<void> {
  const key = peerLinkKey(cluster, from, to);
  if (!key) throw new Error(`both ${from} and ${to} must have started before a fault between them`);
  if (fault) await store.setTtl(key, fault as unknown as Record<string, unknown>, PEER_FAULT_TTL_SECONDS);
  else await store.deleteTtl(key);
}
