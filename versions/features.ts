/**
 * Feature gates as data, versioned like upstream's `featuregate.VersionedSpecs`, and kube-apiserver's
 * `--feature-gates` parsing (k8s.io/component-base/featuregate/feature_gate.go) with its exact
 * error texts.
 *
 * The table holds the gates the simulated control plane cares about, not the ~300 gates a real
 * kube-apiserver registers (kubelet, scheduler, …): a gate missing here is reported as
 * "unrecognized feature gate" by kube-skew although kube-apiserver would accept it. Add a row
 * (from pkg/features/kube_features.go and staging/src/k8s.io/apiserver/pkg/features/kube_features.go)
 * when a scenario needs one.
 */
import { ProfileError, aggregateMessage } from './errors.js';
import { goParseBoolError, parseGoBool } from './go-bool.js';
import { minorNumberOf, normalizeMinor } from './manifest.js';
import type { FeatureGateSpec, FeatureStage } from './types.js';

/** One step of a gate's history: from minor `since` on, the gate has this stage and default. */
export interface VersionedFeatureSpec {
  /** `major.minor` from which this spec applies (upstream's `Version`). */
  since: string;
  stage: FeatureStage;
  default: boolean;
  lockToDefault?: boolean;
}

/** A gate's whole history as kube-skew knows it. */
export interface FeatureGateHistory {
  /** Specs in increasing `since` order; the last one at or below a minor applies. */
  specs: readonly VersionedFeatureSpec[];
  /** First minor whose binary registers the gate, when later than `specs[0].since`. */
  introducedIn?: string;
  /** First minor whose binary no longer registers the gate. */
  removedIn?: string;
}

/** The pseudo-gate that sets every alpha gate not set explicitly. */
export const ALL_ALPHA = 'AllAlpha';
/** The pseudo-gate that sets every beta gate not set explicitly. */
export const ALL_BETA = 'AllBeta';

const A = 'ALPHA' as const;
const B = 'BETA' as const;
const GA = 'GA' as const;
const D = 'DEPRECATED' as const;

/**
 * The gate table. Sources: versioned specs in staging/src/k8s.io/apiserver/pkg/features/
 * kube_features.go (1.33 and 1.35-cycle states) and pkg/features versioned lists (early 1.33 and
 * 1.36 cycle), the unversioned 1.27 and 1.31-cycle files, and the kubernetes/website feature-gate
 * pages (stages with from/to versions and `removed`).
 */
