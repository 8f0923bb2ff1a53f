/**
 * Faults on the peer hop, injected by scenarios: records in the shared store under
 * `/kube-skew/faults/<source server ID>/<peer host:port>` that make the source's proxy transport see
 * a partition (the dial times out), a refused connection, or extra latency. They are kube-skew's
 * own and change nothing unless a scenario writes them.
 */
import type { Store } from '../../storage/store.js';

/** The key prefix of fault records. */
export const FAULT_PREFIX = '/kube-skew/faults/';

/** One fault on a link. */
export type Fault = { kind: 'partition' } | { kind: 'refuse' } | { kind: 'latency'; delayMs: number };

/** The record key of the link from `sourceID` to `address`. */
export function faultKey(sourceID: string, address: string): string {
  return `${FAULT_PREFIX}${sourceID}/${address}`;
}

/** Read the fault (if any) on the link from `sourceID` to `address`. */
export async function faultFor(store: Store, sourceID: string, address: string): Promise<Fault | undefined> {
  const value = await store.getTtl(faultKey(sourceID, address));
  return value as Fault | undefined;
}
