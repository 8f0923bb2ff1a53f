/**
 * Loads the per-minor manifests in versions/manifests/ (written by scripts/import-versions.ts):
 * everything each simulated minor can serve. Manifests are read once and cached, deep-frozen.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ProfileError } from './errors.js';
import type { VersionManifest } from './types.js';

/**
 * The directory holding `<minor>.json`, resolved from this module so it works from the sources and
 * from dist/versions/ alike (both sit two levels below the repository root).
 */
export const MANIFESTS_DIR: URL = new URL('../../versions/manifests/', import.meta.url);

/** Orders two canonical `major.minor` strings numerically. */
function byMinor(a: string, b: string): number {
  const [amaj = 0, amin = 0] = a.split('.').map(Number);
  const [bmaj = 0, bmin = 0] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

/**
 * The Kubernetes minors kube-skew simulates, oldest first: one per `<major>.<minor>.json` in
 * versions/manifests/ (what scripts/import-versions.ts wrote), so adding a minor is an importer run
 * plus its per-minor facts, never an edit of a list here.
 */
export const SUPPORTED_MINORS: readonly string[] = Object.freeze(
  readdirSync(MANIFESTS_DIR)
    .map((name) => /^(\d+\.\d+)\.json$/.exec(name)?.[1])
    .filter((minor): minor is string => minor !== undefined)
    .sort(byMinor),
);

/** The newest simulated minor (the last of SUPPORTED_MINORS): every default that means "current". */
export const NEWEST_MINOR: string = SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1]!;

/** The minor before the newest: the "from" side of a default upgrade to NEWEST_MINOR. */
export const PREVIOUS_MINOR: string = SUPPORTED_MINORS[SUPPORTED_MINORS.length - 2]!;

const MINOR_FORMS = /^v?(\d+)\.(\d+)(?:\.\d+)?$/;

/**
 * Returns the canonical `major.minor` of a version string (`1.32`, `v1.32`, `1.32.4`, `v1.32.0`
 * all give `1.32`) and throws ProfileError `ERR_UNSUPPORTED_MINOR`, naming the supported minors,
 * when it is malformed or not simulated.
 */
export function normalizeMinor(input: string): string {
  const match = MINOR_FORMS.exec(input.trim());
  const minor = match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
  if (minor === undefined || !SUPPORTED_MINORS.includes(minor)) {
    throw new ProfileError(
      'ERR_UNSUPPORTED_MINOR',
      `unsupported Kubernetes version "${input}": kube-skew simulates ${SUPPORTED_MINORS.join(', ')}`,
    );
  }
  return minor;
}

/** Returns the minor number of a canonical `1.<n>` minor (`1.32` → 32). */
export function minorNumberOf(minor: string): number {
  return Number(minor.split('.')[1]);
}

const cache = new Map<string, VersionManifest>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Returns the manifest of a minor (any form normalizeMinor accepts), read from
 * versions/manifests/<minor>.json on first use and cached. The result is deep-frozen: callers copy
 * before changing anything. Throws ProfileError `ERR_UNSUPPORTED_MINOR` for a minor kube-skew does
 * not simulate and `ERR_MANIFEST` when the file is missing or belongs to another minor.
 */
export function loadManifest(minor: string): VersionManifest {
  const canonical = normalizeMinor(minor);
  const cached = cache.get(canonical);
  if (cached) return cached;
  const file = new URL(`${canonical}.json`, MANIFESTS_DIR);
  let manifest: VersionManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as VersionManifest;
  } catch (err) {
    throw new ProfileError('ERR_MANIFEST', `cannot read manifest ${file.pathname}: ${(err as Error).message}`);
  }
  if (manifest.minor !== canonical || !Array.isArray(manifest.groups) || manifest.groups[0]?.group !== '') {
    throw new ProfileError('ERR_MANIFEST', `manifest ${file.pathname} is not a manifest of ${canonical}`);
  }
  cache.set(canonical, deepFreeze(manifest));
  return manifest;
}
