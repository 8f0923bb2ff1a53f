/**
 * Discovery as kube-aggregator builds it from APIService objects:
 *
 * - Legacy `/apis` and `/apis/<group>` list only the group/versions that have an APIService
 *   (kube-aggregator's apisHandler and apiGroupHandler read the APIService lister), groups by
 *   descending group priority, versions by descending version priority, apiregistration.k8s.io
 *   always first. A group with no APIService at all is answered by the delegate (the server's
 *   own group document); `/apis/<g>/<v>` without an APIService is the delegate's too. So deleting
 *   the Local APIService of a group/version the server serves drops it from legacy discovery while
 *   its resources are still served (kubernetes/kubernetes#96486).
 * - Aggregated discovery is not built here for Local APIServices: upstream's discovery manager
 *   ignores APIServices without `spec.service`, and the built-in and CRD group/versions reach the
 *   shared aggregated document directly, so they stay listed whatever happens to their APIService.
 * - Remote APIServices: each remote group/version is listed (legacy and aggregated) with the
 *   resources its server last answered; while the APIService is not available it stays listed,
 *   `Stale` in aggregated discovery, and its `/apis/<g>/<v>` is proxied (so answered with the 503),
 *   which is how kubectl comes to print `unable to retrieve the complete list of server APIs`.
 */
import type { ResourceManifest, ServedGroupVersion } from '../../versions/types.js';
import { compareVersionPriority } from '../../versions/version-order.js';
import type { LegacyGroup } from '../endpoints/discovery-docs.js';
import { isAvailable, isLocal, type APIService } from './apiservice.js';
import type { RemoteResources } from './remote-available.js';

/** The aggregator's own group, which legacy `/apis` lists first whatever APIServices exist. */
export const APIREGISTRATION_GROUP: LegacyGroup = { name: 'apiregistration.k8s.io', versions: ['v1'] };

function byGroupPriority(a: APIService, b: APIService): number {
  const d = (b.spec?.groupPriorityMinimum ?? 0) - (a.spec?.groupPriorityMinimum ?? 0);
  if (d !== 0) return d;
  const an = a.metadata?.name ?? '';
  const bn = b.metadata?.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

function byVersionPriority(a: APIService, b: APIService): number {
  const d = (b.spec?.versionPriority ?? 0) - (a.spec?.versionPriority ?? 0);
  return d !== 0 ? d : compareVersionPriority(a.spec?.version ?? '', b.spec?.version ?? '');
}

/**
 * The legacy groups of `/apis` built from APIServices, as upstream's SortedByGroupAndVersion: a
 * group takes the place of its first APIService by descending group priority (then name), its
 * versions go by descending version priority (then kube-aware version order, preferred first). The
 * aggregator's own group comes first; APIServices of the core group (`v1.`) are left out.
 */
export function legacyGroupsFromApiServices(apiServices: APIService[]): LegacyGroup[] {
  const groups = new Map<string, APIService[]>();
  for (const svc of [...apiServices].sort(byGroupPriority)) {
    const group = svc.spec?.group ?? '';
    const list = groups.get(group) ?? [];
    list.push(svc);
    groups.set(group, list);
  }
  const out: LegacyGroup[] = [APIREGISTRATION_GROUP];
  for (const [name, list] of groups) {
    if (name === '') continue;
    out.push({ name, versions: list.sort(byVersionPriority).map((s) => s.spec?.version ?? '') });
  }
  return out;
}

function manifest(r: Record<string, unknown>): ResourceManifest | undefined {
  const name = String(r.name ?? '');
  if (!name || name.includes('/')) return undefined;
  return {
    name,
    singularName: String(r.singularName ?? ''),
    kind: String(r.kind ?? ''),
    namespaced: r.namespaced === true,
    verbs: Array.isArray(r.verbs) ? (r.verbs as string[]) : [],
    ...(Array.isArray(r.shortNames) ? { shortNames: r.shortNames as string[] } : {}),
    ...(Array.isArray(r.categories) ? { categories: r.categories as string[] } : {}),
    enabledByDefault: true,
    custom: true,
  };
}

/**
 * The served group/versions of the remote APIServices, by descending group priority then name.
 * Upstream's discovery manager adds a group/version to aggregated discovery only once it has tried
 * the extension server's discovery: with its resources, or `Stale` and empty when the fetch failed.
 * So an APIService another server already found `Available`, whose discovery this server has not
 * fetched yet, is left out rather than listed current with no resources (a joining server's peers
 * would otherwise cache that empty version, which the 1.35+ peer exclusion cannot filter: it drops a
 * group document's excluded versions only from an entry that lost a resource).
 */
export function remoteGroupVersions(apiServices: APIService[], resources: RemoteResources): ServedGroupVersion[] {
  const remote = apiServices.filter((s) => !isLocal(s) && s.spec?.group && !(isAvailable(s) && !resources.has(s.metadata?.name ?? '')));
  remote.sort((a, b) => (b.spec?.groupPriorityMinimum ?? 0) - (a.spec?.groupPriorityMinimum ?? 0) || (b.spec?.versionPriority ?? 0) - (a.spec?.versionPriority ?? 0));
  return remote.map((s) => {
    const group = s.spec!.group!;
    const version = s.spec!.version ?? '';
    const list = resources.get(s.metadata?.name ?? '') ?? [];
    return {
      group,
      version,
      groupVersion: `${group}/${version}`,
      stability: /alpha/.test(version) ? 'alpha' : /beta/.test(version) ? 'beta' : 'ga',
      resources: list.map(manifest).filter((m): m is ResourceManifest => m !== undefined),
      ...(isAvailable(s) ? {} : { stale: true }),
    };
  });
}
