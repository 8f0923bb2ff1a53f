/**
 * ResourceType: one resource as one server serves it (group, version, names, scope, verbs,
 * subresources) plus the storage prefix it shares with every other version of the same
 * group/resource. Built from the server's VersionProfile; nothing here branches on a version.
 */
import type { CelLibrary } from '../../versions/cel.js';
import type { ResourceManifest, SubresourceManifest, VersionProfile } from '../../versions/types.js';
import type { GroupKind, GroupResource } from '../errors/status.js';
import type { CrdPrinterColumn, CrdScale } from './custom/crd.js';
import type { JsonSchemaProps } from './custom/structural.js';
import type { CustomResourceConversion } from './custom/conversion/converter.js';
import type { PatchMetaLookup } from './patch-meta.js';

/** What a custom resource's type carries from its CustomResourceDefinition. */
export interface CustomResourceInfo {
  /** The CRD's name (`widgets.example.com`) and uid. */
  crdName: string;
  crdUid: string;
  /** The version's `openAPIV3Schema`, undefined when it has none. */
  schema: JsonSchemaProps | undefined;
  scale?: CrdScale;
  printerColumns: CrdPrinterColumn[];
  /** The CRD is being deleted: creates are refused. */
  terminating: boolean;
  /** `optionalOldSelf` rules run without an old value (the minor's CRDValidationRatcheting). */
  optionalOldSelf?: boolean;
  /** The CEL libraries rules run with: the serving minor's stored-expressions set (default: the newest). */
  celLibraries?: readonly CelLibrary[];
  /** The Warning text of every request to this version when it is deprecated. */
  deprecationWarning?: string;
  /** How objects are stored in the CRD's storage version and read back in this one. */
  conversion?: CustomResourceConversion;
  /** The version's list and map markers for server-side apply and managed fields. */
  patchMeta?: PatchMetaLookup;
  /** Field labels field selectors may name besides metadata's (`spec.color`), when CustomResourceFieldSelectors is on. */
  selectableFields?: string[];
}

/** A resource as this server serves it. */
export interface ResourceType {
  group: string;
  version: string;
  /** `apps/v1`, or `v1` for core. */
  groupVersion: string;
  /** Plural name, e.g. `deployments`. */
  resource: string;
  singularName: string;
  kind: string;
  /** `DeploymentList` */
  listKind: string;
  namespaced: boolean;
  verbs: Set<string>;
  subresources: Map<string, SubresourceManifest>;
  gr: GroupResource;
  gk: GroupKind;
  /** `/registry/deployments/` (`/registry/<group>/<plural>/` for a custom resource): shared by every version of the group/resource. */
  storagePrefix: string;
  manifest: ResourceManifest;
  /** Set for a custom resource served from a CustomResourceDefinition. */
  custom?: CustomResourceInfo;
  /** The serving minor's feature gates, for strategies a gate changes. */
  featureGates?: ReadonlyMap<string, boolean>;
  /** The serving minor, for validation whose rules differ by release (versions/minors.ts). */
  minor?: string;
}

/**
 * Where upstream's built-in resources keep their objects when the path is not simply the resource's
 * name (test/integration/etcd/data.go `ExpectedEtcdPath`).
 */
const BUILT_IN_PATHS: Readonly<Record<string, string>> = {
  '/nodes': 'minions',
  '/services': 'services/specs',
  '/endpoints': 'services/endpoints',
  '/replicationcontrollers': 'controllers',
  'networking.k8s.io/ingresses': 'ingress',
  'extensions/ingresses': 'ingress',
  'policy/podsecuritypolicies': 'podsecuritypolicy',
};

/** The API groups whose servers keep the group in the path, as upstream's do (kube-aggregator, apiextensions-apiserver). */
const GROUP_PATH_GROUPS: ReadonlySet<string> = new Set(['apiregistration.k8s.io', 'apiextensions.k8s.io']);

/**
 * The storage prefix of a built-in group/resource, laid out as kube-apiserver lays out etcd:
 * `/registry/<resource>/` (with upstream's special paths: nodes under `minions`, services under
 * `services/specs`, endpoints under `services/endpoints`, …), and `/registry/<group>/<resource>/`
 * for APIServices and CustomResourceDefinitions.
 */
export function storagePrefixOf(group: string, resource: string): string {
  if (GROUP_PATH_GROUPS.has(group)) return customStoragePrefix(group, resource);
  return `/registry/${BUILT_IN_PATHS[`${group}/${resource}`] ?? resource}/`;
}

/** The storage prefix of a custom resource: `/registry/<group>/<plural>/`, shared by every version. */
export function customStoragePrefix(group: string, resource: string): string {
  return `/registry/${group}/${resource}/`;
}

/** The storage key of one object. */
export function storageKey(type: ResourceType, namespace: string, name: string): string {
  return type.namespaced ? `${type.storagePrefix}${namespace}/${name}` : `${type.storagePrefix}${name}`;
}

/** The storage prefix of a list: all namespaces, or one. */
export function listPrefix(type: ResourceType, namespace: string): string {
  return type.namespaced && namespace ? `${type.storagePrefix}${namespace}/` : type.storagePrefix;
}

/** The ResourceType of one manifest entry at group/version. */
export function toResourceType(group: string, version: string, groupVersion: string, r: ResourceManifest): ResourceType {
  return {
    group,
    version,
    groupVersion,
    resource: r.name,
    singularName: r.singularName,
    kind: r.kind,
    listKind: `${r.kind}List`,
    namespaced: r.namespaced,
    verbs: new Set(r.verbs),
    subresources: new Map((r.subresources ?? []).map((s) => [s.name, s])),
    gr: { group, resource: r.name },
    gk: { group, kind: r.kind },
    storagePrefix: storagePrefixOf(group, r.name),
    manifest: r,
  };
}

/**
 * Every resource a server serves, indexed by `group/version/resource`: the built-in ones of its
 * profile, fixed, and the custom resources its CRD informer currently serves, replaced as a whole.
 */
export class ResourceTypes {
  private readonly byKey = new Map<string, ResourceType>();
  private readonly gvs = new Set<string>();
  private custom = new Map<string, ResourceType>();

  constructor(profile: VersionProfile) {
    for (const gv of profile.groups) {
      this.gvs.add(`${gv.group}/${gv.version}`);
      for (const r of gv.resources) this.byKey.set(`${gv.group}/${gv.version}/${r.name}`, { ...toResourceType(gv.group, gv.version, gv.groupVersion, r), featureGates: profile.featureGates, minor: profile.minor });
    }
  }

  /** The resource served at group/version/resource, or undefined. */
  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    const key = `${group}/${version}/${resource}`;
    return this.byKey.get(key) ?? this.custom.get(key);
  }

  /** Replace the served custom resources; a built-in resource of the same name keeps precedence. */
  setCustom(types: ResourceType[]): void {
    this.custom = new Map(types.map((t) => [`${t.group}/${t.version}/${t.resource}`, t]));
  }

  /** True when this server serves the built-in group/version at all. */
  servesGroupVersion(group: string, version: string): boolean {
    return this.gvs.has(`${group}/${version}`);
  }

  /** The preferred served version of a group/resource (first in discovery order), if any. */
  preferred(group: string, resource: string): ResourceType | undefined {
    for (const t of this.all()) if (t.group === group && t.resource === resource) return t;
    return undefined;
  }

  /** Every served resource type, built-in first. */
  all(): ResourceType[] {
    return [...this.byKey.values(), ...this.custom.values()];
  }

  /** The built-in resource types only. */
  builtIn(): ResourceType[] {
    return [...this.byKey.values()];
  }
}
