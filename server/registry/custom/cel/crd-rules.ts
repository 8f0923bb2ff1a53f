/**
 * The CRD-side check of `x-kubernetes-validations`, as upstream's ValidateCustomResourceDefinition
 * reports it: each rule and messageExpression is compiled against the node's declared type, in
 * the minor's new-expressions environment, or in its stored-expressions environment when the same
 * text is already in the stored CRD (upstream's preexisting expressions). A rule or
 * messageExpression that does not compile refuses the CRD with a field error at
 * `…openAPIV3Schema.properties[spec]….x-kubernetes-validations[i].rule` (or `.messageExpression`)
 * whose value is the rule as Go prints the struct; a rule whose estimated cost (times how often
 * its node can occur, from the maxItems/maxProperties above it) exceeds the per-expression limit,
 * or a schema whose rules together exceed the per-CRD limit, is Forbidden with upstream's
 * "exceeds budget by factor of …" message.
 */
import { GoSyntax, type FieldError } from '../../../errors/status.js';
import type { CelLibrary } from '../../../../versions/cel.js';
import { NEWEST_CEL_LIBRARIES, celEnvironmentFacts } from '../../../../versions/cel.js';
import { additionalSchema, isJsonObject, type JsonSchemaProps } from '../structural.js';
import { compileRule, rulesOf, selfTypeOf, type ValidationRule } from './compile.js';
import { MAX_COST } from './cost.js';
import { maxCardinality } from './types.js';

/** Upstream's StaticEstimatedCostLimit: one rule's estimated cost. */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
/** Upstream's StaticEstimatedCRDCostLimit: all rules of one schema. */
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;

/** The CEL side of a CRD check: the minor's environments and the stored CRD's expressions. */
export interface CrdRuleOptions {
  newExpressions: readonly CelLibrary[];
  storedExpressions: readonly CelLibrary[];
  /** Rules and messageExpressions of the stored CRD (empty on create). */
  preexisting: { rules: ReadonlySet<string>; messageExpressions: ReadonlySet<string> };
}

/** Options for code that has no minor: the newest environment for everything. */
export const NEWEST_RULE_OPTIONS: CrdRuleOptions = {
  newExpressions: NEWEST_CEL_LIBRARIES,
  storedExpressions: NEWEST_CEL_LIBRARIES,
  preexisting: { rules: new Set(), messageExpressions: new Set() },
};

/** Every rule and messageExpression under `schemas` (upstream's findPreexistingExpressions). */
export function preexistingExpressions(schemas: readonly unknown[]): CrdRuleOptions['preexisting'] {
  const rules = new Set<string>();
  const messageExpressions = new Set<string>();
  const visit = (s: unknown): void => {
    if (!isJsonObject(s)) return;
    const schema = s as JsonSchemaProps;
    for (const r of rulesOf(schema)) {
      if (typeof r?.rule === 'string') rules.add(r.rule);
      if (typeof r?.messageExpression === 'string' && r.messageExpression !== '') messageExpressions.add(r.messageExpression);
    }
    for (const child of Object.values(schema.properties ?? {})) visit(child);
    visit(schema.items);
    visit(additionalSchema(schema));
  };
  schemas.forEach(visit);
  return { rules, messageExpressions };
}

/** The options of a CRD check by a server of `minor` (newest when undefined), with the stored CRD's schemas. */
export function crdRuleOptions(minor: string | undefined, oldSchemas: readonly unknown[]): CrdRuleOptions {
  const facts = minor ? celEnvironmentFacts(minor) : { newExpressions: NEWEST_CEL_LIBRARIES, storedExpressions: NEWEST_CEL_LIBRARIES };
  return { ...facts, preexisting: preexistingExpressions(oldSchemas) };
}

/** `apiextensions.ValidationRule{…}` as `%#v` prints it. */
function goRule(r: ValidationRule): GoSyntax {
  const str = (v: unknown): string => JSON.stringify(typeof v === 'string' ? v : '');
  const reason = typeof r.reason === 'string' ? `(*apiextensions.FieldValueErrorReason)(${JSON.stringify(r.reason)})` : '(*apiextensions.FieldValueErrorReason)(nil)';
  const optional = typeof r.optionalOldSelf === 'boolean' ? `(*bool)(${r.optionalOldSelf})` : '(*bool)(nil)';
  return new GoSyntax(`apiextensions.ValidationRule{Rule:${str(r.rule)}, Message:${str(r.message)}, MessageExpression:${str(r.messageExpression)}, Reason:${reason}, FieldPath:${str(r.fieldPath)}, OptionalOldSelf:${optional}}`);
}

/** Go's `%f` of a float (six decimals). */
const goFloat = (x: number) => x.toFixed(6);

