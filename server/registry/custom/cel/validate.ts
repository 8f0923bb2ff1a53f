/**
 * Evaluation of `x-kubernetes-validations`, as upstream's cel.Validator: the schema is walked with
 * the object (and the old object on update); each node's rules run with `self` bound to the node;
 * a transition rule (one naming `oldSelf`) runs only when the old value exists, unless it is an
 * `optionalOldSelf` rule and the minor has CRDValidationRatcheting. A false rule is a field error at
 * the node (`<nil>` for the root, `fieldPath` appended) with the schema type as value and the rule's
 * message, its messageExpression, or `failed rule: <rule>`; `reason` picks the error type. Runaway
 * rules are refused by a cost bound (see {@link ruleCost}).
 */
import type { FieldError } from '../../../errors/status.js';
import { additionalSchema, childPath, isJsonObject, type JsonSchemaProps } from '../structural.js';
import { compileRules, rulesOf, type CompiledRule } from './compile.js';
import { toCel } from './values.js';
import { isCelError } from '@bufbuild/cel';
import type { CelLibrary } from '../../../../versions/cel.js';

/** Upstream's per-request budget (celconfig.RuntimeCELCostBudget). */
export const RUNTIME_COST_BUDGET = 10_000_000;
/** Upstream's per-call limit (celconfig.PerCallLimit). */
export const PER_CALL_LIMIT = 1_000_000;

/** The root path as upstream prints a nil field.Path. */
export const ROOT_PATH = '<nil>';

/** Options of {@link validateRules}. */
export interface RuleOptions {
  /** Whether `optionalOldSelf` rules run without an old value (CRDValidationRatcheting). */
  optionalOldSelf: boolean;
  /** The CEL libraries rules compile with: the minor's stored-expressions set (default: the newest). */
  libraries?: readonly CelLibrary[];
}

interface Walk {
  errors: FieldError[];
  budget: number;
  opts: RuleOptions;
}

const hasRulesCache = new WeakMap<JsonSchemaProps, boolean>();

/**
 * Whether any node of `schema` (properties, items, additionalProperties, recursively) has
 * `x-kubernetes-validations`, as upstream's hasXValidations: without any, upstream builds no CEL
 * validator at all, and nothing about rules is reported.
 */
export function hasRules(schema: JsonSchemaProps | undefined): boolean {
  if (!schema) return false;
  let found = hasRulesCache.get(schema);
  if (found === undefined) {
    const children = [...Object.values(schema.properties ?? {}), schema.items, additionalSchema(schema)];
    found = rulesOf(schema).length > 0 || children.some((child) => isJsonObject(child) && hasRules(child as JsonSchemaProps));
    hasRulesCache.set(schema, found);
  }
  return found;
}

/** Evaluate every rule of `schema` against `obj` (and `old` on update); returns field errors. */
export function validateRules(schema: JsonSchemaProps | undefined, obj: unknown, old: unknown, opts: RuleOptions): FieldError[] {
  if (!schema) return [];
  const w: Walk = { errors: [], budget: RUNTIME_COST_BUDGET, opts };
  visit(w, schema, obj, old, '', true);
  return w.errors;
}

