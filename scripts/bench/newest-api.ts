/**
 * The API the benchmarks and the fuzzer aim at the Mixed Version Proxy: a cluster-scoped resource
 * that the newest simulated minor serves by default and the previous minor does not, so a server
 * of the previous minor must forward every request for it to a peer. Derived from the manifests
 * (NEWEST_MINOR, PREVIOUS_MINOR), never written down: 1.37's `storagemigration.k8s.io/v1`
 * StorageVersionMigration while 1.37 is the newest, 1.36's `admissionregistration.k8s.io/v1`
 * MutatingAdmissionPolicy before.
 */
import { NEWEST_MINOR, PREVIOUS_MINOR, loadManifest } from '../../versions/manifest.js';
import type { VersionManifest } from '../../versions/types.js';

/** The chosen resource. */
export interface NewestApi {
  group: string;
  version: string;
  resource: string;
  kind: string;
  /** `group/version/resource`, as the soak's servedBy names it. */
  gvr: string;
  /** The collection path, e.g. `/apis/storagemigration.k8s.io/v1/storageversionmigrations`. */
  path: string;
}

/** Every `group/version/resource` and `group/version` a manifest serves by default. */
function servedByDefault(manifest: VersionManifest): Set<string> {
  const out = new Set<string>();
  for (const g of manifest.groups) {
    for (const v of g.versions) {
      for (const r of v.resources) {
        if (!r.enabledByDefault) continue;
        out.add(`${g.group}/${v.version}/${r.name}`);
        out.add(`${g.group}/${v.version}`);
      }
    }
  }
  return out;
}

/**
 * Finds a cluster-scoped, creatable resource that `newest` serves by default and `previous` does
 * not: the first (in manifest order) of a group/version `previous` does not serve at all, else the
 * first new resource of a group/version both serve. Throws when there is none (the benches then
 * have nothing to proxy between the two minors).
 */
export function newestOnlyApi(newest: string = NEWEST_MINOR, previous: string = PREVIOUS_MINOR): NewestApi {
  const before = servedByDefault(loadManifest(previous));
  const candidates: NewestApi[] = [];
  for (const g of loadManifest(newest).groups) {
    if (g.group === '') continue;
    for (const v of g.versions) {
      for (const r of v.resources) {
        const gvr = `${g.group}/${v.version}/${r.name}`;
        if (!r.enabledByDefault || r.namespaced || !r.verbs.includes('create') || before.has(gvr)) continue;
        candidates.push({ group: g.group, version: v.version, resource: r.name, kind: r.kind, gvr, path: `/apis/${g.group}/${v.version}/${r.name}` });
      }
    }
  }
  const chosen = candidates.find((c) => !before.has(`${c.group}/${c.version}`)) ?? candidates[0];
  if (!chosen) throw new Error(`no cluster-scoped API that ${newest} serves by default and ${previous} does not`);
  return chosen;
}

/** The API of this checkout's newest and previous minors. */
export const NEWEST_API: NewestApi = newestOnlyApi();

/** A valid `spec` per kind the benches may aim at (kinds not listed get none). */
const SPECS: Record<string, Record<string, unknown>> = {
  MutatingAdmissionPolicy: {
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
    failurePolicy: 'Fail',
    reinvocationPolicy: 'IfNeeded',
    mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{}' } }],
  },
  // storagemigration.k8s.io/v1: spec.resource is a metav1.GroupResource.
  StorageVersionMigration: { resource: { group: 'apps', resource: 'deployments' } },
};

/** An object of the newest API named `name`, with `filler` bytes in an annotation (to make it large). */
export function newestApiObject(name: string, filler = 0, api: NewestApi = NEWEST_API): Record<string, unknown> {
  const spec = SPECS[api.kind];
  return {
    apiVersion: `${api.group}/${api.version}`,
    kind: api.kind,
    metadata: { name, ...(filler ? { annotations: { filler: 'x'.repeat(filler) } } : {}) },
    ...(spec ? { spec } : {}),
  };
}
