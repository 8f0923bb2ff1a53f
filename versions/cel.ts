/**
 * Per-minor facts of the CEL environment CRD validation rules compile in: which of Kubernetes' CEL
 * libraries and language options a minor's kube-apiserver declares, for new expressions (a CRD
 * create, or a rule an update adds) and for stored expressions (rules already in the stored CRD,
 * and every rule when custom resources are validated).
 *
 * Upstream (staging/src/k8s.io/apiserver/pkg/cel/environment/base.go, from 1.28): the base
 * environment is a list of options each with the version it was introduced in; a server builds
 * its NewExpressions environment at DefaultCompatibilityVersion() and its StoredExpressions
 * environment at its own version. DefaultCompatibilityVersion() was 1.27 in 1.28, and has been one
 * minor below the binary since (the min-compatibility version from 1.31 on). Before 1.28 there was
 * one environment: cel-go's standard library, the strings extension (version 0) and
 * k8s.io/apiserver/pkg/cel/library's URLs, Regex and Lists (plus Authz in 1.27, which CRD rules
 * cannot use: it needs an `authorizer` variable).
 */

/** A library or language option of Kubernetes' CEL base environment. */
export type CelLibrary =
  /** cel-go's strings extension, version 0 (charAt … upperAscii). */
  | 'strings-v0'
  /** The strings extension at version 2 (adds format, quote, join on lists). 1.29 */
  | 'strings-v2'
  /** Kubernetes' URL library: url(), isURL(), getScheme() … */
  | 'urls'
  /** Kubernetes' regex library: find(), findAll(). */
  | 'regex'
  /** Kubernetes' lists library: isSorted(), sum(), min(), max(), indexOf(), lastIndexOf(). */
  | 'lists'
  /** cel.CrossTypeNumericComparisons: `1 < 2.0` type-checks. 1.28 */
  | 'cross-type-numeric-comparisons'
  /** cel.OptionalTypes: `?.`, optional.of() … (kube-skew's parser has no optional syntax). 1.28 */
  | 'optional-types'
  /** Kubernetes' quantity library. 1.28 */
  | 'quantity'
  /** cel-go's sets extension: sets.contains, sets.equivalent, sets.intersects. 1.29 */
  | 'sets'
  /** Kubernetes' IP and CIDR libraries. 1.30 */
  | 'ip'
  | 'cidr'
  /** Kubernetes' format library: format.dns1123Label() … .validate(). 1.31 */
  | 'format'
  /** cel-go's two-variable comprehensions (not provided by kube-skew's parser). 1.32 */
  | 'two-var-comprehensions'
  /** Kubernetes' semver library. 1.33 */
  | 'semver'
  /** cel-go's lists extension version 3 (not provided by kube-skew). 1.34 */
  | 'ext-lists';

/** The CEL environments of one minor's CRD validation. */
export interface CelEnvironmentFacts {
  /** Libraries a new rule may use (the environment at the compatibility version). */
  newExpressions: readonly CelLibrary[];
  /** Libraries a stored rule may use, and custom resources are validated with. */
  storedExpressions: readonly CelLibrary[];
}

/** The base environment at each compatibility version, as base.go's IntroducedVersion/RemovedVersion give it. */
const PRE_128: readonly CelLibrary[] = ['strings-v0', 'urls', 'regex', 'lists'];
const AT_128: readonly CelLibrary[] = [...PRE_128, 'cross-type-numeric-comparisons', 'optional-types', 'quantity'];
// 1.29 replaces strings version 0 by version 2 (RemovedVersion 1.29) and adds sets.
const AT_129: readonly CelLibrary[] = ['strings-v2', 'urls', 'regex', 'lists', 'cross-type-numeric-comparisons', 'optional-types', 'quantity', 'sets'];
const AT_130: readonly CelLibrary[] = [...AT_129, 'ip', 'cidr'];
const AT_131: readonly CelLibrary[] = [...AT_130, 'format'];
const AT_132: readonly CelLibrary[] = [...AT_131, 'two-var-comprehensions'];
const AT_133: readonly CelLibrary[] = [...AT_132, 'semver'];
// ext.Lists(ListsVersion(3)) at 1.34 is in one stored version of base.go and not in another
// (which has library.Image at 1.33 instead); kube-skew follows the one with ext.Lists and has no Image.
const AT_134: readonly CelLibrary[] = [...AT_133, 'ext-lists'];

/** Per minor: new expressions at the compatibility version, stored ones at the minor itself. */
const TABLE: Record<string, CelEnvironmentFacts> = {
  '1.25': { newExpressions: PRE_128, storedExpressions: PRE_128 },
  '1.26': { newExpressions: PRE_128, storedExpressions: PRE_128 },
  '1.27': { newExpressions: PRE_128, storedExpressions: PRE_128 },
  '1.28': { newExpressions: PRE_128, storedExpressions: AT_128 },
  '1.29': { newExpressions: AT_128, storedExpressions: AT_129 },
  '1.30': { newExpressions: AT_129, storedExpressions: AT_130 },
  '1.31': { newExpressions: AT_130, storedExpressions: AT_131 },
  '1.32': { newExpressions: AT_131, storedExpressions: AT_132 },
  '1.33': { newExpressions: AT_132, storedExpressions: AT_133 },
  '1.34': { newExpressions: AT_133, storedExpressions: AT_134 },
  '1.35': { newExpressions: AT_134, storedExpressions: AT_134 },
  '1.36': { newExpressions: AT_134, storedExpressions: AT_134 },
  // Not confirmed: no 1.37 base.go was read; no library is known to be introduced at 1.36 or 1.37.
  '1.37': { newExpressions: AT_134, storedExpressions: AT_134 },
};

/** The newest environment: what code that has no minor (unit tests of rules) compiles with. */
export const NEWEST_CEL_LIBRARIES: readonly CelLibrary[] = AT_134;

/** The CEL environments of a supported minor (`1.30`). */
export function celEnvironmentFacts(minor: string): CelEnvironmentFacts {
  const facts = TABLE[minor];
  if (!facts) throw new Error(`no CEL environment data for ${minor}`);
  return facts;
}
