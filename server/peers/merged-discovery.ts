/**
 * Peer-aggregated discovery (1.35+): aggregated `/apis` v2 merged across this server and its peers,
 * so a client of an older server sees every resource type some server of the cluster serves.
 * `profile=nopeer` asks for the local document. The merge is deterministic — servers are processed in
 * lexicographic order of their IDs, and each level keeps an input's order when one input holds every
 * name, else a topological merge of all inputs with lexicographic tie-breaks — so every server of a
 * steady cluster serves the same bytes and the same ETag. Responses carry the ETag (quoted upper-case
 * hex SHA-512), `Vary: Accept` and `Cache-Control: public`; a matching If-None-Match gets 304.
 */
import { createHash } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { PeerDiscoveryMetrics } from './discovery-metrics.js';
import type { RequestContext } from '../http/context.js';
import { writeRaw } from '../http/respond.js';
import type { APIGroupDiscovery, APIGroupDiscoveryList, APIResourceDiscovery, APIVersionDiscovery } from '../endpoints/discovery-docs.js';
import { aggregatedContentType, type AggregatedApisHook, type DiscoveryDocs } from '../endpoints/discovery.js';
import type { PeerDiscovery } from './discovery-router.js';

/** Upstream's discovery ETag (`calculateETag`): the quoted upper-case hex SHA-512 of the list's items as JSON. */
export function discoveryETag(items: APIGroupDiscovery[]): string {
  return `"${createHash('sha512').update(JSON.stringify({ metadata: {}, items })).digest('hex').toUpperCase()}"`;
}

/**
 * Merge name lists preserving each list's relative order: any list that already holds every name is
 * returned as is; otherwise a topological merge, ties broken lexicographically; when the lists
 * contradict each other (a cycle), every name in lexicographic order, as upstream's fallback.
 */
export function mergePreservingRelativeOrder(lists: string[][]): string[] {
  const all = new Set(lists.flat());
  for (const list of lists) if (list.length === all.size && new Set(list).size === all.size) return [...list];
  const after = new Map<string, Set<string>>();
  const indegree = new Map<string, number>([...all].map((n) => [n, 0]));
  for (const list of lists) {
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      const set = after.get(a) ?? new Set<string>();
      if (!set.has(b)) {
        set.add(b);
        indegree.set(b, (indegree.get(b) ?? 0) + 1);
      }
      after.set(a, set);
    }
  }
  const out: string[] = [];
  const ready = [...all].filter((n) => indegree.get(n) === 0).sort();
  while (ready.length > 0) {
    const n = ready.shift()!;
    out.push(n);
    for (const m of after.get(n) ?? []) {
      const d = (indegree.get(m) ?? 0) - 1;
      indegree.set(m, d);
      if (d === 0) {
        ready.push(m);
        ready.sort();
      }
    }
  }
  // A cycle (contradictory orders) leaves names unplaced: upstream then falls back to sorting every
  // name lexicographically.
  if (out.length !== all.size) return [...all].sort();
  return out;
}

function mergeResource(first: APIResourceDiscovery, other: APIResourceDiscovery): APIResourceDiscovery {
  if (JSON.stringify(first) === JSON.stringify(other)) return first;
  const merged: APIResourceDiscovery = { ...first, verbs: [...new Set([...first.verbs, ...other.verbs])].sort() };
  const subs = new Map((first.subresources ?? []).map((s) => [s.subresource, s]));
  for (const s of other.subresources ?? []) if (!subs.has(s.subresource)) subs.set(s.subresource, s);
  if (subs.size > 0) merged.subresources = [...subs.values()].sort((a, b) => (a.subresource < b.subresource ? -1 : a.subresource > b.subresource ? 1 : 0));
  return merged;
}

function ordered<T>(byName: Map<string, T>, lists: string[][]): T[] {
  return mergePreservingRelativeOrder(lists.filter((l) => l.length > 0)).map((n) => byName.get(n)!).filter((x) => x !== undefined);
}