/** Upstream's getCostErrorMessage. */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const text = factor > 100 ? 'more than 100x' : factor < 1.5 ? `${goFloat(factor)}x` : `${factor.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${text} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

const mulSat = (a: number, b: number) => (a === 0 ? 0 : Math.min(MAX_COST, a * b));

/** How many more times a child can occur per occurrence of `s` (undefined: unbounded), upstream's extractMaxElements. */
function maxElements(s: JsonSchemaProps): number | undefined {
  const num = (v: unknown) => (typeof v === 'number' ? Math.max(0, v) : undefined);
  if (s.type === 'object') return s.additionalProperties !== undefined && s.additionalProperties !== null && s.additionalProperties !== false ? num(s.maxProperties) : 1;
  if (s.type === 'array') return num(s.maxItems);
  return 1;
}

interface Walk {
  opts: CrdRuleOptions;
  errors: FieldError[];
  total: number;
  /** The (up to four) dearest expressions of at least 1% of the CRD limit, dearest first. */
  mostExpensive: { path: string; cost: number }[];
}

function observe(w: Walk, path: string, cost: number): void {
  w.total = Math.min(MAX_COST, w.total + cost);
  if (cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100) return;
  w.mostExpensive.push({ path, cost });
  w.mostExpensive.sort((a, b) => b.cost - a.cost);
  w.mostExpensive.length = Math.min(w.mostExpensive.length, 4);
}

function visit(w: Walk, schema: JsonSchemaProps, path: string, isRoot: boolean, cardinality: number | undefined): void {
  const child = (s: unknown, at: string) => {
    if (!isJsonObject(s)) return;
    const factor = maxElements(schema);
    visit(w, s as JsonSchemaProps, at, false, cardinality === undefined || factor === undefined ? undefined : mulSat(cardinality, factor));
  };
  const additional = additionalSchema(schema);
  if (additional) child(additional, `${path}.additionalProperties`);
  for (const key of Object.keys(schema.properties ?? {}).sort()) child(schema.properties![key], `${path}.properties[${key}]`);
  if (schema.items) child(schema.items, `${path}.items`);

  const rules = rulesOf(schema);
  if (rules.length === 0) return;
  const self = selfTypeOf(schema, isRoot);
  rules.forEach((rule, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    if (typeof rule.rule !== 'string' || rule.rule.trim() === '') {
      w.errors.push({ type: 'FieldValueRequired', field: `${at}.rule`, detail: '' });
      return;
    }
    const libs = (stored: boolean) => (stored ? w.opts.storedExpressions : w.opts.newExpressions);
    const compiled = compileRule(rule, self, {
      rule: libs(w.opts.preexisting.rules.has(rule.rule)),
      message: libs(typeof rule.messageExpression === 'string' && w.opts.preexisting.messageExpressions.has(rule.messageExpression)),
    });
    const cost = mulSat(compiled.maxCost, cardinality ?? maxCardinality(compiled.selfMinSize));
    if (cost > STATIC_ESTIMATED_COST_LIMIT) w.errors.push({ type: 'FieldValueForbidden', field: `${at}.rule`, detail: costErrorMessage('estimated rule cost', cost, STATIC_ESTIMATED_COST_LIMIT) });
    observe(w, `${at}.rule`, cost);
    if (compiled.error) w.errors.push({ type: 'FieldValueInvalid', field: `${at}.rule`, value: goRule(rule), detail: compiled.error });
    if (compiled.messageError) w.errors.push({ type: 'FieldValueInvalid', field: `${at}.messageExpression`, value: goRule(rule), detail: compiled.messageError });
    else if (compiled.messageProgram) {
      if (compiled.messageMaxCost > STATIC_ESTIMATED_COST_LIMIT) {
        w.errors.push({ type: 'FieldValueForbidden', field: `${at}.messageExpression`, detail: costErrorMessage('estimated messageExpression cost', compiled.messageMaxCost, STATIC_ESTIMATED_COST_LIMIT) });
      }
      observe(w, `${at}.messageExpression`, compiled.messageMaxCost);
    }
  });
}

/**
 * The compile and cost errors of every rule under `schema` (an `openAPIV3Schema` at `path`), then
 * the per-CRD total's errors: the dearest rules and the schema itself.
 */
export function validateSchemaRules(schema: JsonSchemaProps | undefined, path: string, opts: CrdRuleOptions = NEWEST_RULE_OPTIONS): FieldError[] {
  if (!schema || typeof schema !== 'object') return [];
  const w: Walk = { opts, errors: [], total: 0, mostExpensive: [] };
  visit(w, schema, path, true, 1);
  if (w.total > STATIC_ESTIMATED_CRD_COST_LIMIT) {
    for (const e of w.mostExpensive) w.errors.push({ type: 'FieldValueForbidden', field: e.path, detail: 'contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema' });
    w.errors.push({
      type: 'FieldValueForbidden',
      field: path,
      detail: costErrorMessage('x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema', w.total, STATIC_ESTIMATED_CRD_COST_LIMIT),
    });
  }
  return w.errors;
}
