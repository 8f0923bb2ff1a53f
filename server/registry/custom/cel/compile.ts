/**
 * Compilation of a schema's `x-kubernetes-validations`, as upstream's cel.Compile: each rule and
 * messageExpression is parsed once per schema node, references other than `self` and `oldSelf`
 * (and comprehension variables) are refused as cel-go's checker refuses them
 * (`undeclared reference to 'x' (in container '')`), a rule that names `oldSelf` is a transition
 * rule, and the depth of nested comprehensions is kept for the cost bound. Results are cached per
 * schema object.
 */
import { parse, plan, type CelResult } from '@bufbuild/cel';
import { optionalOldSelfEnv, ruleEnv } from './env.js';
import type { JsonSchemaProps } from '../structural.js';

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
  /** `compilation failed: …` of the rule, or of the messageExpression. */
  error?: string;
  messageError?: string;
  usesOldSelf: boolean;
  /** How deeply comprehensions nest (0 for none): the exponent of the cost bound. */
  depth: number;
}

/** What walking an expression found. */
interface Scan {
  undeclared?: { name: string; offset: number };
  usesOldSelf: boolean;
  depth: number;
}

const cache = new WeakMap<JsonSchemaProps, CompiledRule[]>();

/** The rules of one schema node (none when it has no `x-kubernetes-validations`). */
export function rulesOf(schema: JsonSchemaProps): ValidationRule[] {
  const rules = schema['x-kubernetes-validations'];
  return Array.isArray(rules) ? (rules as ValidationRule[]) : [];
}

/** Compile the rules of one schema node (cached per schema object). */
export function compileRules(schema: JsonSchemaProps): CompiledRule[] {
  let out = cache.get(schema);
  if (!out) {
    out = rulesOf(schema).map(compileRule);
    cache.set(schema, out);
  }
  return out;
}

/** Compile one rule and its messageExpression. */
export function compileRule(rule: ValidationRule): CompiledRule {
  const out: CompiledRule = { rule, usesOldSelf: false, depth: 0 };
  const text = typeof rule.rule === 'string' ? rule.rule : '';
  if (text.trim() === '') return out;
  const env = rule.optionalOldSelf === true ? optionalOldSelfEnv() : ruleEnv();
  const compiled = compileExpression(text, env, ['self', 'oldSelf']);
  if ('error' in compiled) {
    out.error = `compilation failed: ${compiled.error}`;
    return out;
  }
  out.program = compiled.program;
  out.usesOldSelf = compiled.scan.usesOldSelf;
  out.depth = compiled.scan.depth;
  if (typeof rule.messageExpression === 'string' && rule.messageExpression.trim() !== '') {
    const msg = compileExpression(rule.messageExpression, env, ['self', 'oldSelf']);
    if ('error' in msg) out.messageError = `messageExpression compilation failed: ${msg.error}`;
    else out.messageProgram = msg.program;
  }
  return out;
}

function compileExpression(text: string, env: ReturnType<typeof ruleEnv>, vars: string[]): { program: Program; scan: Scan } | { error: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (err) {
    return { error: `ERROR: ${(err as Error).message}` };
  }
  const scan: Scan = { usesOldSelf: false, depth: 0 };
  walk(parsed.expr as unknown as Node, new Set(vars), 0, scan, positions(parsed));
  if (scan.undeclared) {
    return { error: `ERROR: <input>:${lineCol(text, scan.undeclared.offset)}: undeclared reference to '${scan.undeclared.name}' (in container '')` };
  }
  const program = plan(env, parsed) as unknown as Program;
  return { program, scan };
}

/** The proto AST as far as the walk reads it. */
interface Node {
  id: bigint | number | string;
  exprKind: { case?: string; value?: Record<string, unknown> };
}

function positions(parsed: ReturnType<typeof parse>): Record<string, number> {
  return ((parsed as unknown as { sourceInfo?: { positions?: Record<string, number> } }).sourceInfo?.positions ?? {}) as Record<string, number>;
}

function lineCol(text: string, offset: number): string {
  const before = [...text].slice(0, offset);
  const line = before.filter((c) => c === '\n').length + 1;
  const lastNl = before.lastIndexOf('\n');
  return `${line}:${offset - lastNl}`;
}

function walk(node: Node | undefined, scope: Set<string>, depth: number, scan: Scan, pos: Record<string, number>): void {
  if (!node?.exprKind?.case || scan.undeclared) return;
  const v = node.exprKind.value ?? {};
  switch (node.exprKind.case) {
    case 'identExpr': {
      const name = v.name as string;
      if (name === 'oldSelf') scan.usesOldSelf = true;
      if (!scope.has(name)) scan.undeclared = { name, offset: pos[String(node.id)] ?? 0 };
      return;
    }
    case 'selectExpr':
      return walk(v.operand as Node, scope, depth, scan, pos);
    case 'callExpr':
      walk(v.target as Node | undefined, scope, depth, scan, pos);
      for (const a of (v.args as Node[]) ?? []) walk(a, scope, depth, scan, pos);
      return;
    case 'listExpr':
      for (const e of (v.elements as Node[]) ?? []) walk(e, scope, depth, scan, pos);
      return;
    case 'structExpr':
      for (const e of (v.entries as { mapKey?: Node; value?: Node }[]) ?? []) {
        walk(e.mapKey, scope, depth, scan, pos);
        walk(e.value, scope, depth, scan, pos);
      }
      return;
    case 'comprehensionExpr': {
      walk(v.iterRange as Node, scope, depth, scan, pos);
      const inner = new Set(scope);
      for (const name of [v.iterVar, v.iterVar2, v.accuVar]) if (typeof name === 'string' && name) inner.add(name);
      scan.depth = Math.max(scan.depth, depth + 1);
      walk(v.accuInit as Node, inner, depth, scan, pos);
      walk(v.loopCondition as Node, inner, depth + 1, scan, pos);
      walk(v.loopStep as Node, inner, depth + 1, scan, pos);
      walk(v.result as Node, inner, depth, scan, pos);
      return;
    }
    default:
      return;
  }
}