export const FEATURE_GATES: Readonly<Record<string, FeatureGateHistory>> = Object.freeze({
  [ALL_ALPHA]: { specs: [{ since: '0.0', stage: A, default: false }] },
  [ALL_BETA]: { specs: [{ since: '0.0', stage: B, default: false }] },
  AdmissionWebhookMatchConditions: {
    specs: [
      { since: '1.27', stage: A, default: false },
      { since: '1.28', stage: B, default: true },
      { since: '1.30', stage: GA, default: true, lockToDefault: true },
    ],
    // Listed in the early 1.33-cycle pkg/features list, gone from the 1.33 apiserver list.
    removedIn: '1.33',
  },
  AggregatedDiscoveryEndpoint: {
    specs: [
      { since: '1.26', stage: A, default: false },
      { since: '1.27', stage: B, default: true },
      { since: '1.30', stage: GA, default: true, lockToDefault: true },
    ],
    removedIn: '1.33',
  },
  // The bitmap dual write of MultiCIDRServiceAllocator servers (pkg/features versioned specs of the
  // 1.36 cycle): alpha 1.31, beta (off) 1.33, GA and on 1.34, locked 1.35.
  DisableAllocatorDualWrite: {
    specs: [
      { since: '1.31', stage: A, default: false },
      { since: '1.33', stage: B, default: false },
      { since: '1.34', stage: GA, default: true },
      { since: '1.35', stage: GA, default: true, lockToDefault: true },
    ],
  },
  AggregatedDiscoveryRemoveBetaType: {
    specs: [
      { since: '1.0', stage: GA, default: false },
      { since: '1.33', stage: D, default: true },
      { since: '1.35', stage: D, default: true, lockToDefault: true },
    ],
    // Added by PR #130347 in 1.33; the 1.0 spec only describes the behaviour of older releases.
    introducedIn: '1.33',
  },
  AnonymousAuthConfigurableEndpoints: {
    specs: [
      { since: '1.31', stage: A, default: false },
      { since: '1.32', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  CRDValidationRatcheting: {
    specs: [
      { since: '1.28', stage: A, default: false },
      { since: '1.30', stage: B, default: true },
      { since: '1.33', stage: GA, default: true, lockToDefault: true },
    ],
  },
  // apiextensions-apiserver's gate, relisted in pkg/features' versioned specs.
  CustomResourceFieldSelectors: {
    specs: [
      { since: '1.30', stage: A, default: false },
      { since: '1.31', stage: B, default: true },
      { since: '1.32', stage: GA, default: true, lockToDefault: true },
    ],
  },
  APIPriorityAndFairness: {
    specs: [
      { since: '1.18', stage: A, default: false },
      { since: '1.20', stage: B, default: true },
      { since: '1.29', stage: GA, default: true, lockToDefault: true },
    ],
    removedIn: '1.31',
  },
  APIResponseCompression: {
    specs: [
      { since: '1.8', stage: A, default: false },
      { since: '1.16', stage: B, default: true },
    ],
  },
  APIServerIdentity: {
    specs: [
      { since: '1.20', stage: A, default: false },
      { since: '1.26', stage: B, default: true },
    ],
  },
  APIServerTracing: {
    specs: [
      { since: '1.22', stage: A, default: false },
      { since: '1.27', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  AuthorizeWithSelectors: {
    specs: [
      { since: '1.31', stage: A, default: false },
      { since: '1.32', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  ConsistentListFromCache: {
    specs: [
      { since: '1.28', stage: A, default: false },
      { since: '1.31', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  // kube-scheduler's versioned specs, registered by kube-apiserver too (1.37-cycle pkg/features
  // file with the scheduler gates): the gate of scheduling.k8s.io compositepodgroups.
  CompositePodGroup: { specs: [{ since: '1.37', stage: A, default: false }] },
  CoordinatedLeaderElection: {
    specs: [
      { since: '1.31', stage: A, default: false },
      { since: '1.33', stage: B, default: false },
    ],
  },
  // The same 1.37-cycle file: the gate of resource.k8s.io devicetaintrules, GA and on in 1.37
  // (not yet locked: "LockToDefault: true in 1.38").
  DRADeviceTaintRules: {
    specs: [
      { since: '1.35', stage: A, default: false },
      { since: '1.36', stage: B, default: false },
      { since: '1.37', stage: GA, default: true },
    ],
  },
  // The gate of lifecycle.k8s.io evictions and evictionrequests (pkg/controlplane apirequirements,
  // 1.37 cycle). Its spec was not read: alpha and off is inferred from the v1alpha1 API it gates,
  // introduced in 1.37 (zz_generated.prerelease-lifecycle.go).
  EvictionRequestAPI: { specs: [{ since: '1.37', stage: A, default: false }] },
  // The gate of scheduling.k8s.io workloads and podgroups (1.37-cycle versioned specs).
  GenericWorkload: {
    specs: [
      { since: '1.35', stage: A, default: false },
      { since: '1.37', stage: B, default: false },
    ],
  },
  KMSv1: {
    specs: [
      { since: '1.0', stage: GA, default: true },
      { since: '1.28', stage: D, default: true },
      { since: '1.29', stage: D, default: false },
    ],
    introducedIn: '1.28',
  },
  // KEP-1880. pkg/features versioned specs (1.33 and 1.36 cycles): alpha 1.27, beta (off) 1.31,
  // GA and on 1.33, locked 1.34.
  MultiCIDRServiceAllocator: {
    specs: [
      { since: '1.27', stage: A, default: false },
      { since: '1.31', stage: B, default: false },
      { since: '1.33', stage: GA, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  MutatingAdmissionPolicy: {
    specs: [
      // The website: alpha from 1.30 (without effect in 1.30 and 1.31), beta (off) from 1.34.
      { since: '1.30', stage: A, default: false },
      { since: '1.34', stage: B, default: false },
      // Unverified: 1.36 serves admissionregistration.k8s.io/v1 mutatingadmissionpolicies by
      // default (k8s-reference), which implies the gate is GA and on; no 1.36 source was read.
      { since: '1.36', stage: GA, default: true },
    ],
  },
  OpenAPIEnums: {
    specs: [
      { since: '1.23', stage: A, default: false },
      { since: '1.24', stage: B, default: true },
    ],
  },
  RemainingItemCount: {
    specs: [
      { since: '1.15', stage: A, default: false },
      { since: '1.16', stage: B, default: true },
      { since: '1.29', stage: GA, default: true, lockToDefault: true },
    ],
    removedIn: '1.33',
  },
  RetryGenerateName: {
    specs: [
      { since: '1.30', stage: A, default: false },
      { since: '1.31', stage: B, default: true },
      { since: '1.32', stage: GA, default: true, lockToDefault: true },
    ],
  },
  ServerSideApply: {
    specs: [
      { since: '1.14', stage: A, default: false },
      { since: '1.16', stage: B, default: true },
      { since: '1.22', stage: GA, default: true, lockToDefault: true },
    ],
    // Website: stable until 1.31, then removed.
    removedIn: '1.32',
  },
  // KEP-4193 (bound service account token improvements). Website feature-gate pages: JTI alpha 1.29,
  // beta 1.30, GA 1.32; NodeBinding alpha 1.29, beta 1.31, GA 1.33 (locked). PodNodeInfo and
  // NodeBindingValidation are taken as JTI's (the same KEP stages); their removal release is not known,
  // so they stay registered.
  // KEP-3070 (1.27-cycle list: GA and locked, "remove in 1.28"; beta and on in 1.25).
  ServiceIPStaticSubrange: {
    specs: [
      { since: '1.24', stage: A, default: false },
      { since: '1.25', stage: B, default: true },
      { since: '1.26', stage: GA, default: true, lockToDefault: true },
    ],
    removedIn: '1.28',
  },
  // KEP-3668 (1.27-cycle list: alpha; 1.28: beta and on; 1.30-cycle list: GA in 1.29, "remove in 1.31").
  ServiceNodePortStaticSubrange: {
    specs: [
      { since: '1.27', stage: A, default: false },
      { since: '1.28', stage: B, default: true },
      { since: '1.29', stage: GA, default: true, lockToDefault: true },
    ],
    removedIn: '1.31',
  },
  ServiceAccountTokenJTI: {
    specs: [
      { since: '1.29', stage: A, default: false },
      { since: '1.30', stage: B, default: true },
      { since: '1.32', stage: GA, default: true, lockToDefault: true },
    ],
  },
  ServiceAccountTokenNodeBinding: {
    specs: [
      { since: '1.29', stage: A, default: false },
      { since: '1.31', stage: B, default: true },
      { since: '1.33', stage: GA, default: true, lockToDefault: true },
    ],
  },
  ServiceAccountTokenNodeBindingValidation: {
    specs: [
      { since: '1.29', stage: A, default: false },
      { since: '1.30', stage: B, default: true },
      { since: '1.32', stage: GA, default: true, lockToDefault: true },
    ],
  },
  ServiceAccountTokenPodNodeInfo: {
    specs: [
      { since: '1.29', stage: A, default: false },
      { since: '1.30', stage: B, default: true },
      { since: '1.32', stage: GA, default: true, lockToDefault: true },
    ],
  },
  // Pod validation (server/registry/kinds/pod-spec.ts): a 0 s sleep lifecycle hook.
  PodLifecycleSleepActionAllowZero: {
    specs: [
      { since: '1.32', stage: A, default: false },
      { since: '1.33', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  // Pod validation: containers' securityContext.procMount (dropped where off).
  ProcMountType: {
    specs: [
      { since: '1.12', stage: A, default: false },
      { since: '1.31', stage: B, default: false },
      { since: '1.33', stage: B, default: true },
    ],
  },
  // Pod validation: pod and container securityContext.appArmorProfile (dropped where off).
  AppArmorFields: {
    specs: [
      { since: '1.30', stage: B, default: true },
      { since: '1.31', stage: GA, default: true, lockToDefault: true },
    ],
    removedIn: '1.33',
  },
  // Pod validation: the sleep lifecycle handler (dropped where off).
  PodLifecycleSleepAction: {
    specs: [
      { since: '1.29', stage: A, default: false },
      { since: '1.30', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  // Pod validation: dnsConfig.searches may hold '_' and be '.'.
  RelaxedDNSSearchValidation: {
    specs: [
      { since: '1.32', stage: A, default: false },
      { since: '1.33', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  // Pod validation: env names and envFrom prefixes of any printable ASCII but '='.
  RelaxedEnvironmentVariableValidation: {
    specs: [
      { since: '1.30', stage: A, default: false },
      { since: '1.32', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  // Pod validation: init containers with restartPolicy Always. Upstream marks it "GA in 1.33, remove
  // in" a later release; its removal is not recorded here (not confirmed), so 1.36 still lists it.
  SidecarContainers: {
    specs: [
      { since: '1.28', stage: A, default: false },
      { since: '1.29', stage: B, default: true },
      { since: '1.33', stage: GA, default: true, lockToDefault: true },
    ],
  },
  StorageVersionAPI: { specs: [{ since: '1.20', stage: A, default: false }] },
  StorageVersionHash: {
    specs: [
      { since: '1.14', stage: A, default: false },
      { since: '1.15', stage: B, default: true },
    ],
  },
  StructuredAuthenticationConfiguration: {
    specs: [
      { since: '1.29', stage: A, default: false },
      { since: '1.30', stage: B, default: true },
      { since: '1.34', stage: GA, default: true, lockToDefault: true },
    ],
  },
  StructuredAuthorizationConfiguration: {
    specs: [
      { since: '1.29', stage: A, default: false },
      { since: '1.30', stage: B, default: true },
      { since: '1.32', stage: GA, default: true, lockToDefault: true },
    ],
  },
  UnauthenticatedHTTP2DOSMitigation: {
    specs: [
      { since: '1.25', stage: B, default: false },
      { since: '1.29', stage: B, default: true },
    ],
    // New in 1.29; the 1.25–1.28 spec describes patch releases that got the backport, not x.y.0.
    introducedIn: '1.29',
  },
  // Still beta in 1.37: no newer spec is known (the 1.37 apiserver kube_features.go was not read
  // at a 1.37 commit; the 1.37 changelog to alpha.1 does not mention the gate).
  UnknownVersionInteroperabilityProxy: {
    specs: [
      { since: '1.28', stage: A, default: false },
      { since: '1.36', stage: B, default: true },
    ],
  },
  ValidatingAdmissionPolicy: {
    specs: [
      { since: '1.26', stage: A, default: false },
      { since: '1.28', stage: B, default: false },
      { since: '1.30', stage: GA, default: true, lockToDefault: true },
    ],
    // The 1.31-cycle source says "the feature gate can be removed in 1.32"; absent from the early
    // 1.33 list. Removal in exactly 1.32 is unverified.
    removedIn: '1.32',
  },
  WatchList: {
    specs: [
      { since: '1.27', stage: A, default: false },
      { since: '1.32', stage: B, default: true },
      { since: '1.33', stage: B, default: false },
      { since: '1.34', stage: B, default: true },
    ],
  },
});

/** Compares two `major.minor` strings numerically. */
function compareMinor(a: string, b: string): number {
  const [amaj = 0, amin = 0] = a.split('.').map(Number);
  const [bmaj = 0, bmin = 0] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

/** Returns the spec of a gate at a minor, or undefined when that minor's binary does not know it. */
function specAt(name: string, history: FeatureGateHistory, minor: string): FeatureGateSpec | undefined {
  const first = history.introducedIn ?? history.specs[0]?.since;
  if (first === undefined || compareMinor(minor, first) < 0) return undefined;
  if (history.removedIn !== undefined && compareMinor(minor, history.removedIn) >= 0) return undefined;
  let current: VersionedFeatureSpec | undefined;
  for (const spec of history.specs) if (compareMinor(spec.since, minor) <= 0) current = spec;
  if (!current) return undefined;
  return { name, stage: current.stage, default: current.default, lockToDefault: current.lockToDefault ?? false };
}

/**
 * Whether a gate's behaviour is on at a minor with the effective gate values `gates`: the value
 * when the minor registers the gate; once the gate has been removed, its last default (a
 * graduated gate's behaviour stays); before it was introduced, off.
 */
export function featureEnabled(gates: ReadonlyMap<string, boolean>, name: string, minor: string): boolean {
  const value = gates.get(name);
  if (value !== undefined) return value;
  const history = FEATURE_GATES[name];
  if (!history?.removedIn || compareMinor(normalizeMinor(minor), history.removedIn) < 0) return false;
  return history.specs[history.specs.length - 1]!.default;
}

/**
 * Returns every gate the minor's kube-apiserver registers (from the table above), by name in
 * alphabetical order, with the stage, default and lock that apply at that minor.
 */
export function gatesFor(minor: string): Map<string, FeatureGateSpec> {
  const canonical = normalizeMinor(minor);
  const gates = new Map<string, FeatureGateSpec>();
  for (const name of Object.keys(FEATURE_GATES).sort()) {
    const spec = specAt(name, FEATURE_GATES[name] as FeatureGateHistory, canonical);
    if (spec) gates.set(name, spec);
  }
  return gates;
}

/** The outcome of a successful `--feature-gates` parse. */
export interface FeatureGateSettings {
  /** Every known gate with its effective value, in alphabetical order. */
  values: Map<string, boolean>;
  /** The gates named in the flag, with the value given (last one wins). */
  explicit: Map<string, boolean>;
  /** The warnings kube-apiserver logs for the flag (setting GA or deprecated gates). */
  warnings: string[];
}

/*
 * From 1.31 (KEP-4330) kube-apiserver registers --feature-gates through the component-base
 * ComponentGlobalsRegistry: values may carry a component prefix ("kube:Gate=true"), they are parsed
 * after flag parsing (so pflag no longer wraps the error), and the featuregate code collects all
 * "locked" errors instead of stopping at the first.
 */
const REGISTRY_FLAG_SINCE = 31;
const KUBE_COMPONENT = 'kube';

/** Splits `kube:`-prefixed entries the way the 1.31+ registry does; returns the unprefixed value. */
function stripComponentPrefixes(value: string): string {
  const byComponent = new Map<string, string[]>();
  for (const part of value.split(',')) {
    if (part.length === 0) continue;
    const colon = part.indexOf(':');
    const equals = part.indexOf('=');
    const prefixed = colon >= 0 && (equals < 0 || colon < equals);
    const component = prefixed ? part.slice(0, colon).trim() : '';
    const entry = prefixed ? part.slice(colon + 1) : part;
    byComponent.set(component, [...(byComponent.get(component) ?? []), entry]);
  }
  if (byComponent.has('') && byComponent.has(KUBE_COMPONENT)) {
    throw new Error('set kube feature gates with default empty prefix or kube: prefix consistently, do not mix use');
  }
  for (const component of byComponent.keys()) {
    if (component !== '' && component !== KUBE_COMPONENT) throw new Error(`component not registered: ${component}`);
  }
  return [...byComponent.values()].flat().join(',');
}

/** Parses `k=v,k2=v2` as featuregate.Set does; throws with upstream's text on a malformed entry. */
function parsePairs(value: string): Map<string, boolean> {
  const pairs = new Map<string, boolean>();
  for (const part of value.split(',')) {
    if (part.length === 0) continue;
    const equals = part.indexOf('=');
    const key = (equals < 0 ? part : part.slice(0, equals)).trim();
    if (equals < 0) throw new Error(`missing bool value for ${key}`);
    const raw = part.slice(equals + 1).trim();
    const parsed = parseGoBool(raw);
    if (parsed === undefined) throw new Error(`invalid value of ${key}=${raw}, err: ${goParseBoolError(raw)}`);
    pairs.delete(key);
    pairs.set(key, parsed);
  }
  return pairs;
}

/** Applies AllAlpha/AllBeta: sets every gate of that stage that the flag does not name. */
function applyPseudoGates(values: Map<string, boolean>, gates: Map<string, FeatureGateSpec>, explicit: Map<string, boolean>): void {
  for (const [pseudo, stage] of [[ALL_ALPHA, 'ALPHA'], [ALL_BETA, 'BETA']] as const) {
    const value = explicit.get(pseudo);
    if (value === undefined) continue;
    for (const spec of gates.values()) {
      if (spec.name === ALL_ALPHA || spec.name === ALL_BETA || explicit.has(spec.name)) continue;
      if (spec.stage === stage) values.set(spec.name, value);
    }
  }
}

/**
 * Parses a `--feature-gates` value for a minor as kube-apiserver does and returns the effective
 * value of every known gate. Throws ProfileError `ERR_FEATURE_GATES` with upstream's message:
 * `missing bool value for X`, `invalid value of X=v, err: strconv.ParseBool: …`,
 * `unrecognized feature gate: X`, `cannot set feature gate X to v, feature is locked to d`
 * (up to 1.30 the first error, wrapped by pflag as `invalid argument "…" for "--feature-gates"
 * flag: …`; from 1.31 unwrapped, locked errors aggregated as `[a, b]`). AllAlpha/AllBeta set every
 * alpha/beta gate that the flag does not name; explicit entries always win.
 */
export function parseFeatureGates(flagValue: string | undefined, minor: string): FeatureGateSettings {
  const canonical = normalizeMinor(minor);
  const gates = gatesFor(canonical);
  const viaRegistry = minorNumberOf(canonical) >= REGISTRY_FLAG_SINCE;
  const fail = (messages: string[]): never => {
    const inner = aggregateMessage(messages);
    const message = viaRegistry ? inner : `invalid argument ${JSON.stringify(flagValue)} for "--feature-gates" flag: ${inner}`;
    throw new ProfileError('ERR_FEATURE_GATES', message, { flag: 'feature-gates', details: messages });
  };

  let explicit = new Map<string, boolean>();
  if (flagValue !== undefined && flagValue !== '') {
    try {
      explicit = parsePairs(viaRegistry ? stripComponentPrefixes(flagValue) : flagValue);
    } catch (err) {
      fail([(err as Error).message]);
    }
  }

  const errors: string[] = [];
  const warnings: string[] = [];
  for (const [name, value] of explicit) {
    const spec = gates.get(name);
    if (!spec) {
      errors.push(`unrecognized feature gate: ${name}`);
      break;
    }
    if (spec.lockToDefault && spec.default !== value) {
      errors.push(`cannot set feature gate ${name} to ${value}, feature is locked to ${spec.default}`);
      if (viaRegistry) continue;
      break;
    }
    if (spec.stage === 'DEPRECATED') warnings.push(`Setting deprecated feature gate ${name}=${value}. It will be removed in a future release.`);
    else if (spec.stage === 'GA') warnings.push(`Setting GA feature gate ${name}=${value}. It will be removed in a future release.`);
  }
  if (errors.length > 0) fail(errors);

  const values = new Map<string, boolean>();
  for (const spec of gates.values()) values.set(spec.name, spec.default);
  applyPseudoGates(values, gates, explicit);
  for (const [name, value] of explicit) values.set(name, value);
  return { values, explicit, warnings };
}