/** Merge the named groups of several servers, given in the order to process them. */
export function mergeGroups(servers: APIGroupDiscovery[][]): APIGroupDiscovery[] {
  const groups = new Map<string, { meta: APIGroupDiscovery['metadata']; versions: Map<string, { freshness: APIVersionDiscovery['freshness']; resources: Map<string, APIResourceDiscovery>; orders: string[][] }>; orders: string[][] }>();
  for (const list of servers) {
    for (const g of list) {
      const name = g.metadata.name;
      let group = groups.get(name);
      if (!group) {
        group = { meta: g.metadata, versions: new Map(), orders: [] };
        groups.set(name, group);
      }
      group.orders.push(g.versions.map((v) => v.version));
      for (const v of g.versions) {
        let version = group.versions.get(v.version);
        if (!version) {
          version = { freshness: v.freshness, resources: new Map(), orders: [] };
          group.versions.set(v.version, version);
        }
        version.orders.push(v.resources.map((r) => r.resource));
        for (const r of v.resources) {
          const seen = version.resources.get(r.resource);
          version.resources.set(r.resource, seen ? mergeResource(seen, r) : r);
        }
      }
    }
  }
  const groupOrder = mergePreservingRelativeOrder(servers.map((list) => list.map((g) => g.metadata.name)).filter((l) => l.length > 0));
  return groupOrder.map((name) => {
    const group = groups.get(name)!;
    const versions = new Map(
      [...group.versions.entries()].map(([v, data]) => [v, { version: v, resources: ordered(data.resources, data.orders), freshness: data.freshness } as APIVersionDiscovery]),
    );
    return { metadata: group.meta, versions: ordered(versions, group.orders) };
  });
}

/** What the merged endpoint needs. */
export interface MergedDiscoveryDeps {
  id: string;
  docs: DiscoveryDocs;
  peers: () => ReadonlyMap<string, PeerDiscovery>;
  /** The cache and nopeer counters (registered by the caller, per the minor's rule). */
  metrics: PeerDiscoveryMetrics;
}

/** Peer-aggregated `/apis` of one server, cached until the peer cache changes. */
export class MergedDiscovery {
  private cached: { text: string; etag: string } | undefined;
  private readonly hits: Counter<string>;
  private readonly misses: Counter<string>;
  private readonly nopeer: Counter<string>;

  constructor(private readonly deps: MergedDiscoveryDeps) {
    this.hits = deps.metrics.hits;
    this.misses = deps.metrics.misses;
    this.nopeer = deps.metrics.nopeer;
  }

  /** Drop the cached document (the peer cache changed). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** The merged document, serialised, and its ETag. */
  document(): { text: string; etag: string } {
    if (this.cached) {
      this.hits.inc();
      return this.cached;
    }
    this.misses.inc();
    const local = this.deps.docs.aggregated('apis', 'v2');
    const peers = this.deps.peers();
    let items: APIGroupDiscovery[];
    if (peers.size === 0) items = local.items;
    else {
      const servers = new Map<string, APIGroupDiscovery[]>([[this.deps.id, local.items]]);
      for (const [id, entry] of peers) servers.set(id, entry.groups);
      items = mergeGroups([...servers.keys()].sort().map((id) => servers.get(id)!));
    }
    const doc: APIGroupDiscoveryList = { ...local, items };
    this.cached = { text: `${JSON.stringify(doc)}\n`, etag: discoveryETag(items) };
    return this.cached;
  }

  /** The hook that answers aggregated `/apis` v2. */
  hook(): AggregatedApisHook {
    return async (ctx: RequestContext, choice) => {
      if (choice.version !== 'v2') return false;
      if (choice.noPeer) {
        this.nopeer.inc();
        return false;
      }
      const { text, etag } = this.document();
      const headers = { etag, vary: 'Accept', 'cache-control': 'public' };
      if (ctx.req.headers['if-none-match'] === etag) {
        await writeRaw(ctx, 304, '', aggregatedContentType('v2'), headers);
        return true;
      }
      await writeRaw(ctx, 200, text, aggregatedContentType('v2'), headers);
      return true;
    };
  }
}