function visit(w: Walk, s: JsonSchemaProps, obj: unknown, old: unknown, path: string, isRoot = false): void {
  if (obj === null || obj === undefined || w.budget < 0) return;
  evaluate(w, s, obj, old, path, isRoot);
  if (w.budget < 0) return;
  if (Array.isArray(obj)) {
    if (!s.items) return;
    const keys = s['x-kubernetes-list-type'] === 'map' ? ((s['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) : undefined;
    const oldItems = Array.isArray(old) ? old : [];
    obj.forEach((item, i) => {
      const oldItem = keys ? oldItems.find((o) => isJsonObject(o) && isJsonObject(item) && keys.every((k) => JSON.stringify(o[k]) === JSON.stringify(item[k]))) : undefined;
      visit(w, s.items!, item, oldItem, `${path}[${i}]`);
    });
    return;
  }
  if (!isJsonObject(obj)) return;
  const oldObj = isJsonObject(old) ? old : undefined;
  const additional = additionalSchema(s);
  for (const key of Object.keys(obj)) {
    if (isRoot && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const prop = s.properties?.[key];
    if (prop) visit(w, prop, obj[key], oldObj?.[key], childPath(path, key));
    else if (additional) visit(w, additional, obj[key], oldObj?.[key], `${path}[${key}]`);
  }
}

/** Number of values in a JSON tree: the size a comprehension can range over. */
function sizeOf(v: unknown): number {
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + sizeOf(x), 1);
  if (isJsonObject(v)) return Object.values(v).reduce<number>((n, x) => n + sizeOf(x), 1);
  return 1;
}

/**
 * The cost kube-skew charges a rule: the data size raised to its comprehension nesting. Not
 * cel-go's cost model (which counts every operation); a bound that refuses runaway rules.
 */
export function ruleCost(rule: CompiledRule, size: number): number {
  return rule.depth === 0 ? 1 : Math.pow(Math.max(size, 1), rule.depth);
}

function ruleText(rule: CompiledRule): string {
  return (rule.rule.rule ?? '').trim();
}

function evaluate(w: Walk, s: JsonSchemaProps, obj: unknown, old: unknown, path: string, isRoot: boolean): void {
  const compiled = compileRules(s, isRoot, w.opts.libraries);
  if (compiled.length === 0) return;
  const here = path || ROOT_PATH;
  const type = s.type ?? '';
  const invalid = (detail: string, at = here): FieldError => ({ type: 'FieldValueInvalid', field: at, value: type, detail });
  if (w.budget <= 0) {
    w.errors.push(invalid('validation failed due to running out of cost budget, no further validation rules will be run'));
    w.budget = -1;
    return;
  }
  const self = toCel(obj, s, isRoot);
  const hasOld = old !== null && old !== undefined;
  const oldSelf = hasOld ? toCel(old, s, isRoot) : null;
  const size = compiled.some((c) => c.depth > 0) ? sizeOf(obj) + (hasOld ? sizeOf(old) : 0) : 0;
  for (const c of compiled) {
    if (c.error) {
      w.errors.push(invalid(`rule compile error: ${c.error}`));
      continue;
    }
    if (!c.program) continue;
    const optional = c.rule.optionalOldSelf === true && w.opts.optionalOldSelf;
    if (c.usesOldSelf && !hasOld && !optional) continue;
    const cost = ruleCost(c, size);
    if (cost > PER_CALL_LIMIT) {
      w.errors.push(invalid(`'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleText(c)}`));
      w.budget = -1;
      return;
    }
    if (cost > w.budget) {
      w.errors.push(invalid('validation failed due to running out of cost budget, no further validation rules will be run'));
      w.budget = -1;
      return;
    }
    w.budget -= cost;
    const bindings = { self, oldSelf };
    const result = c.program(bindings);
    if (isCelError(result)) {
      w.errors.push(invalid(`${celErrorText(result.message)} evaluating rule: ${ruleText(c)}`));
      continue;
    }
    if (result === true) continue;
    const at = c.rule.fieldPath ? childPath(path, c.rule.fieldPath.replace(/^\./, '')) || ROOT_PATH : here;
    w.errors.push(errorForReason(c.rule.reason, at, type, messageOf(c, bindings)));
  }
}

/** cel-go's wording of the runtime errors @bufbuild/cel words differently. */
function celErrorText(message: string): string {
  const m = /^field not found: (.*)$/.exec(message);
  return m ? `no such key: ${m[1]}` : message;
}

/** The message of a failed rule: messageExpression's result, the message, or upstream's default. */
function messageOf(c: CompiledRule, bindings: Record<string, unknown>): string {
  if (c.messageProgram) {
    const out = c.messageProgram(bindings);
    if (typeof out === 'string' && out.trim() !== '' && !out.includes('\n')) return out;
  }
  if (c.rule.message) return c.rule.message;
  return `failed rule: ${ruleText(c)}`;
}

/** Upstream's fieldErrorForReason. */
function errorForReason(reason: string | undefined, field: string, type: string, detail: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return { type: 'FieldValueForbidden', field, detail };
    case 'FieldValueRequired':
      return { type: 'FieldValueRequired', field, detail };
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field, value: type };
    default:
      return { type: 'FieldValueInvalid', field, value: type, detail };
  }
}
