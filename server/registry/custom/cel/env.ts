/**
 * The CEL environment of CRD validation rules for a set of Kubernetes' libraries (see
 * versions/cel.ts for which set each minor declares): the declarations the checker resolves against
 * and the @bufbuild/cel environment rules run in. The runtime environment always carries
 * @bufbuild/cel's standard library with the strings extension and the optional methods
 * (`hasValue`, `value`, `orValue`; null stands for optional.none()); what a rule may call is the
 * checker's business, so a library missing from a minor is refused at compile time, as upstream.
 */
import { CelScalar, celEnv, celMethod, type CelEnv, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { CelLibrary } from '../../../../versions/cel.js';
import { NEWEST_CEL_LIBRARIES } from '../../../../versions/cel.js';
import type { CheckEnv } from './checker.js';
import { method, standardOverloads, stringsOverloads, type Overload } from './overloads.js';
import { BOOL, optional, param } from './types.js';
import { CIDR_LIB, IP_LIB } from './libs/net.js';
import { FORMAT_LIB } from './libs/format.js';
import type { CelLibraryImpl } from './libs/library.js';
import { LISTS } from './libs/lists.js';
import { QUANTITY_LIB } from './libs/quantity.js';
import { REGEX } from './libs/regex.js';
import { SETS } from './libs/sets.js';
import { URLS } from './libs/urls.js';

/** The libraries kube-skew implements, by name; the others in versions/cel.ts are declared-only facts. */
const IMPLEMENTED: Partial<Record<CelLibrary, CelLibraryImpl>> = {
  lists: LISTS,
  regex: REGEX,
  urls: URLS,
  quantity: QUANTITY_LIB,
  sets: SETS,
  ip: IP_LIB,
  cidr: CIDR_LIB,
  format: FORMAT_LIB,
};

const A = param('A');

/** The optional methods: on `oldSelf` of an optionalOldSelf rule, and on format validate() results. */
const OPTIONAL_DECLS: Overload[] = [method('hasValue', optional(A), [], BOOL), method('value', optional(A), [], A), method('orValue', optional(A), [A], A)];
const OPTIONAL_FUNCS: CelFunc[] = [
  celMethod('hasValue', CelScalar.DYN, [], CelScalar.BOOL, function () {
    return this !== null;
  }),
  celMethod('value', CelScalar.DYN, [], CelScalar.DYN, function () {
    if (this === null) throw new Error('optional.none() dereference');
    return this as never;
  }),
  celMethod('orValue', CelScalar.DYN, [CelScalar.DYN], CelScalar.DYN, function (d) {
    return (this === null ? d : this) as never;
  }),
];

/** A checker environment without variables, and the runtime environment, for one library set. */
export interface RuleEnvironment {
  key: string;
  overloads: ReadonlyMap<string, readonly Overload[]>;
  runtime: CelEnv;
}

const cache = new Map<string, RuleEnvironment>();

/** The environment of `libraries` (built once per distinct set). */
export function ruleEnvironment(libraries: readonly CelLibrary[] = NEWEST_CEL_LIBRARIES): RuleEnvironment {
  const key = [...libraries].sort().join(',');
  let env = cache.get(key);
  if (env) return env;
  const has = (l: CelLibrary) => libraries.includes(l);
  const decls: Overload[] = [...standardOverloads(has('cross-type-numeric-comparisons')), ...stringsOverloads(has('strings-v2') ? 2 : 0), ...OPTIONAL_DECLS];
  const funcs: CelFunc[] = [...strings, ...OPTIONAL_FUNCS];
  for (const l of libraries) {
    const impl = IMPLEMENTED[l];
    if (!impl) continue;
    decls.push(...impl.decls);
    for (const f of impl.funcs) if (!funcs.includes(f)) funcs.push(f);
  }
  const overloads = new Map<string, Overload[]>();
  for (const d of decls) overloads.set(d.name, [...(overloads.get(d.name) ?? []), d]);
  env = { key, overloads, runtime: celEnv({ funcs }) };
  cache.set(key, env);
  return env;
}

/** The checker's view of `env` with `variables` declared. */
export function checkEnv(env: RuleEnvironment, variables: CheckEnv['variables']): CheckEnv {
  return { variables, overloads: env.overloads };
}
