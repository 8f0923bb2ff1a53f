/**
 * Discovery as client-go's discovery client does it: aggregated discovery (apidiscovery.k8s.io v2,
 * then v2beta1) from `/api` and `/apis` when the server answers with it, the legacy documents
 * (`APIVersions`, `APIGroupList`, then one `APIResourceList` per group/version) otherwise. A
 * group/version that cannot be read (a failed legacy fetch, or an aggregated version marked
 * `Stale`) is reported per group/version in a {@link GroupDiscoveryFailedError}, beside everything
 * that was read — `ServerPreferredResources` and `ServerPreferredNamespacedResources` return both,
 * as upstream's do, so a partial failure still yields a partial list.
 */
import { ApiError, gvString, type ApiClient } from './client.js';

/** metav1.APIResource, as far as the controllers use it. */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

/** metav1.APIResourceList */
export interface APIResourceList {
  groupVersion: string;
  resources: APIResource[];
}

/** One group of the server: its versions in the server's order and the preferred one. */
export interface DiscoveredGroup {
  name: string;
  versions: string[];
  preferred: string;
}

/** What discovery found: groups, resources per group/version, and the group/versions that failed. */
export interface DiscoveryResult {
  groups: DiscoveredGroup[];
  resources: Map<string, APIResourceList>;
  failed: Map<string, Error>;
}

/** discovery.ErrGroupDiscoveryFailed: some group/versions could not be read. */
export class GroupDiscoveryFailedError extends Error {
  constructor(readonly groups: Map<string, Error>) {
    super(`unable to retrieve the complete list of server APIs: ${[...groups.entries()].map(([gv, err]) => `${gv}: ${err.message}`).sort().join(', ')}`);
    this.name = 'GroupDiscoveryFailedError';
  }
}

/** client-go's Accept for `/api` and `/apis`: aggregated v2, then v2beta1, then the legacy documents. */
export const DISCOVERY_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface AggregatedList {
  kind?: string;
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      freshness?: string;
      resources?: Array<{ resource: string; singularResource?: string; scope?: string; verbs?: string[]; responseKind?: { kind?: string } }>;
    }>;
  }>;
}

function isAggregated(contentType: string): boolean {
  return contentType.includes('as=APIGroupDiscoveryList');
}

/** Add one aggregated document's groups and resources to `out`. */
function addAggregated(doc: AggregatedList, out: DiscoveryResult): void {
  for (const item of doc.items ?? []) {
    const name = item.metadata?.name ?? '';
    const versions = (item.versions ?? []).map((v) => v.version);
    if (versions.length === 0) continue;
    out.groups.push({ name, versions, preferred: versions[0]! });
    for (const v of item.versions ?? []) {
      const gv = gvString(name, v.version);
      if (v.freshness === 'Stale') {
        out.failed.set(gv, new Error(`stale GroupVersion discovery: ${gv}`));
        continue;
      }
      out.resources.set(gv, {
        groupVersion: gv,
        resources: (v.resources ?? []).map((r) => ({
          name: r.resource,
          singularName: r.singularResource ?? '',
          namespaced: r.scope === 'Namespaced',
          kind: r.responseKind?.kind ?? '',
          verbs: r.verbs ?? [],
        })),
      });
    }
  }
}

