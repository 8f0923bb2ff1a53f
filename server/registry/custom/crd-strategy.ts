/**
 * The CustomResourceDefinition strategy, as upstream's: names and conversion defaulted
 * (`singular` from the kind, `listKind` as `<Kind>List`, conversion `None`), the storage version
 * appended to `status.storedVersions` on create and update, `selectableFields` dropped while their
 * feature gate is off, and the first DELETE turned into a
 * deletionTimestamp with the `customresourcecleanup.apiextensions.k8s.io` finalizer and the
 * Terminating condition `InstanceDeletionPending`.
 */
import { clone, formatTime, metaOf, type KubeObject } from '../object.js';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER, setCondition, storageVersionOf, type Crd } from './crd.js';

/** Upstream's v1 defaulting of a CRD spec. */
function defaultSpec(crd: Crd): void {
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return;
  const names = spec.names;
  if (names && typeof names === 'object' && typeof names.kind === 'string') {
    if (!names.singular) names.singular = names.kind.toLowerCase();
    if (!names.listKind) names.listKind = `${names.kind}List`;
  }
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
}

/** Append the storage version to `status.storedVersions` when it is not there yet. */
function recordStoredVersion(crd: Crd): void {
  if (!Array.isArray(crd.spec?.versions)) return;
  const storage = storageVersionOf(crd);
  if (!storage) return;
  const status = (crd.status ??= {});
  const stored = (status.storedVersions ??= []);
  if (!stored.includes(storage)) stored.push(storage);
}

/** True when some version of the CRD has selectable fields. */
function hasSelectableFields(crd: Crd | undefined): boolean {
  return Array.isArray(crd?.spec?.versions) && crd.spec.versions.some((v) => Array.isArray(v?.selectableFields));
}

/**
 * Upstream's dropDisabledFields: with CustomResourceFieldSelectors off (or unknown to the minor),
 * `selectableFields` is dropped unless the stored CRD already uses it.
 */
function dropDisabledFields(crd: Crd, old: Crd | undefined, gates: ReadonlyMap<string, boolean> | undefined): void {
  if (gates?.get(FIELD_SELECTORS_GATE) === true || hasSelectableFields(old)) return;
  if (!Array.isArray(crd.spec?.versions)) return;
  for (const v of crd.spec.versions) if (v && typeof v === 'object') delete v.selectableFields;
}

/** The gate of CRD selectable fields. */
export const FIELD_SELECTORS_GATE = 'CustomResourceFieldSelectors';

/** The strategy hooks of `apiextensions.k8s.io/customresourcedefinitions` on a server with `gates`. */
export const crdStrategy = (gates?: ReadonlyMap<string, boolean>) => ({
  prepareForCreate(obj: KubeObject): void {
    const crd = obj as Crd;
    defaultSpec(crd);
    dropDisabledFields(crd, undefined, gates);
    // acceptedNames' plural and kind have no omitempty: a new CRD shows them empty.
    crd.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
    recordStoredVersion(crd);
    if (crd.status.storedVersions?.length === 0) delete crd.status.storedVersions;
  },
  prepareForUpdate(obj: KubeObject, old: KubeObject): void {
    defaultSpec(obj as Crd);
    dropDisabledFields(obj as Crd, old as Crd, gates);
    recordStoredVersion(obj as Crd);
  },
  markForDeletion(obj: KubeObject, now: Date): KubeObject {
    const crd = clone(obj) as Crd;
    const meta = metaOf(crd);
    const at = formatTime(now);
    meta.deletionTimestamp ??= at;
    if (!(meta.finalizers ?? []).includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) meta.finalizers = [...(meta.finalizers ?? []), CUSTOM_RESOURCE_CLEANUP_FINALIZER];
    setCondition(
      crd,
      { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' },
      at,
    );
    return crd;
  },
});
