/**
 * Per-minor facts that are not API surface: the `/version` document of each release, which
 * aggregated discovery versions it serves, which Mixed Version Proxy it ships and whether it merges
 * `/apis` across peers. Every behaviour difference between minors is a field here, never a
 * comparison of version strings in code.
 */
import { SUPPORTED_MINORS, minorNumberOf, normalizeMinor } from './manifest.js';
import type { MvpFacts, MvpGeneration, VersionProfile } from './types.js';

/** An aggregated discovery version and the gate values under which a minor serves it. */
export interface AggregatedDiscoveryRule {
  /** `v2` or `v2beta1` of `apidiscovery.k8s.io`. */
  version: 'v2' | 'v2beta1';
  /** Served only when every listed gate has the listed value. */
  whenGates?: Readonly<Record<string, boolean>>;
}

/** Build metadata of a release's kube-apiserver binary, as its `/version` reports it. */
export interface BuildInfo {
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
  /** Whether the values were seen in a real `/version` answer of that release's kube-apiserver. */
  verified: boolean;
}

/** Everything kube-skew knows about one minor besides its manifest and feature gates. */
export interface MinorInfo {
  minor: string;
  major: number;
  minorNumber: number;
  /** `v1.<n>.0`: kube-skew simulates the .0 release of each minor. */
  gitVersion: string;
  build: BuildInfo;
  /**
   * Whether `/version` carries emulationMajor/emulationMinor/minCompatibilityMajor/
   * minCompatibilityMinor (apimachinery version.Info gained them in 1.33, KEP-4330, PR #130019).
   */
  reportsCompatibilityVersion: boolean;
  /** Aggregated discovery versions this minor can serve, preferred first, with their gate conditions. */
  aggregatedDiscovery: readonly AggregatedDiscoveryRule[];
  mvpGeneration: MvpGeneration;
  /** The Mixed Version Proxy's per-release behaviour. */
  mvp: MvpFacts;
  /** Whether `/apis` v2 can be merged across peers (1.35+). */
  peerAggregatedDiscovery: boolean;
  /** The garbage collector of this minor's kube-controller-manager. */
  garbageCollector: GarbageCollectorFacts;
  /** What this minor's apiextensions-apiserver checks on a CustomResourceDefinition. */
  crdValidation: CrdValidationFacts;
  /**
   * Whether an object built in the server without a creation time (a ComponentStatus, a review)
   * is written with `metadata.creationTimestamp: null`, as apimachinery did until 1.34 made the
   * zero time omitted.
   */
  writesNullCreationTimestamp: boolean;
  /**
   * Whether the last kube-apiserver to stop gracefully removes its own address from the
   * `kubernetes` Endpoints (kubernetes/kubernetes#116685); before, the lease reconciler refused to
   * erase the last address, even on shutdown.
   */
  removesLastEndpointOnStop: boolean;
  /** What this minor's pkg/apis/core/validation words differently for built-in kinds. */
  kindValidation: KindValidationFacts;
  /**
   * Whether `/openapi/v2` moves parameters shared by several operations into the document's
   * `parameters` and refers to them (`#/parameters/pretty-<hash>`), as kube-openapi's builder does
   * since its deduplicateParameters (July 2023), keeping `fieldValidation`, `dryRun`, `name` and
   * kind-specific bodies inline for older kubectls.
   */
  openApiV2SharesParameters: boolean;
  /** The Table columns this minor's printers (pkg/printers/internalversion) print differently. */
  printers: PrinterFacts;
}

/** Table columns that differ by release (pkg/printers/internalversion/printers.go). */
export interface PrinterFacts {
  /** Whether the Job table has the `Status` column after `Name` (kubernetes/kubernetes#123226, 1.30). */
  jobStatusColumn: boolean;
  /**
   * The Table columns of CustomResourceDefinitions: the default convertor's `Name`, `Created At`,
   * or from 1.37 (kubernetes#131599, apiextensions-apiserver registry/customresourcedefinition/
   * tableconvertor) `Name`, `Group`, `Scope`, `Versions`, `Created At`.
   */
  crdColumns: 'default' | 'group-scope-versions';
}

