/**
 * The converter of a custom resource's versions, as apiextensions-apiserver's CRConverter: objects
 * carry their apiVersion (`<group>/<version>`), and the converter returns them at another version of
 * the same CRD. The registry calls it through {@link CustomResourceConversion} on every read (stored
 * version → served version) and every write (served version → storage version).
 */
import type { KubeObject } from '../../object.js';

/** Converts objects between the versions of one CRD. */
export interface ObjectConverter {
  /**
   * `objects` (each with its apiVersion and kind) at `toApiVersion`, in the same order. A list
   * is converted in one call, as upstream's converter converts an UnstructuredList; objects
   * already at `toApiVersion` come back unchanged. `listKind` names a list in error texts.
   * Rejects with a {@link ConversionError}.
   */
  convert(objects: KubeObject[], toApiVersion: string, listKind?: string): Promise<KubeObject[]>;
}

/** A conversion that failed: the message is upstream's error text, answered as a 500. */
export class ConversionError extends Error {
  override readonly name = 'ConversionError';
}

/** True for a {@link ConversionError}. */
export function isConversionError(err: unknown): err is ConversionError {
  return err instanceof ConversionError;
}

/** What a custom resource type needs to store in the storage version and serve in its own. */
export interface CustomResourceConversion {
  /** `<group>/<storage version>`: the version every object is written in. */
  storageApiVersion: string;
  converter: ObjectConverter;
}

/** Strategy `None`: only apiVersion changes, as upstream's nopConverter. */
export const noneConverter: ObjectConverter = {
  async convert(objects, toApiVersion) {
    return objects.map((o) => (o.apiVersion === toApiVersion ? o : { ...o, apiVersion: toApiVersion }));
  },
};

/** Upstream's `schema.GroupVersionKind.String()`: `<group>/<version>, Kind=<kind>`. */
export function gvkString(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return `${group}/${version}, Kind=${kind}`;
}
