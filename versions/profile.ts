/**
 * Builds the VersionProfile a simulated kube-apiserver runs with: its minor's manifest after
 * `--runtime-config`, its feature gates after `--feature-gates`, and the per-minor behaviours.
 */
import { ProfileError, aggregateMessage } from './errors.js';
import { gatesFor, parseFeatureGates } from './features.js';
import { loadManifest, normalizeMinor } from './manifest.js';
import { aggregatedDiscoveryVersions, minorInfo, type MinorInfo } from './minors.js';
import {
  applyRuntimeConfig,
  foldLegacyCoreKeys,
  parseRuntimeConfigFlag,
  validateRuntimeConfig,
  type ResourceConfig,
} from './runtime-config.js';
import { schemeRegistry } from './scheme.js';
import type { ServedGroupVersion, VersionManifest, VersionProfile } from './types.js';

/** The inputs of loadProfile: a minor and the kube-apiserver flags that shape what it serves. */
export interface ProfileOptions {
  /** `1.32` (also `v1.32`, `1.32.0`). */
  minor: string;
  /** The `--runtime-config` value, e.g. `api/beta=true,batch/v1=false`. */
  runtimeConfig?: string;
  /** The `--feature-gates` value, e.g. `UnknownVersionInteroperabilityProxy=true`. */
  featureGates?: string;
  /** `--enable-priority-and-fairness` (kube-apiserver default: true). */
  enablePriorityAndFairness?: boolean;
}

/**
 * Returns the startup errors kube-apiserver derives from gate combinations alone. 1.28–1.32 (the
 * StorageVersion MVP) refuse UnknownVersionInteroperabilityProxy without StorageVersionAPI
 * (pkg/controlplane/apiserver/options/validation.go, 1.31-era copy). From 1.33 the proxy routes by
 * discovery and kube-skew assumes the check is gone (not confirmed from a 1.33+ source).
 */
export function featureDependencyErrors(info: MinorInfo, gates: ReadonlyMap<string, boolean>): string[] {
  if (info.mvpGeneration !== 'storage-version') return [];
  if (gates.get('UnknownVersionInteroperabilityProxy') === true && gates.get('StorageVersionAPI') !== true) {
    return ['UnknownVersionInteroperabilityProxy feature requires StorageVersionAPI feature flag to be enabled'];
  }
  return [];
}

/**
 * Lists what a resource config serves, in discovery order: groups in manifest order, each group's
 * versions in preference order (so its preferred served version comes first), each with only its
 * enabled resources; a group/version with no enabled resource is not served.
 */
export function servedGroupVersions(manifest: VersionManifest, config: ResourceConfig): ServedGroupVersion[] {
  const served: ServedGroupVersion[] = [];
  for (const g of manifest.groups) {
    for (const v of g.versions) {
      const resources = v.resources.filter((r) => config.resourceEnabled(g.group, v.version, r.name));
      if (resources.length === 0) continue;
      served.push({
        group: g.group,
        version: v.version,
        groupVersion: g.group === '' ? v.version : `${g.group}/${v.version}`,
        stability: v.stability,
        resources,
      });
    }
  }
  return served;
}

/**
 * Builds the VersionProfile of one kube-apiserver from its minor and flags. Validation follows
 * kube-apiserver's startup order: `--feature-gates` first, then option validation (the
 * `--runtime-config` checks and the gate-dependency check, reported together as `[a, b]` when
 * several fail), then the merge of `--runtime-config`. Throws ProfileError with a stable `code`
 * and kube-apiserver's message.
 */
export function loadProfile(options: ProfileOptions): VersionProfile {
  const minor = normalizeMinor(options.minor);
  const info = minorInfo(minor);
  const manifest = loadManifest(minor);
  const registry = schemeRegistry(minor);
  const gates = parseFeatureGates(options.featureGates, minor);

  const overrides = foldLegacyCoreKeys(parseRuntimeConfigFlag(options.runtimeConfig));
  const configProblems = validateRuntimeConfig(overrides, {
    minor,
    registry,
    gates: gates.values,
    enablePriorityAndFairness: options.enablePriorityAndFairness ?? true,
  });
  const problems = [...configProblems, ...featureDependencyErrors(info, gates.values)];
  if (problems.length > 0) {
    const [code, flag] = configProblems.length > 0 ? (['ERR_RUNTIME_CONFIG', 'runtime-config'] as const) : (['ERR_FEATURE_DEPENDENCY', 'feature-gates'] as const);
    throw new ProfileError(code, aggregateMessage(problems), { flag, details: problems });
  }
  const config = applyRuntimeConfig(manifest, overrides, registry);

  return {
    minor,
    major: info.major,
    minorNumber: info.minorNumber,
    gitVersion: info.gitVersion,
    groups: servedGroupVersions(manifest, config),
    featureGates: gates.values,
    featureSpecs: gatesFor(minor),
    mvpGeneration: info.mvpGeneration,
    mvp: info.mvp,
    aggregatedDiscoveryVersions: aggregatedDiscoveryVersions(minor, gates.values),
    peerAggregatedDiscovery: info.peerAggregatedDiscovery,
  };
}