/**
 * Built-in kind validation that differs by release (pkg/apis/core/validation/validation.go):
 * - `ValidateNonSpecialIP` (Endpoints and EndpointSlice addresses, Service externalIPs) names only
 *   the IPv4 ranges in older releases (`may not be unspecified (0.0.0.0)`,
 *   `may not be in the loopback range (127.0.0.0/8)`) and both families' in newer ones
 *   (`may not be unspecified (<the address>)`, `(127.0.0.0/8, ::1/128)`, `(169.254.0.0/16, fe80::/10)`,
 *   `(224.0.0.0/24, ff02::/10)`). Not confirmed: the release of the change could not be pinned from
 *   the sources at hand; it is taken as 1.33, the release where the IP/CIDR validation work of
 *   KEP-4858 landed.
 */
export interface KindValidationFacts {
  /** `ipv4` (older) or `dual` (newer) wording of the special-IP messages. */
  nonSpecialIPWording: 'ipv4' | 'dual';
  /**
   * The rule for a StatefulSet's name: a DNS-1123 subdomain up to 1.26, a DNS-1123 label from 1.27
   * (pkg/apis/apps/validation ValidateStatefulSetName), since the name becomes the Pods' hostnames.
   */
  statefulSetNameRule: 'dns-subdomain' | 'dns-label';
}

/**
 * CRD validation that differs by release (apiextensions-apiserver
 * pkg/apis/apiextensions/validation/validation.go):
 * - from 1.31 (kubernetes/kubernetes#124061), a conversion webhook's `caBundle` must hold a
 *   certificate client-go can load (webhook.ValidateCABundle), on an update of an Established CRD
 *   whose stored caBundle is empty or valid; create, and a CRD not yet Established, may still
 *   carry an invalid one. Before 1.31 the caBundle is not checked at all.
 */
export interface CrdValidationFacts {
  /** True when an update may not make an Established CRD's conversion caBundle invalid (1.31+). */
  validatesConversionCABundle: boolean;
}

/**
 * How the garbage collector treats resource monitors that cannot sync
 * (pkg/controller/garbagecollector/garbagecollector.go):
 * - up to 1.31, `Run` waits for every monitor to sync before starting the workers, and `Sync`
 *   holds `workerLock` (workers paused) while it retries, every 100 ms and rereading discovery, until
 *   every monitor has synced: one resource whose LIST keeps failing stops all collection;
 * - from 1.32 (kubernetes/kubernetes#125796), `Run` starts the workers after an initial sync
 *   timeout whether or not the monitors synced, and `Sync` no longer pauses the workers: it resyncs
 *   the monitors once, waits up to one sync period only to log "timed out waiting for dependency
 *   graph builder sync during GC sync", and records the new resources either way.
 */
export interface GarbageCollectorFacts {
  /** True when the workers wait (paused) until every monitor has synced (≤1.31). */
  workersWaitForMonitorSync: boolean;
}

/*
 * Aggregated discovery history, from upstream:
 * - AggregatedDiscoveryEndpoint gate: alpha (off) 1.26, beta (on) 1.27, GA locked 1.30, removed from
 *   the gate list in the 1.33 cycle (present in the early-1.33 pkg/features versioned list, absent
 *   from staging/src/k8s.io/apiserver/pkg/features/kube_features.go at the 1.33 state).
 * - 1.26–1.29 serve apidiscovery.k8s.io/v2beta1 only; v2 was added in 1.30 (GA) next to v2beta1,
 *   and 1.30 and 1.31 serve both (PR #127280: "we are serving v2beta1 in both v1.30 and v1.31").
 * - v2beta1 stopped being served by default in 1.33: PR #130347 ("Add a deprecated feature gate to
 *   stop serving apidiscovery.k8s.io/v2beta1", merged March 2025, release note
 *   "`apidiscovery.k8s.io/v2beta1` API group is disabled by default") added the gate
 *   AggregatedDiscoveryRemoveBetaType: {1.0 GA false}, {1.33 Deprecated true}. Setting it to false
 *   brings v2beta1 back in 1.33 and 1.34. PR #134230 locked it to true in 1.35 ({1.35 Deprecated
 *   true locked}), so 1.35–1.37 never serve v2beta1. PR #141208 deletes the types and the gate in 1.38 (the 1.38
 *   changelog lists it since v1.37.0).
 */
