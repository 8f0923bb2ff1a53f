/**
 * What a server serves from its own view of CRDs, as upstream's CRD handler and discovery
 * controller keep it: after every informer event the custom ResourceTypes (CRDs whose names are
 * accepted or that are established; the registry then serves every verb for them) and the custom
 * group/versions of discovery (established CRDs only: groups by name after the built-in ones, each
 * group's versions in kube-aware order, resources by name) are rebuilt from the informer's store.
 */
import type { ServedGroupVersion } from '../../versions/types.js';
import { compareVersionPriority, stabilityOf } from '../../versions/version-order.js';
import type { DiscoveryDocs } from '../endpoints/discovery.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import type { Crd } from '../registry/custom/crd.js';
import { customResourceManifest, customResourceTypes, isDiscoverable } from '../registry/custom/resource-type.js';
import type { CrdInformer } from './crd-informer.js';

/** The discovery group/versions of the established CRDs, in discovery order. */
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

/** Keep `types` and `docs` in line with the informer; returns nothing to stop (the informer stops). */
export function serveCustomResources(informer: CrdInformer, types: ResourceTypes, docs: DiscoveryDocs): void {
  const rebuild = (): void => {
    const crds = informer.list();
    types.setCustom(crds.flatMap((crd) => customResourceTypes(crd)));
    docs.setCustomGroups(customGroupVersions(crds));
  };
  informer.addHandlers({ onAdd: rebuild, onUpdate: rebuild, onDelete: rebuild });
}
