/**
 * Discovery documents built from a VersionProfile: aggregated (`apidiscovery.k8s.io` v2 and
 * v2beta1) and legacy (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`), in upstream's
 * field order so documents are byte-stable (peers compare their ETags).
 */
import { createHash } from 'node:crypto';
import type { ServedGroupVersion, VersionProfile } from '../../versions/types.js';

/** One resource of an aggregated discovery version. */
export interface APIResourceDiscovery {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Array<{ subresource: string; responseKind: { group: string; version: string; kind: string }; verbs: string[] }>;
}

/** One version of an aggregated discovery group. */
export interface APIVersionDiscovery {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: 'Current' | 'Stale';
}

/** One group of an aggregated discovery list. */
export interface APIGroupDiscovery {
  metadata: { name: string; creationTimestamp?: null };
  versions: APIVersionDiscovery[];
}

/** `APIGroupDiscoveryList` */
export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

/** Group the profile's served group/versions by group, keeping discovery order. */
export function groupsOf(profile: VersionProfile): Map<string, ServedGroupVersion[]> {
  const groups = new Map<string, ServedGroupVersion[]>();
  for (const gv of profile.groups) {
    const list = groups.get(gv.group) ?? [];
    list.push(gv);
    groups.set(gv.group, list);
  }
  return groups;
}

function resourceDiscovery(gv: ServedGroupVersion, r: ServedGroupVersion['resources'][number]): APIResourceDiscovery {
  const group = r.custom ? gv.group : '';
  const version = r.custom ? gv.version : '';
  const out: APIResourceDiscovery = {
    resource: r.name,
    responseKind: { group, version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singularName,
    verbs: r.custom ? [...r.verbs] : [...r.verbs].sort(),
  };
  if (r.shortNames?.length) out.shortNames = r.shortNames;
  if (r.categories?.length) out.categories = r.categories;
  if (r.subresources?.length) {
    out.subresources = [...r.subresources]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((s) => ({
        subresource: s.name,
        responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind },
        verbs: [...s.verbs].sort(),
      }));
  }
  return out;
}

/**
 * The aggregated discovery list for `/api` (core only) or `/apis` (every named group), for
 * `apiVersion` `apidiscovery.k8s.io/v2` or `…/v2beta1`. `withCreationTimestamp` reproduces the
 * `creationTimestamp: null` that minors before 1.34 print in each group's metadata.
 */
export function aggregatedDiscovery(profile: VersionProfile, which: 'api' | 'apis', apiVersion: string, withCreationTimestamp: boolean): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] = [];
  for (const [group, gvs] of groupsOf(profile)) {
    if ((which === 'api') !== (group === '')) continue;
    const metadata: APIGroupDiscovery['metadata'] = withCreationTimestamp ? { name: group, creationTimestamp: null } : { name: group };
    items.push({
      metadata,
      versions: gvs.map((gv) => ({
        version: gv.version,
        resources: [...gv.resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((r) => resourceDiscovery(gv, r)),
        freshness: gv.stale ? ('Stale' as const) : ('Current' as const),
      })),
    });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** Legacy `GET /api`: `APIVersions`. */
export function legacyAPIVersions(profile: VersionProfile, serverAddress: string): Record<string, unknown> {
  const versions = profile.groups.filter((g) => g.group === '').map((g) => g.version);
  return { kind: 'APIVersions', versions, serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** A group of legacy discovery given by name and versions (preferred first), not by served resources. */
export interface LegacyGroup {
  name: string;
  versions: string[];
}

function apiGroupOf(group: LegacyGroup): Record<string, unknown> {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

function apiGroup(group: string, gvs: ServedGroupVersion[]): Record<string, unknown> {
  return apiGroupOf({ name: group, versions: gvs.map((gv) => gv.version) });
}

/** Legacy `GET /apis` (`APIGroupList`) of the given groups, in their order. */
export function legacyAPIGroupListOf(groups: LegacyGroup[]): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroupOf) };
}

/** Legacy `GET /apis/<group>` (`APIGroup`) of one given group. */
export function legacyAPIGroupOf(group: LegacyGroup): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupOf(group) };
}

/** Legacy `GET /apis`: `APIGroupList`. */
export function legacyAPIGroupList(profile: VersionProfile): Record<string, unknown> {
  const groups: Record<string, unknown>[] = [];
  for (const [group, gvs] of groupsOf(profile)) if (group !== '') groups.push(apiGroup(group, gvs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** Legacy `GET /apis/<group>`: `APIGroup`, or undefined when the group is not served. */
export function legacyAPIGroup(profile: VersionProfile, group: string): Record<string, unknown> | undefined {
  const gvs = groupsOf(profile).get(group);
  if (!gvs || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, gvs) };
}

/** Upstream's storageVersionHash: base64 of the first 8 bytes of SHA-256 over `group/version/kind`. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** Legacy `GET /api/v1` or `/apis/<g>/<v>`: `APIResourceList`, or undefined when not served. */
export function legacyAPIResourceList(profile: VersionProfile, group: string, version: string): Record<string, unknown> | undefined {
  const gv = profile.groups.find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const preferred = groupsOf(profile).get(group)?.[0]?.version ?? version;
  const resources: Record<string, unknown>[] = [];
  for (const r of [...gv.resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const entry: Record<string, unknown> = {
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames?.length) entry.shortNames = r.shortNames;
    if (r.categories?.length) entry.categories = r.categories;
    if (r.verbs.includes('create') || r.verbs.includes('list')) entry.storageVersionHash = storageVersionHash(group, r.storageVersion ?? preferred, r.kind);
    resources.push(entry);
    for (const s of [...(r.subresources ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const sub: Record<string, unknown> = { name: `${r.name}/${s.name}`, singularName: '', namespaced: r.namespaced };
      if (s.group !== undefined) sub.group = s.group;
      if (s.version !== undefined) sub.version = s.version;
      sub.kind = s.kind;
      sub.verbs = s.verbs;
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv.groupVersion, resources };
}