const V2BETA1_GATED: AggregatedDiscoveryRule = { version: 'v2beta1', whenGates: { AggregatedDiscoveryEndpoint: true } };
const V2_GATED: AggregatedDiscoveryRule = { version: 'v2', whenGates: { AggregatedDiscoveryEndpoint: true } };
const DISCOVERY_BY_ERA: Record<'none' | 'beta-only' | 'both' | 'v2-default', readonly AggregatedDiscoveryRule[]> = {
  none: [],
  'beta-only': [V2BETA1_GATED],
  both: [V2_GATED, V2BETA1_GATED],
  'v2-default': [{ version: 'v2' }, { version: 'v2beta1', whenGates: { AggregatedDiscoveryRemoveBetaType: false } }],
};

/** A row of the per-minor table; everything else is derived from the minor. */
interface MinorRow {
  build: Omit<BuildInfo, 'gitTreeState' | 'compiler' | 'platform'>;
  discovery: keyof typeof DISCOVERY_BY_ERA;
  mvp: MvpGeneration;
}

/*
 * Build metadata of the vX.Y.0 kube-apiserver. gitCommit is the release tag's commit (the same for
 * every binary of a release); buildDate differs per binary and architecture. "verified" rows were
 * read from a real kube-apiserver /version answer (linux/amd64 unless noted); the others take the
 * commit and Go version from the release's kubectl/kubeadm and the build date from them or memory.
 */