/** Fetch one legacy APIResourceList. */
async function fetchLegacy(client: ApiClient, gv: string, path: string, out: DiscoveryResult): Promise<void> {
  try {
    const list = await client.do<{ groupVersion?: string; resources?: Array<{ name: string; singularName?: string; namespaced?: boolean; kind?: string; verbs?: string[] }> }>('GET', path);
    out.resources.set(gv, {
      groupVersion: gv,
      resources: (list?.resources ?? []).map((r) => ({ name: r.name, singularName: r.singularName ?? '', namespaced: r.namespaced === true, kind: r.kind ?? '', verbs: r.verbs ?? [] })),
    });
  } catch (err) {
    out.failed.set(gv, err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * client-go's `GroupsAndMaybeResources`, completed with the per-group/version fetches of the legacy
 * path: every group and version the server lists, the resources of each, and what failed. Rejects
 * only when `/api` or `/apis` itself cannot be read.
 */
export async function discoverAll(client: ApiClient): Promise<DiscoveryResult> {
  const out: DiscoveryResult = { groups: [], resources: new Map(), failed: new Map() };
  const [api, apis] = await Promise.all([client.raw('GET', '/api', { accept: DISCOVERY_ACCEPT }), client.raw('GET', '/apis', { accept: DISCOVERY_ACCEPT })]);
  for (const [res, path] of [[api, '/api'], [apis, '/apis']] as const) {
    if (res.status < 200 || res.status >= 300) {
      // `/apis` answering 404 means a server without named groups, as client-go treats it.
      if (path === '/apis' && res.status === 404) continue;
      throw new ApiError({ kind: 'Status', status: 'Failure', code: res.status, reason: res.status === 404 ? 'NotFound' : res.status === 503 ? 'ServiceUnavailable' : 'InternalError', message: res.text.trim() || `GET ${path} answered ${res.status}` });
    }
  }
  const pending: Array<Promise<void>> = [];
  if (isAggregated(api.contentType)) addAggregated(api.json as AggregatedList, out);
  else {
    const versions = ((api.json as { versions?: string[] } | undefined)?.versions ?? []).filter(Boolean);
    if (versions.length) out.groups.push({ name: '', versions, preferred: versions[0]! });
    for (const v of versions) pending.push(fetchLegacy(client, v, `/api/${v}`, out));
  }
  if (apis.status >= 200 && apis.status < 300) {
    if (isAggregated(apis.contentType)) addAggregated(apis.json as AggregatedList, out);
    else {
      const groups = (apis.json as { groups?: Array<{ name: string; versions?: Array<{ version: string }>; preferredVersion?: { version?: string } }> } | undefined)?.groups ?? [];
      for (const g of groups) {
        const versions = (g.versions ?? []).map((v) => v.version);
        if (versions.length === 0) continue;
        out.groups.push({ name: g.name, versions, preferred: g.preferredVersion?.version ?? versions[0]! });
        for (const v of versions) pending.push(fetchLegacy(client, gvString(g.name, v), `/apis/${g.name}/${v}`, out));
      }
    }
  }
  await Promise.all(pending);
  return out;
}

/**
 * client-go's `ServerPreferredResources`: for every group/resource one APIResourceList entry, in the
 * preferred version when that version has the resource, else the first version listing it.
 * Subresources are left out. Returns the lists and, on a partial failure, the error beside them.
 */
export function preferredResources(found: DiscoveryResult): APIResourceList[] {
  const result: APIResourceList[] = [];
  const lists = new Map<string, APIResourceList>();
  const chosen = new Map<string, { gv: string; resource: APIResource }>();
  for (const group of found.groups) {
    for (const version of group.versions) {
      const gv = gvString(group.name, version);
      const list = found.resources.get(gv);
      if (!list) continue;
      const empty: APIResourceList = { groupVersion: gv, resources: [] };
      lists.set(gv, empty);
      result.push(empty);
      for (const r of list.resources) {
        if (r.name.includes('/')) continue;
        const key = `${group.name}/${r.name}`;
        if (chosen.has(key) && version !== group.preferred) continue;
        chosen.set(key, { gv, resource: r });
      }
    }
  }
  for (const { gv, resource } of chosen.values()) lists.get(gv)!.resources.push(resource);
  return result;
}

/** `ServerPreferredResources`: the preferred lists and, when some group/versions failed, the error. */
export async function serverPreferredResources(client: ApiClient): Promise<{ lists: APIResourceList[]; error?: GroupDiscoveryFailedError }> {
  const found = await discoverAll(client);
  const lists = preferredResources(found);
  return found.failed.size > 0 ? { lists, error: new GroupDiscoveryFailedError(found.failed) } : { lists };
}

/** `ServerPreferredNamespacedResources`: the same, namespaced resources only. */
export async function serverPreferredNamespacedResources(client: ApiClient): Promise<{ lists: APIResourceList[]; error?: GroupDiscoveryFailedError }> {
  const { lists, error } = await serverPreferredResources(client);
  const filtered = lists.map((l) => ({ groupVersion: l.groupVersion, resources: l.resources.filter((r) => r.namespaced) })).filter((l) => l.resources.length > 0);
  return error ? { lists: filtered, error } : { lists: filtered };
}

/** `discovery.FilteredBy(SupportsAllVerbs{verbs})`: keep resources that have every verb; drop empty lists. */
export function withVerbs(lists: APIResourceList[], verbs: string[]): APIResourceList[] {
  return lists.map((l) => ({ groupVersion: l.groupVersion, resources: l.resources.filter((r) => verbs.every((v) => r.verbs.includes(v))) })).filter((l) => l.resources.length > 0);
}

/** `schema.ParseGroupVersion`: `v1` → core; `g/v`; anything else is an error with upstream's text. */
export function parseGroupVersion(gv: string): { group: string; version: string } {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const parts = gv.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  throw new Error(`unexpected GroupVersion string: ${gv}`);
}
