/**
 * Where upstream reports a CRD's per-version fields. apiextensions-apiserver validates the internal
 * form of a v1 CRD, into which conversion lifts `schema`, `subresources`,
 * `additionalPrinterColumns` and `selectableFields` to the spec when every version has the same
 * value (a CRD of one version always): errors then name `spec.validation.openAPIV3Schema…`,
 * `spec.subresources…`, `spec.additionalPrinterColumns[i]…` and `spec.selectableFields[i]…`, and
 * otherwise `spec.versions[i].…`. Conversion's webhook fields are named as the internal form has
 * them too (`spec.conversion.webhookClientConfig`, `spec.conversion.conversionReviewVersions`).
 */
import type { Crd, CrdVersion } from './crd.js';

/** One place a per-version value is validated: its field path and value. */
export interface LaidOut<T> {
  path: string;
  value: T;
  /** The version it belongs to, or undefined when lifted to the spec. */
  version?: CrdVersion;
}

/** The per-version fields of a CRD, at the paths upstream's validation names them. */
export interface CrdLayout {
  /** `schema` values (`{openAPIV3Schema}`), lifted or per version; versions without one are absent. */
  schemas: LaidOut<NonNullable<CrdVersion['schema']>>[];
  /** True when the schema is lifted (every version has the same one, or none at all). */
  schemaLifted: boolean;
  subresources: LaidOut<NonNullable<CrdVersion['subresources']>>[];
  columns: LaidOut<NonNullable<CrdVersion['additionalPrinterColumns']>>[];
  selectableFields: LaidOut<NonNullable<CrdVersion['selectableFields']>>[];
}

/** Deep equality of JSON values (key order ignored), as apiequality.Semantic.DeepEqual on decoded values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ak = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The values of `key`: once at `liftedPath` when `identical`, else per version that has one. */
function lift<K extends 'schema' | 'subresources' | 'additionalPrinterColumns' | 'selectableFields'>(
  versions: CrdVersion[],
  key: K,
  liftedPath: string,
  versionPath: (i: number) => string,
  identical: boolean,
): LaidOut<NonNullable<CrdVersion[K]>>[] {
  if (identical) {
    const value = versions[0]?.[key];
    return value === undefined || value === null ? [] : [{ path: liftedPath, value: value as NonNullable<CrdVersion[K]> }];
  }
  const out: LaidOut<NonNullable<CrdVersion[K]>>[] = [];
  versions.forEach((v, i) => {
    const value = v?.[key];
    if (value !== undefined && value !== null) out.push({ path: versionPath(i), value: value as NonNullable<CrdVersion[K]>, version: v });
  });
  return out;
}

function allSame(versions: CrdVersion[], key: keyof CrdVersion): boolean {
  return versions.every((v) => jsonEqual(v?.[key], versions[0]?.[key]));
}

/** The layout of `crd`'s per-version fields. */
export function crdLayout(crd: Crd): CrdLayout {
  const versions = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  const schemaSame = allSame(versions, 'schema');
  const selectableSame = schemaSame && allSame(versions, 'selectableFields');
  return {
    schemas: lift(versions, 'schema', 'spec.validation', (i) => `spec.versions[${i}].schema`, schemaSame),
    schemaLifted: schemaSame && versions.length > 0,
    subresources: lift(versions, 'subresources', 'spec.subresources', (i) => `spec.versions[${i}].subresources`, allSame(versions, 'subresources')),
    columns: lift(versions, 'additionalPrinterColumns', 'spec.additionalPrinterColumns', (i) => `spec.versions[${i}].additionalPrinterColumns`, allSame(versions, 'additionalPrinterColumns')),
    selectableFields: lift(versions, 'selectableFields', 'spec.selectableFields', (i) => `spec.versions[${i}].selectableFields`, selectableSame),
  };
}
