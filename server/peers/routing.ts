/**
 * Routing decisions of the Mixed Version Proxy, shared by both generations: a router says whether a
 * group/version/resource is served here, by which peers, and where those peers can be dialled.
 */
import type { Store } from '../../storage/store.js';
import { getPeerEndpoint, splitHostPort } from './endpoint-lease.js';

/** A group/version/resource as the proxy keys it. */
export interface GVR {
  group: string;
  version: string;
  resource: string;
}

/**
 * Why a request the router keeps is served here: `no-peer` when no peer serves it either (the local
 * chain answers, typically 404), `no-storage-version` when no StorageVersion names it (Generation
 * A's fallback); absent when this server serves it.
 */
export type LocalReason = 'no-peer' | 'no-storage-version';

/** What the proxy does with a request. */
export type RouteDecision =
  /** Serve it here (served locally, or nobody serves it: the local chain answers 404). */
  | { kind: 'local'; reason?: LocalReason }
  /** Peers serve it but none can be dialled: the Status 503. */
  | { kind: 'unresolvable'; error: string }
  /** Proxy to one of these `host:port` endpoints, chosen at random; `ids[i]` is the APIServerID of `endpoints[i]`, when known. */
  | { kind: 'proxy'; endpoints: string[]; ids?: string[] };

/** A generation's routing source. */
export interface PeerRouter {
  /** False until the caches this generation needs are filled; until then requests are served locally. */
  hasFinishedSync(): boolean;
  /** Decide where a request for `gvr` goes. */
  route(gvr: GVR): Promise<RouteDecision>;
  /** Start the caches. */
  start(): Promise<void>;
  /** Stop the caches. */
  stop(): void;
}

/** The key of a GVR in routing maps. */
export function gvrKey(gvr: GVR): string {
  return `${gvr.group}/${gvr.version}/${gvr.resource}`;
}

/**
 * Resolve the endpoints of `peers`. `allMustResolve` is the 1.28–1.31 rule (any unresolvable peer
 * gives the Status 503); later releases skip unresolvable peers and fail only when none resolves.
 */
export async function resolvePeers(store: Store, peers: string[], allMustResolve: boolean): Promise<RouteDecision> {
  const endpoints: string[] = [];
  const ids: string[] = [];
  let lastError = '';
  for (const id of peers) {
    try {
      const address = await getPeerEndpoint(store, id);
      splitHostPort(address);
      endpoints.push(address);
      ids.push(id);
    } catch (err) {
      lastError = `failed to resolve host and port for server ${id}: ${(err as Error).message}`;
      if (allMustResolve) return { kind: 'unresolvable', error: lastError };
    }
  }
  if (endpoints.length === 0) return lastError ? { kind: 'unresolvable', error: lastError } : { kind: 'local', reason: 'no-peer' };
  return { kind: 'proxy', endpoints, ids };
}