const TABLE: Record<string, MinorRow> = {
  '1.25': { discovery: 'none', mvp: 'none', build: { gitCommit: 'a866cbe2e5bbaa01cfd5e969aa3e033f3282a8a2', buildDate: '2022-08-23T17:38:15Z', goVersion: 'go1.19', verified: true } },
  '1.26': { discovery: 'beta-only', mvp: 'none', build: { gitCommit: 'b46a3f887ca979b1a5d14fd39cb1af43e7e5d12d', buildDate: '2022-12-08T19:51:45Z', goVersion: 'go1.19.4', verified: false } },
  '1.27': { discovery: 'beta-only', mvp: 'none', build: { gitCommit: '1b4df30b3cdfeaba6024e81e559a6cd09a089d65', buildDate: '2023-04-11T17:04:24Z', goVersion: 'go1.20.3', verified: true } },
  '1.28': { discovery: 'beta-only', mvp: 'storage-version', build: { gitCommit: '855e7c48de7388eb330da0f8d9d2394ee818fb8d', buildDate: '2023-08-15T10:20:15Z', goVersion: 'go1.20.7', verified: false } },
  '1.29': { discovery: 'beta-only', mvp: 'storage-version', build: { gitCommit: '3f7a50f38688eb332e2a1b013678c6435d539ae6', buildDate: '2023-12-13T08:43:53Z', goVersion: 'go1.21.5', verified: false } },
  '1.30': { discovery: 'both', mvp: 'storage-version', build: { gitCommit: '7c48c2bd72b9bf5c44d21d7338cc7bea77d0ad2a', buildDate: '2024-04-17T17:27:03Z', goVersion: 'go1.22.2', verified: true } },
  '1.31': { discovery: 'both', mvp: 'storage-version', build: { gitCommit: '9edcffcde5595e8a5b1a35f88c421764e575afce', buildDate: '2024-08-13T07:28:49Z', goVersion: 'go1.22.5', verified: false } },
  '1.32': { discovery: 'both', mvp: 'storage-version', build: { gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53', buildDate: '2024-12-11T17:59:15Z', goVersion: 'go1.23.3', verified: true } },
  // 1.33: the verified answer came from a linux/arm64 build.
  '1.33': { discovery: 'v2-default', mvp: 'discovery', build: { gitCommit: '60a317eadfcb839692a68eab88b2096f4d708f4f', buildDate: '2025-04-23T13:00:14Z', goVersion: 'go1.24.2', verified: true } },
  '1.34': { discovery: 'v2-default', mvp: 'discovery', build: { gitCommit: 'f28b4c9efbca5c5c0af716d9f2d5702667ee8a45', buildDate: '2025-08-27T10:09:04Z', goVersion: 'go1.24.6', verified: true } },
  '1.35': { discovery: 'v2-default', mvp: 'discovery', build: { gitCommit: '66452049f3d692768c39c797b21b793dce80314e', buildDate: '2025-12-17T12:32:07Z', goVersion: 'go1.25.5', verified: true } },
  // 1.36: no real /version answer was found; commit and build date are placeholders.
  '1.36': { discovery: 'v2-default', mvp: 'discovery', build: { gitCommit: '0000000000000000000000000000000000000000', buildDate: '2026-04-22T00:00:00Z', goVersion: 'go1.26.2', verified: false } },
  // 1.37: no real /version answer and no stored v1.37.0 tag; commit and build date are placeholders
  // (the release date). Go: v1.37.0-alpha.1 was built with Go 1.26.4 (CHANGELOG-1.37, #139584);
  // the Go of the .0 build is not known.
  '1.37': { discovery: 'v2-default', mvp: 'discovery', build: { gitCommit: '0000000000000000000000000000000000000000', buildDate: '2026-08-26T00:00:00Z', goVersion: 'go1.26.4', verified: false } },
};

/*
 * The Mixed Version Proxy by release (the shared MVP reference, §1, §6, §8, §9, §11):
 * - 1.28–1.31 Gen A: any unresolvable peer is the 503 (R1); 1.32 skips them (R2) and sends
 *   X-Remote-Uid (client-go 1.32).
 * - 1.33–1.34 Gen B: "core" key, 5 retries, no exclusion of CRD/APIService group/versions (R3).
 * - 1.35: "" key, 20 retries, nopeer discovery, identity lease deleted on start/stop, the exclusion
 *   map with its deletion queue and 1-minute reaper (R4, R20).
 * - 1.36: the GVExclusionManager and the GVR-labelled metrics (R5).
 * - 1.37: the proxy gate is still beta (no new spec after {1.36 Beta true}); the peer-aggregated
 *   discovery counters are registered only when the peer-aggregated handler is built, no longer by
 *   an init() whenever the gate is on (§11: "Master registers them lazily when the handler is
 *   built").
 */
const MVP_GEN_A_EARLY: MvpFacts = {
  coreGroupKey: 'core',
  allPeersMustResolve: true,
  sendsRemoteUid: false,
  peerDiscoveryMaxRetries: 0,
  peerDiscoveryNoPeer: false,
  identityLeaseDeletedOnStartAndStop: false,
  gvrLabelledMetrics: false,
  extensionExclusion: 'none',
  peerDiscoveryMetrics: 'none',
};
const MVP_GEN_A_132: MvpFacts = { ...MVP_GEN_A_EARLY, allPeersMustResolve: false, sendsRemoteUid: true };
const MVP_GEN_B_133: MvpFacts = { ...MVP_GEN_A_132, peerDiscoveryMaxRetries: 5 };
const MVP_GEN_B_135: MvpFacts = { ...MVP_GEN_B_133, coreGroupKey: '', peerDiscoveryMaxRetries: 20, peerDiscoveryNoPeer: true, identityLeaseDeletedOnStartAndStop: true, extensionExclusion: 'exclusion-map', peerDiscoveryMetrics: 'gate-on' };
const MVP_GEN_B_136: MvpFacts = { ...MVP_GEN_B_135, gvrLabelledMetrics: true, extensionExclusion: 'exclusion-manager' };
const MVP_GEN_B_137: MvpFacts = { ...MVP_GEN_B_136, peerDiscoveryMetrics: 'handler-built' };
const MVP_BY_MINOR: Record<string, MvpFacts> = {
  '1.25': MVP_GEN_A_EARLY,
  '1.26': MVP_GEN_A_EARLY,
  '1.27': MVP_GEN_A_EARLY,
  '1.28': MVP_GEN_A_EARLY,
  '1.29': MVP_GEN_A_EARLY,
  '1.30': MVP_GEN_A_EARLY,
  '1.31': MVP_GEN_A_EARLY,
  '1.32': MVP_GEN_A_132,
  '1.33': MVP_GEN_B_133,
  '1.34': MVP_GEN_B_133,
  '1.35': MVP_GEN_B_135,
  '1.36': MVP_GEN_B_136,
  '1.37': MVP_GEN_B_137,
};

/** First minor whose /version reports the emulation and min-compatibility versions. */
const COMPATIBILITY_VERSION_SINCE = 33;
/** First minor that merges `/apis` across peers (KEP-4020 peer-aggregated discovery). */
const PEER_AGGREGATED_DISCOVERY_SINCE = 35;
/** First minor whose garbage collector no longer pauses its workers for unsynced monitors (PR #125796). */
const GC_WORKERS_IGNORE_MONITOR_SYNC_SINCE = 32;
const CRD_CA_BUNDLE_VALIDATED_SINCE = 31;
/**
 * First minor whose last stopping server removes its own endpoint. Not confirmed: #116685 was
 * approved on 2023-03-19, after the 1.27 code freeze, so 1.28 is assumed.
 */
const LAST_ENDPOINT_REMOVED_ON_STOP_SINCE = 28;
/** First minor whose special-IP messages name the IPv6 ranges too (not confirmed, see KindValidationFacts). */
const DUAL_FAMILY_SPECIAL_IP_WORDING_SINCE = 33;
/** First minor whose CRD Table has the Group, Scope and Versions columns (kubernetes#131599). */
const CRD_TABLE_COLUMNS_SINCE = 37;
/** First minor that omits a zero creationTimestamp instead of writing null. */
const ZERO_CREATION_TIMESTAMP_OMITTED_SINCE = 34;
/** First minor whose StatefulSet names must be DNS-1123 labels. */
const STATEFULSET_NAME_DNS_LABEL_SINCE = 27;
/** First minor whose Job table has the Status column (kubernetes/kubernetes#123226). */
const JOB_STATUS_COLUMN_SINCE = 30;
/**
 * First minor whose OpenAPI v2 shares parameters: kubernetes/kubernetes#118204 with
 * kube-openapi#411 and #415 (FNV hash, fieldValidation and dryRun kept inline), merged in July 2023
 * before the 1.28 code freeze; the release is inferred from those dates, not confirmed.
 */
const OPENAPI_V2_SHARED_PARAMETERS_SINCE = 28;

function buildInfo(minor: string): MinorInfo {
  const row = TABLE[minor];
  if (!row) throw new Error(`no per-minor data for ${minor}`);
  const n = minorNumberOf(minor);
  return Object.freeze({
    minor,
    major: 1,
    minorNumber: n,
    gitVersion: `v${minor}.0`,
    build: Object.freeze({ ...row.build, gitTreeState: 'clean', compiler: 'gc', platform: 'linux/amd64' }),
    reportsCompatibilityVersion: n >= COMPATIBILITY_VERSION_SINCE,
    aggregatedDiscovery: DISCOVERY_BY_ERA[row.discovery],
    mvpGeneration: row.mvp,
    mvp: Object.freeze({ ...MVP_BY_MINOR[minor]! }),
    peerAggregatedDiscovery: n >= PEER_AGGREGATED_DISCOVERY_SINCE,
    garbageCollector: Object.freeze({ workersWaitForMonitorSync: n < GC_WORKERS_IGNORE_MONITOR_SYNC_SINCE }),
    crdValidation: Object.freeze({ validatesConversionCABundle: n >= CRD_CA_BUNDLE_VALIDATED_SINCE }),
    writesNullCreationTimestamp: n < ZERO_CREATION_TIMESTAMP_OMITTED_SINCE,
    removesLastEndpointOnStop: n >= LAST_ENDPOINT_REMOVED_ON_STOP_SINCE,
    kindValidation: Object.freeze({
      nonSpecialIPWording: n >= DUAL_FAMILY_SPECIAL_IP_WORDING_SINCE ? 'dual' : 'ipv4',
      statefulSetNameRule: n >= STATEFULSET_NAME_DNS_LABEL_SINCE ? 'dns-label' : 'dns-subdomain',
    }),
    printers: Object.freeze({ jobStatusColumn: n >= JOB_STATUS_COLUMN_SINCE, crdColumns: n >= CRD_TABLE_COLUMNS_SINCE ? 'group-scope-versions' : 'default' }),
    openApiV2SharesParameters: n >= OPENAPI_V2_SHARED_PARAMETERS_SINCE,
  });
}

const INFOS: ReadonlyMap<string, MinorInfo> = new Map(SUPPORTED_MINORS.map((m) => [m, buildInfo(m)]));

/** The facts of the newest supported minor: what code that knows no minor assumes. */
export const NEWEST_MINOR_INFO: MinorInfo = INFOS.get(SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1]!)!;

/** Returns the per-minor facts of a supported minor (any form normalizeMinor accepts). */
export function minorInfo(minor: string): MinorInfo {
  return INFOS.get(normalizeMinor(minor)) as MinorInfo;
}

/**
 * Returns the aggregated discovery versions (`v2`, `v2beta1`) a minor serves with the given
 * effective feature gates, preferred first; empty when it only serves legacy discovery. A gate the
 * minor does not know counts as not matching.
 */
export function aggregatedDiscoveryVersions(minor: string, gates: ReadonlyMap<string, boolean>): string[] {
  return minorInfo(minor)
    .aggregatedDiscovery.filter((rule) =>
      Object.entries(rule.whenGates ?? {}).every(([gate, value]) => gates.get(gate) === value),
    )
    .map((rule) => rule.version);
}

/** The `/version` document (apimachinery `version.Info`), fields in upstream's JSON order. */
export interface VersionDocument {
  major: string;
  minor: string;
  emulationMajor?: string;
  emulationMinor?: string;
  minCompatibilityMajor?: string;
  minCompatibilityMinor?: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/**
 * Builds the `/version` JSON a profile's kube-apiserver answers. From 1.33 on it also carries the
 * emulation version (the binary's own minor: kube-skew does not emulate) and the min-compatibility
 * version (one minor below, upstream's default).
 */
export function versionDocument(profile: Pick<VersionProfile, 'minor'>): VersionDocument {
  const info = minorInfo(profile.minor);
  const doc: VersionDocument = { major: String(info.major), minor: String(info.minorNumber) } as VersionDocument;
  if (info.reportsCompatibilityVersion) {
    doc.emulationMajor = String(info.major);
    doc.emulationMinor = String(info.minorNumber);
    doc.minCompatibilityMajor = String(info.major);
    doc.minCompatibilityMinor = String(info.minorNumber - 1);
  }
  const { gitCommit, gitTreeState, buildDate, goVersion, compiler, platform } = info.build;
  return Object.assign(doc, { gitVersion: info.gitVersion, gitCommit, gitTreeState, buildDate, goVersion, compiler, platform });
}
