/**
 * The group/versions of established CRDs in discovery order, as upstream's discovery controller
 * lists them: groups by name (after the built-in ones), each group's versions in kube-aware order,
 * resources by name. Discovery and the OpenAPI documents of custom resources both read it.
 */
import type { ServedGroupVersion } from '../../../versions/types.js';
import { compareVersionPriority, stabilityOf } from '../../../versions/version-order.js';
import type { Crd } from './crd.js';
import { customResourceManifest, isDiscoverable } from './resource-type.js';

/** The discovery group/versions of the established CRDs' served versions, in discovery order. */
export function customGroupVersions(crds: Crd[]): ServedGroupVersion[] {
  const byGroup = new Map<string, Map<string, ServedGroupVersion>>();
  for (const crd of crds) {
    if (!isDiscoverable(crd)) continue;
    const group = crd.spec.group;
    const versions = byGroup.get(group) ?? new Map<string, ServedGroupVersion>();
    byGroup.set(group, versions);
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const gv = versions.get(v.name) ?? { group, version: v.name, groupVersion: `${group}/${v.name}`, stability: stabilityOf(v.name) ?? 'ga', resources: [] };
      versions.set(v.name, gv);
      gv.resources.push(customResourceManifest(crd, v));
    }
  }
  const out: ServedGroupVersion[] = [];
  for (const group of [...byGroup.keys()].sort()) {
    const versions = [...byGroup.get(group)!.values()].sort((a, b) => compareVersionPriority(a.version, b.version));
    for (const gv of versions) gv.resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push(...versions);
  }
  return out;
}
