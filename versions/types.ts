/**
 * The data shapes of kube-skew's version layer: a per-minor manifest of built-in API resources and
 * the VersionProfile a server runs with. A version is data; no code branches on a version string.
 */

/** A subresource of a resource, as discovery lists it (`deployments/scale`). */
export interface SubresourceManifest {
  /** The subresource name, e.g. `status`, `scale`, `log`. */
  name: string;
  /** The kind it answers with, e.g. `Scale`. */
  kind: string;
  /** The group of `kind` when it differs from the parent's (e.g. `autoscaling` for scale). */
  group?: string;
  /** The version of `kind` when it differs from the parent's (e.g. `v1` for scale). */
  version?: string;
  verbs: string[];
}

/** One built-in resource of one group/version. */
export interface ResourceManifest {
  /** Plural resource name as it appears in URLs, e.g. `deployments`. */
  name: string;
  /** Lower-case singular, e.g. `deployment`. */
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceManifest[];
  /** Served with default flags (a resource can be off inside an enabled group/version). */
  enabledByDefault: boolean;
  /**
   * A custom resource, as the CRD discovery controller lists it: aggregated discovery keeps `verbs`
   * in the given order (built-ins are sorted) and names the group/version in each responseKind.
   */
  custom?: boolean;
  /** The version the legacy discovery storageVersionHash names when not the preferred one (a CRD's storage version). */
  storageVersion?: string;
}

/** One group/version of a minor. */
export interface GroupVersionManifest {
  /** `v1`, `v1beta1`, … */
  version: string;
  stability: 'ga' | 'beta' | 'alpha';
  /** Served with default flags. */
  enabledByDefault: boolean;
  resources: ResourceManifest[];
}

/** One API group of a minor; the core group has `group: ""`. */
export interface GroupManifest {
  group: string;
  /** Versions in preference order: the first is the preferred version. */
  versions: GroupVersionManifest[];
}

/** Everything a minor can serve (with `api/all=true` and every gate on). */
export interface VersionManifest {
  /** `1.32` */
  minor: string;
  /** Groups in discovery priority order, core (`""`) first. */
  groups: GroupManifest[];
}

/** A feature gate's maturity. */
export type FeatureStage = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED';

/** A gate as a given minor knows it. */
export interface FeatureGateSpec {
  name: string;
  stage: FeatureStage;
  default: boolean;
  /** GA (or deprecated) gates that can no longer be changed. */
  lockToDefault: boolean;
}

/** Which Mixed Version Proxy a minor ships: none (≤1.27), StorageVersion routing, or discovery routing. */
export type MvpGeneration = 'none' | 'storage-version' | 'discovery';

/**
 * How the Mixed Version Proxy treats custom resources and aggregated APIs (§9 of the MVP reference):
 * not at all in peer data (1.28–1.34: Gen A never sees them, 1.33–1.34 route them through stale
 * peer discovery), the 1.35 exclusion map with its deletion queue and reaper, or the 1.36+
 * GVExclusionManager (active ∪ recently deleted, a raw and a filtered peer cache).
 */
export type MvpExtensionExclusion = 'none' | 'exclusion-map' | 'exclusion-manager';

/** The Mixed Version Proxy's per-release behaviour, as data (see the MVP reference). */
export interface MvpFacts {
  /** Gen A and 1.33–1.34 key the core group as `core` in routing maps; 1.35+ keep `""`. */
  coreGroupKey: '' | 'core';
  /** Gen A 1.28–1.31: one unresolvable peer is the Status 503, even if another resolved. */
  allPeersMustResolve: boolean;
  /** 1.32+: the proxied request carries X-Remote-Uid (client-go's auth-proxy round tripper). */
  sendsRemoteUid: boolean;
  /** Retries of a failed peer discovery sync: 5 in 1.33–1.34, 20 in 1.35+. */
  peerDiscoveryMaxRetries: number;
  /** 1.35+: peer discovery asks for `profile=nopeer` first, stores only peers that yielded something and keeps their group documents. */
  peerDiscoveryNoPeer: boolean;
  /** 1.35+: the identity lease is deleted when the server starts and when it stops. */
  identityLeaseDeletedOnStartAndStop: boolean;
  /** 1.36+: the proxy metrics carry group, version and resource labels, and the error counters exist. */
  gvrLabelledMetrics: boolean;
  /** How CRD and aggregated-API group/versions are kept out of peer data. */
  extensionExclusion: MvpExtensionExclusion;
  /**
   * When the peer-aggregated discovery counters (`aggregator_discovery_peer_aggregated_cache_hits_total`,
   * `…_cache_misses_total`, `aggregator_discovery_nopeer_requests_total`) are registered: never
   * (≤1.34, no peer-aggregated discovery), at start whenever the proxy gate is on (1.35–1.36, an
   * `init()` in the aggregated discovery metrics), or only when the peer-aggregated handler is
   * actually built, i.e. the gate on and `--peer-ca-file` set (1.37).
   */
  peerDiscoveryMetrics: MvpPeerDiscoveryMetrics;
}

/** See {@link MvpFacts.peerDiscoveryMetrics}. */
export type MvpPeerDiscoveryMetrics = 'none' | 'gate-on' | 'handler-built';

/** A served group/version with only the resources this server serves. */
export interface ServedGroupVersion {
  group: string;
  version: string;
  /** `group/version`, or just `version` for the core group. */
  groupVersion: string;
  stability: 'ga' | 'beta' | 'alpha';
  resources: ResourceManifest[];
  /** Served by an aggregated API server that is unavailable: aggregated discovery marks it `Stale`. */
  stale?: boolean;
}

/**
 * What one simulated kube-apiserver serves and how it behaves: its minor's manifest after
 * `--runtime-config`, its feature gates after `--feature-gates`, and the behaviours that follow.
 */
export interface VersionProfile {
  /** `1.32` */
  minor: string;
  /** Major and minor numbers as `/version` reports them. */
  major: number;
  minorNumber: number;
  /** `v1.32.0` */
  gitVersion: string;
  /** Served group/versions, in discovery order; each group's preferred version first. */
  groups: ServedGroupVersion[];
  /** Every gate this minor knows, with its effective value. */
  featureGates: Map<string, boolean>;
  /** Gate specs for this minor, by name. */
  featureSpecs: Map<string, FeatureGateSpec>;
  /** The MVP generation this minor ships (independent of whether the gate is on). */
  mvpGeneration: MvpGeneration;
  /** The MVP's per-release behaviour (meaningless when the generation is `none`). */
  mvp: MvpFacts;
  /** Aggregated discovery versions this server answers, e.g. `['v2', 'v2beta1']`; empty for legacy only. */
  aggregatedDiscoveryVersions: string[];
  /** Whether `/apis` v2 can be peer-merged (1.35+), subject to the gate and `--peer-ca-file`. */
  peerAggregatedDiscovery: boolean;
}
