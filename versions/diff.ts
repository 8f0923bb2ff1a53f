/**
 * What a client loses or gains between two profiles (`kube-skew versions diff 1.31 1.32`): served
 * group/versions, resources inside group/versions both serve, and preferred-version changes.
 */
import type { ServedGroupVersion, VersionProfile } from './types.js';

/** A group/version served by only one side, with its resource names. */
export interface GroupVersionDelta {
  groupVersion: string;
  resources: string[];
}

/** A resource served by only one side of a group/version both serve. */
export interface ResourceDelta {
  groupVersion: string;
  resource: string;
}

/** A group whose preferred (first served) version differs; undefined where the group is not served. */
export interface PreferredVersionChange {
  group: string;
  from: string | undefined;
  to: string | undefined;
}

/** The difference from profile `a` to profile `b`; every list is in `b`'s (or `a`'s) discovery order. */
export interface ProfileDiff {
  from: string;
  to: string;
  addedGroupVersions: GroupVersionDelta[];
  removedGroupVersions: GroupVersionDelta[];
  addedResources: ResourceDelta[];
  removedResources: ResourceDelta[];
  preferredVersionChanges: PreferredVersionChange[];
}

function byGroupVersion(profile: Pick<VersionProfile, 'groups'>): Map<string, ServedGroupVersion> {
  return new Map(profile.groups.map((gv) => [gv.groupVersion, gv]));
}

function preferred(profile: Pick<VersionProfile, 'groups'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const gv of profile.groups) if (!out.has(gv.group)) out.set(gv.group, gv.version);
  return out;
}

function resourcesOnlyIn(left: ServedGroupVersion, right: ServedGroupVersion): ResourceDelta[] {
  const names = new Set(right.resources.map((r) => r.name));
  return left.resources.filter((r) => !names.has(r.name)).map((r) => ({ groupVersion: left.groupVersion, resource: r.name }));
}

/**
 * Compares what two profiles serve. Group/versions only `b` serves are added, only `a` serves are
 * removed (with their resources, which are not repeated in the resource lists); resources are
 * compared inside group/versions both serve; a preferred-version change is reported per group.
 */
export function diffProfiles(a: Pick<VersionProfile, 'minor' | 'groups'>, b: Pick<VersionProfile, 'minor' | 'groups'>): ProfileDiff {
  const left = byGroupVersion(a);
  const right = byGroupVersion(b);
  const summary = (gv: ServedGroupVersion): GroupVersionDelta => ({ groupVersion: gv.groupVersion, resources: gv.resources.map((r) => r.name) });

  const addedResources: ResourceDelta[] = [];
  const removedResources: ResourceDelta[] = [];
  for (const gv of b.groups) {
    const before = left.get(gv.groupVersion);
    if (before) addedResources.push(...resourcesOnlyIn(gv, before));
  }
  for (const gv of a.groups) {
    const after = right.get(gv.groupVersion);
    if (after) removedResources.push(...resourcesOnlyIn(gv, after));
  }

  const prefA = preferred(a);
  const prefB = preferred(b);
  const groups = [...new Set([...prefA.keys(), ...prefB.keys()])];
  const preferredVersionChanges = groups
    .filter((g) => prefA.get(g) !== prefB.get(g))
    .map((group) => ({ group, from: prefA.get(group), to: prefB.get(group) }));

  return {
    from: a.minor,
    to: b.minor,
    addedGroupVersions: b.groups.filter((gv) => !left.has(gv.groupVersion)).map(summary),
    removedGroupVersions: a.groups.filter((gv) => !right.has(gv.groupVersion)).map(summary),
    addedResources,
    removedResources,
    preferredVersionChanges,
  };
}
