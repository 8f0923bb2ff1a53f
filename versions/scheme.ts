/**
 * Which group/versions a minor's kube-apiserver has registered in its scheme. `--runtime-config`
 * is checked against the scheme, not against what is served: upstream keeps the Go types of a
 * removed beta or GA version registered for releases after it stops serving it, so a stale
 * `flowcontrol.apiserver.k8s.io/v1beta3=true` is accepted by 1.32 and simply serves nothing.
 *
 * kube-skew approximates the scheme as: every version the minor's manifest lists, plus every
 * non-alpha version an earlier supported minor served (alpha types are usually deleted with the
 * version), plus the beta versions removed in 1.25 itself (deprecation guide), minus the autoscaling
 * v2beta1/v2beta2 types that were deleted in 1.36 (k8s-reference INDEX).
 */
import { SUPPORTED_MINORS, loadManifest, normalizeMinor } from './manifest.js';
import { stabilityOf } from './version-order.js';

/** The registry questions `--runtime-config` handling asks (upstream's GroupVersionRegistry). */
export interface GroupVersionRegistry {
  /** Whether any version of the group is registered. */
  isGroupRegistered(group: string): boolean;
  /** Whether this group/version is registered. */
  isVersionRegistered(group: string, version: string): boolean;
}

/** Served in 1.24, removed in 1.25 (deprecation guide): still registered types in 1.25. */
const REMOVED_IN_1_25: ReadonlyArray<readonly [string, string]> = [
  ['batch', 'v1beta1'],
  ['discovery.k8s.io', 'v1beta1'],
  ['events.k8s.io', 'v1beta1'],
  ['autoscaling', 'v2beta1'],
  ['policy', 'v1beta1'],
  ['node.k8s.io', 'v1beta1'],
];

/** Types deleted from the scheme, with the first minor that no longer has them. */
const DELETED_TYPES: ReadonlyArray<{ group: string; version: string; since: string }> = [
  { group: 'autoscaling', version: 'v2beta1', since: '1.36' },
  { group: 'autoscaling', version: 'v2beta2', since: '1.36' },
];

const cache = new Map<string, GroupVersionRegistry>();

/** Returns the (approximate) scheme registry of a supported minor; cached. */
export function schemeRegistry(minor: string): GroupVersionRegistry {
  const canonical = normalizeMinor(minor);
  const cached = cache.get(canonical);
  if (cached) return cached;

  const versions = new Map<string, Set<string>>();
  const add = (group: string, version: string): void => {
    const set = versions.get(group) ?? new Set<string>();
    set.add(version);
    versions.set(group, set);
  };
  for (const [group, version] of REMOVED_IN_1_25) add(group, version);
  for (const earlier of SUPPORTED_MINORS.slice(0, SUPPORTED_MINORS.indexOf(canonical))) {
    for (const g of loadManifest(earlier).groups) {
      for (const v of g.versions) if (stabilityOf(v.version) !== 'alpha') add(g.group, v.version);
    }
  }
  for (const { group, version, since } of DELETED_TYPES) {
    if (SUPPORTED_MINORS.indexOf(canonical) >= SUPPORTED_MINORS.indexOf(since)) versions.get(group)?.delete(version);
  }
  for (const g of loadManifest(canonical).groups) for (const v of g.versions) add(g.group, v.version);

  const registry: GroupVersionRegistry = {
    isGroupRegistered: (group) => (versions.get(group)?.size ?? 0) > 0,
    isVersionRegistered: (group, version) => versions.get(group)?.has(version) ?? false,
  };
  cache.set(canonical, registry);
  return registry;
}
