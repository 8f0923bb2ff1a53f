/**
 * What a client loses or gains between two profiles (`kube-skew versions diff 1.31 1.32`): served
 * group/versions, resources inside group/versions both serve, and preferred-version changes.
 */
import { deprecationWarning, lifecycleOf } from './deprecations.js';
import { loadManifest } from './manifest.js';
import { loadProfile } from './profile.js';
import type { ResourceManifest, ServedGroupVersion, VersionManifest, VersionProfile } from './types.js';

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

/** How a group/version's availability changes between two minors, as a client with default flags sees it. */
export type GroupVersionChange =
  /** New in the later manifest and on by default. */
  | 'added'
  /** Gone from the later manifest: no flag brings it back. */
  | 'removed'
  /** In both manifests; off by default before, on by default now. */
  | 'enabled-by-default'
  /** In both manifests; on by default before, off now (`--runtime-config=<gv>=true` serves it again). */
  | 'disabled-by-default';

/** One resource in a client-facing diff, with what to use instead when it goes away. */
export interface ResourceChange {
  groupVersion: string;
  resource: string;
  kind: string;
  /** `group/version Kind` to use instead, from the API's lifecycle or the group's remaining versions. */
  replacement?: string;
}

/** A whole group/version that appears or disappears, with its resources. */
export interface GroupVersionChangeEntry {
  groupVersion: string;
  change: GroupVersionChange;
  resources: ResourceChange[];
}

/** A served type whose deprecation began between the two minors. */
export interface DeprecationEntry extends ResourceChange {
  /** `1.33`: the release that deprecated it. */
  deprecatedIn: string;
  /** The release that stops serving it, when one is set. */
  removedIn?: string;
}

/** What a client with default flags gains and loses between two minors (`kube-skew versions diff`). */
export interface MinorDiff {
  from: string;
  to: string;
  groupVersions: GroupVersionChangeEntry[];
  addedResources: ResourceChange[];
  removedResources: ResourceChange[];
  deprecated: DeprecationEntry[];
  preferredVersionChanges: PreferredVersionChange[];
}

const gvText = (group: string, version: string): string => (group ? `${group}/${version}` : version);

function inManifest(manifest: VersionManifest): Set<string> {
  return new Set(manifest.groups.flatMap((g) => g.versions.map((v) => gvText(g.group, v.version))));
}

/**
 * What replaces `kind` of `gv` once it is gone: the lifecycle's replacement where upstream names one,
 * otherwise the same resource in the first version of its group that `to` still serves.
 */
function replacementOf(gv: ServedGroupVersion, resource: ResourceManifest, to: VersionProfile): string | undefined {
  const named = lifecycleOf(gv.group, gv.version, resource.kind)?.replacement;
  if (named) return `${gvText(named.group, named.version)} ${named.kind}`;
  const next = to.groups.find((g) => g.group === gv.group && g.version !== gv.version && g.resources.some((r) => r.name === resource.name));
  const r = next?.resources.find((x) => x.name === resource.name);
  return next && r ? `${next.groupVersion} ${r.kind}` : undefined;
}

function resourceChange(gv: ServedGroupVersion, resource: ResourceManifest, replacementFrom?: VersionProfile): ResourceChange {
  const out: ResourceChange = { groupVersion: gv.groupVersion, resource: resource.name, kind: resource.kind };
  const replacement = replacementFrom && replacementOf(gv, resource, replacementFrom);
  if (replacement) out.replacement = replacement;
  return out;
}

/**
 * The client-facing difference from minor `from` to minor `to` (either direction), both with default
 * flags: group/versions that appear or disappear and whether a flag can bring them back, resources
 * inside group/versions both serve, types whose deprecation began in between (with their removal
 * release and replacement), and preferred-version changes.
 */
export function diffMinors(from: string, to: string): MinorDiff {
  const a = loadProfile({ minor: from });
  const b = loadProfile({ minor: to });
  const aKnows = inManifest(loadManifest(a.minor));
  const bKnows = inManifest(loadManifest(b.minor));
  const aServed = byGroupVersion(a);
  const bServed = byGroupVersion(b);

  const groupVersions: GroupVersionChangeEntry[] = [];
  for (const gv of b.groups) {
    if (aServed.has(gv.groupVersion)) continue;
    groupVersions.push({ groupVersion: gv.groupVersion, change: aKnows.has(gv.groupVersion) ? 'enabled-by-default' : 'added', resources: gv.resources.map((r) => resourceChange(gv, r)) });
  }
  for (const gv of a.groups) {
    if (bServed.has(gv.groupVersion)) continue;
    groupVersions.push({ groupVersion: gv.groupVersion, change: bKnows.has(gv.groupVersion) ? 'disabled-by-default' : 'removed', resources: gv.resources.map((r) => resourceChange(gv, r, b)) });
  }

  const base = diffProfiles(a, b);
  const kindOf = (profile: VersionProfile, d: ResourceDelta): ResourceChange => {
    const gv = byGroupVersion(profile).get(d.groupVersion)!;
    return resourceChange(gv, gv.resources.find((r) => r.name === d.resource)!, profile === a ? b : undefined);
  };

  const deprecated: DeprecationEntry[] = [];
  for (const gv of b.groups) {
    for (const r of gv.resources) {
      const l = lifecycleOf(gv.group, gv.version, r.kind);
      if (!l || deprecationWarning(gv.group, gv.version, r.kind, b.major, b.minorNumber) === undefined) continue;
      if (deprecationWarning(gv.group, gv.version, r.kind, a.major, a.minorNumber) !== undefined) continue;
      const entry: DeprecationEntry = { ...resourceChange(gv, r, b), deprecatedIn: `${l.deprecated[0]}.${l.deprecated[1]}` };
      if (l.removed) entry.removedIn = `${l.removed[0]}.${l.removed[1]}`;
      deprecated.push(entry);
    }
  }

  return {
    from: a.minor,
    to: b.minor,
    groupVersions,
    addedResources: base.addedResources.map((d) => kindOf(b, d)),
    removedResources: base.removedResources.map((d) => kindOf(a, d)),
    deprecated,
    preferredVersionChanges: base.preferredVersionChanges,
  };
}
