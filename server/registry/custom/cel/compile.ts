/**
 * Compilation of a schema's `x-kubernetes-validations`, as upstream's cel.Compile: each rule and
 * messageExpression is parsed and type-checked with `self` (and `oldSelf`, optional for an
 * `optionalOldSelf` rule) of the node's declared type in the environment of a set of Kubernetes'
 * CEL libraries, a rule must be a bool (`cel expression must evaluate to a bool`) and a
 * messageExpression a string, a rule that names `oldSelf` is a transition rule, and the static cost
 * of each is estimated. Results of a schema node are cached per node, resource-root flag and
 * library set.
 */
import { parse, plan, type CelResult } from '@bufbuild/cel';
import type { CelLibrary } from '../../../../versions/cel.js';
import { NEWEST_CEL_LIBRARIES } from '../../../../versions/cel.js';
import type { JsonSchemaProps } from '../structural.js';
import { checkEnv, ruleEnvironment } from './env.js';
import { checkExpression, formatIssues, type Node } from './checker.js';
import { estimateCost } from './cost.js';
import { DYN, declTypeOf, optional, type CelT } from './types.js';

/** One `x-kubernetes-validations` entry. */
export interface ValidationRule {
  rule?: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** An evaluable program: bindings `self`, `oldSelf` → result. */
export type Program = (bindings: Record<string, unknown>) => CelResult;

/** The result of compiling one rule, upstream's CompilationResult. */
export interface CompiledRule {
  rule: ValidationRule;
  /** Undefined for an empty rule (skipped, as upstream). */
  program?: Program;
  messageProgram?: Program;
  /** `compilation failed: …` of the rule (or `cel expression must evaluate to a bool`). */
  error?: string;
  /** `messageExpression compilation failed: …` (or `messageExpression must evaluate to a string`). */
  messageError?: string;
  usesOldSelf: boolean;
  /** How deeply comprehensions nest (0 for none): the exponent of the runtime cost bound. */
  depth: number;
  /** The estimated worst-case cost of one evaluation of the rule (upstream's MaxCost). */
  maxCost: number;
  /** The same for the messageExpression (upstream's MessageExpressionMaxCost). */
  messageMaxCost: number;
  /** The minimum serialized size of `self` (upstream derives MaxCardinality from it). */
  selfMinSize: number;
}

/** The libraries a rule and its messageExpression compile with. */
export interface CompileLibraries {
  rule: readonly CelLibrary[];
  message: readonly CelLibrary[];
}

/**
 * Compiled rules per schema node, then per library set (by identity: the sets are the versions
 * data's own arrays), then per root-ness. Validation asks this for every node of every object, so
 * the lookup builds no key.
 */
const cache = new WeakMap<JsonSchemaProps, WeakMap<readonly CelLibrary[], [CompiledRule[]?, CompiledRule[]?]>>();

/** The rules of one schema node (none when it has no `x-kubernetes-validations`). */
export function rulesOf(schema: JsonSchemaProps): ValidationRule[] {
  const rules = schema['x-kubernetes-validations'];
  return Array.isArray(rules) ? (rules as ValidationRule[]) : [];
}

/** The declared type of `self` at a node (dyn when upstream would not expose the node). */
export function selfTypeOf(schema: JsonSchemaProps, isResourceRoot: boolean): CelT {
  return declTypeOf(schema, isResourceRoot || schema['x-kubernetes-embedded-resource'] === true) ?? DYN;
}

/** Compile the rules of one schema node with one library set for all of them (cached). */
export function compileRules(schema: JsonSchemaProps, isResourceRoot = false, libraries: readonly CelLibrary[] = NEWEST_CEL_LIBRARIES): CompiledRule[] {
  let byLibraries = cache.get(schema);
  if (!byLibraries) cache.set(schema, (byLibraries = new WeakMap()));
  let byRoot = byLibraries.get(libraries);
  if (!byRoot) byLibraries.set(libraries, (byRoot = []));
  const slot = isResourceRoot ? 1 : 0;
  let out = byRoot[slot];
  if (!out) {
    const self = selfTypeOf(schema, isResourceRoot);
    out = rulesOf(schema).map((r) => compileRule(r, self, { rule: libraries, message: libraries }));
    byRoot[slot] = out;
  }
  return out;
}

/** Compile one rule and its messageExpression with `self` of type `self`. */
export function compileRule(rule: ValidationRule, self: CelT, libraries: CompileLibraries): CompiledRule {
  const out: CompiledRule = { rule, usesOldSelf: false, depth: 0, maxCost: 0, messageMaxCost: 0, selfMinSize: self.minSize ?? 1 };
  const text = typeof rule.rule === 'string' ? rule.rule : '';
  if (text.trim() === '') return out;
  const variables = new Map<string, CelT>([
    ['self', self],
    ['oldSelf', rule.optionalOldSelf === true ? optional(self) : self],
  ]);
  const compiled = compileExpression(text, libraries.rule, variables);
  if ('error' in compiled) {
    out.error = `compilation failed: ${compiled.error}`;
    return out;
  }
  if (compiled.type.kind !== 'bool') {
    out.error = 'cel expression must evaluate to a bool';
    return out;
  }
  out.program = compiled.program;
  out.usesOldSelf = compiled.usesOldSelf;
  out.depth = compiled.depth;
  out.maxCost = compiled.cost;
  if (typeof rule.messageExpression === 'string' && rule.messageExpression.trim() !== '') {
    const msg = compileExpression(rule.messageExpression, libraries.message, variables);
    if ('error' in msg) out.messageError = `messageExpression compilation failed: ${msg.error}`;
    else if (msg.type.kind !== 'string') out.messageError = 'messageExpression must evaluate to a string';
    else {
      out.messageProgram = msg.program;
      out.messageMaxCost = msg.cost;
    }
  }
  return out;
}

interface Compiled {
  program: Program;
  type: CelT;
  usesOldSelf: boolean;
  depth: number;
  cost: number;
}

function compileExpression(text: string, libraries: readonly CelLibrary[], variables: ReadonlyMap<string, CelT>): Compiled | { error: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (err) {
    return { error: `ERROR: ${(err as Error).message}` };
  }
  const env = ruleEnvironment(libraries);
  const expr = parsed.expr as unknown as Node;
  const checked = checkExpression(expr, positions(parsed), text, checkEnv(env, variables));
  if (checked.issues.length > 0) return { error: formatIssues(checked.issues, text) };
  const program = plan(env.runtime, parsed) as unknown as Program;
  return { program, type: checked.type, usesOldSelf: checked.usesOldSelf, depth: checked.depth, cost: estimateCost(expr, checked.types, checked.qualified) };
}

function positions(parsed: ReturnType<typeof parse>): Record<string, number> {
  return ((parsed as unknown as { sourceInfo?: { positions?: Record<string, number> } }).sourceInfo?.positions ?? {}) as Record<string, number>;
}
