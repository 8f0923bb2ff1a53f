/**
 * The discovery entries of remote APIServices: each remote group/version is listed in `/apis`
 * (legacy and aggregated) with the resources its server last answered; while the APIService is not
 * available it stays listed, `Stale` in aggregated discovery, and its `/apis/<g>/<v>` is proxied
 * (so answered with the 503), which is how kubectl comes to print
 * `unable to retrieve the complete list of server APIs`.
 */
import type { ResourceManifest, ServedGroupVersion } from '../../versions/types.js';
import { isAvailable, isLocal, type APIService } from './apiservice.js';
import type { RemoteResources } from './remote-available.js';

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

/** The served group/versions of the remote APIServices, by descending group priority then name. */
export function remoteGroupVersions(apiServices: APIService[], resources: RemoteResources): ServedGroupVersion[] {
  const remote = apiServices.filter((s) => !isLocal(s) && s.spec?.group);
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
