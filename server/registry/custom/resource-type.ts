/**
 * The ResourceTypes of a CustomResourceDefinition: one per served version, named by the accepted
 * names, stored under `/registry/<group>/<plural>/` (every version shares it), with the version's
 * schema, subresources and printer columns. A CRD is served once its names are accepted or it is
 * established, as upstream's CRD handler decides; discovery lists it only once established.
 */
import type { CelLibrary } from '../../../versions/cel.js';
import type { ResourceManifest, SubresourceManifest } from '../../../versions/types.js';
import { customStoragePrefix, toResourceType, type ResourceType } from '../resource-type.js';
import { crdDeprecationWarning } from './deprecation.js';
import { isConditionTrue, storageVersionOf, type Crd, type CrdVersion } from './crd.js';
import { converterFor } from './conversion/factory.js';
import type { ServiceDialer } from './conversion/webhook-converter.js';
import { patchMeta } from '../patch-meta.js';
import { customPatchMeta } from './patch-meta.js';
import { selectableFieldLabel } from './selectable-fields.js';

/** Upstream's verbs of a custom resource, in its order. */
const VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
/** The verbs discovery lists while the CRD is terminating. */
const TERMINATING_VERBS = ['delete', 'deletecollection', 'get', 'list', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** True when the CRD's custom resources are served (NamesAccepted or Established). */
export function isServed(crd: Crd): boolean {
  return isConditionTrue(crd, 'NamesAccepted') || isConditionTrue(crd, 'Established');
}

/** True when discovery lists the CRD's custom resources. */
export function isDiscoverable(crd: Crd): boolean {
  return isConditionTrue(crd, 'Established');
}

/** The manifest entry (names, scope, verbs as discovery lists them, subresources) of one version. */
export function customResourceManifest(crd: Crd, version: CrdVersion): ResourceManifest {
  const names = { ...crd.spec.names, ...(crd.status?.acceptedNames ?? {}) };
  const kind = names.kind ?? '';
  const subresources: SubresourceManifest[] = [];
  if (version.subresources?.status) subresources.push({ name: 'status', kind, verbs: SUBRESOURCE_VERBS });
  if (version.subresources?.scale) subresources.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: SUBRESOURCE_VERBS });
  const storage = storageVersionOf(crd);
  const manifest: ResourceManifest = {
    name: crd.spec.names.plural ?? '',
    singularName: names.singular ?? '',
    kind,
    namespaced: crd.spec.scope === 'Namespaced',
    verbs: isConditionTrue(crd, 'Terminating') ? TERMINATING_VERBS : VERBS,
    enabledByDefault: true,
    custom: true,
  };
  if (names.shortNames?.length) manifest.shortNames = names.shortNames;
  if (names.categories?.length) manifest.categories = names.categories;
  if (subresources.length) manifest.subresources = subresources;
  if (storage) manifest.storageVersion = storage;
  return manifest;
}

/** What a server's minor decides about custom resources. */
export interface CustomResourceOptions {
  /** CRDValidationRatcheting is on: `optionalOldSelf` rules run on create too. */
  optionalOldSelf?: boolean;
  /** The CEL libraries rules run with (the serving minor's stored-expressions environment). */
  celLibraries?: readonly CelLibrary[];
  /** Resolves a conversion webhook's `clientConfig.service` (the aggregator's Service resolver). */
  serviceDialer?: ServiceDialer;
  /** CustomResourceFieldSelectors is on: a version's selectable fields are field labels. */
  fieldSelectors?: boolean;
}

/** The ResourceTypes of every served version of a served CRD (none otherwise). */
export function customResourceTypes(crd: Crd, options: CustomResourceOptions = {}): ResourceType[] {
  if (!isServed(crd)) return [];
  const group = crd.spec.group;
  const storage = storageVersionOf(crd);
  // One converter for every version of the CRD, as upstream builds one per CRD.
  const conversion = storage ? { storageApiVersion: `${group}/${storage}`, converter: converterFor(crd, options.serviceDialer) } : undefined;
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const manifest = customResourceManifest(crd, v);
      const type = toResourceType(group, v.name, `${group}/${v.name}`, manifest);
      type.storagePrefix = customStoragePrefix(group, manifest.name);
      type.verbs = new Set(VERBS);
      type.listKind = crd.status?.acceptedNames?.listKind || crd.spec.names.listKind || `${manifest.kind}List`;
      type.custom = {
        crdName: crd.metadata?.name ?? '',
        crdUid: crd.metadata?.uid ?? '',
        schema: v.schema?.openAPIV3Schema,
        printerColumns: v.additionalPrinterColumns ?? [],
        terminating: isConditionTrue(crd, 'Terminating'),
        optionalOldSelf: options.optionalOldSelf === true,
        ...(options.celLibraries ? { celLibraries: options.celLibraries } : {}),
        patchMeta: customPatchMeta(v.schema?.openAPIV3Schema, patchMeta({ group, version: v.name, kind: manifest.kind })),
        ...(crdDeprecationWarning(crd, v) !== undefined ? { deprecationWarning: crdDeprecationWarning(crd, v)! } : {}),
        ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
        ...(options.fieldSelectors && v.selectableFields?.length ? { selectableFields: v.selectableFields.map((f) => selectableFieldLabel(f.jsonPath)) } : {}),
        ...(conversion ? { conversion } : {}),
      };
      return type;
    });
}
