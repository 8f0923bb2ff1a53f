/**
 * The public surface of the version layer: import from here rather than from the files inside.
 */
export { ProfileError, aggregateMessage, type ProfileErrorCode } from './errors.js';
export { MANIFESTS_DIR, NEWEST_MINOR, PREVIOUS_MINOR, SUPPORTED_MINORS, loadManifest, minorNumberOf, normalizeMinor } from './manifest.js';
export {
  aggregatedDiscoveryVersions,
  minorInfo,
  versionDocument,
  type AggregatedDiscoveryRule,
  type BuildInfo,
  type GarbageCollectorFacts,
  type MinorInfo,
  type VersionDocument,
} from './minors.js';
export {
  ALL_ALPHA,
  ALL_BETA,
  FEATURE_GATES,
  gatesFor,
  parseFeatureGates,
  type FeatureGateHistory,
  type FeatureGateSettings,
  type VersionedFeatureSpec,
} from './features.js';
export {
  MATCHER_KEYS,
  ResourceConfig,
  applyRuntimeConfig,
  foldLegacyCoreKeys,
  mergeRuntimeConfig,
  parseRuntimeConfigFlag,
  resolveRuntimeConfig,
  validateRuntimeConfig,
  type RuntimeConfigContext,
} from './runtime-config.js';
export { schemeRegistry, type GroupVersionRegistry } from './scheme.js';
export { featureDependencyErrors, loadProfile, servedGroupVersions, type ProfileOptions } from './profile.js';
export { diffProfiles, type GroupVersionDelta, type PreferredVersionChange, type ProfileDiff, type ResourceDelta } from './diff.js';
export { compareVersionPriority, stabilityOf, type ApiStability } from './version-order.js';
export type * from './types.js';
export { NEWEST_CEL_LIBRARIES, celEnvironmentFacts, type CelEnvironmentFacts, type CelLibrary } from './cel.js';
export { AUTOUPDATE_ANNOTATION, BOOTSTRAPPING_LABEL, bootstrapPolicy, type BootstrapPolicy, type PolicyRuleData } from './rbac/bootstrap-policy.js';
