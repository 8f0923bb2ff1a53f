/**
 * The warning of a deprecated CRD version, as upstream's CRD handler sends it: the version's
 * `deprecationWarning` when set, otherwise `<group>/<version> <Kind> is deprecated`, followed by
 * `; use <group>/<version> <Kind>` naming the highest-priority served, non-deprecated version that
 * ranks above the deprecated one.
 */
import { compareVersionPriority } from '../../../versions/version-order.js';
import type { Crd, CrdVersion } from './crd.js';

/** The warning text of a request to `version`, or undefined when it is not deprecated. */
export function crdDeprecationWarning(crd: Crd, version: CrdVersion): string | undefined {
  if (!version.deprecated) return undefined;
  if (typeof version.deprecationWarning === 'string') return version.deprecationWarning;
  const { group, names } = crd.spec;
  const msg = `${group}/${version.name} ${names.kind} is deprecated`;
  // compareVersionPriority sorts the preferred version first: "above" is a negative comparison.
  const better = crd.spec.versions.filter((v) => v.served && !v.deprecated && compareVersionPriority(v.name, version.name) < 0).map((v) => v.name);
  if (better.length === 0) return msg;
  better.sort(compareVersionPriority);
  return `${msg}; use ${group}/${better[0]} ${names.kind}`;
}
