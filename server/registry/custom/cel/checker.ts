/**
 * Type checking of a parsed CEL expression, as cel-go's checker does it for CRD rules
 * (@bufbuild/cel's own checker only types constants and identifiers): identifiers resolve to the
 * declared variables, comprehension variables or type names; field selection follows the declared
 * object types (`undefined field 'foo'`); calls resolve against the environment's overloads with
 * type parameters (`found no matching overload for '_>_' applied to '(int, string)'`, or
 * `undeclared reference to 'f' (in container '')` for an unknown function); list and map literals
 * must be homogeneous. Errors carry the source offset cel-go reports them at and are formatted as
 * cel-go's Issues.String(), source snippet included.
 *
 * Not modelled: optional syntax (`?.`, `[?]`) and two-variable comprehensions, which kube-skew's
 * parser does not accept; struct literals; dotted type names beyond the well-known ones.
 */
import type { Overload } from './overloads.js';
import { TYPE_IDENTS } from './overloads.js';
import { BOOL, BYTES, DOUBLE, DURATION, DYN, ERROR, INT, NULL, STRING, TIMESTAMP, UINT, list, map, typeName, type CelT } from './types.js';

/** The proto AST as the checker reads it. */
export interface Node {
  id: bigint | number | string;
  exprKind: { case?: string; value?: any };
}

/** The declarations an expression is checked against. */
export interface CheckEnv {
  variables: ReadonlyMap<string, CelT>;
  /** Overloads by function name (qualified names like `sets.contains` included). */
  overloads: ReadonlyMap<string, readonly Overload[]>;
}

/** One checker error: where (code-point offset) and what. */
export interface CheckIssue {
  offset: number;
  message: string;
}

/** The result of checking: the expression's type, every node's type, and the issues found. */
export interface Checked {
  type: CelT;
  types: Map<string, CelT>;
  issues: CheckIssue[];
  /** Whether `oldSelf` is referenced (a transition rule). */
  usesOldSelf: boolean;
  /** The deepest nesting of comprehensions (0 for none). */
  depth: number;
  /** Calls resolved as qualified global functions (`sets.contains`), by node id. */
  qualified: Map<string, string>;
}

type Bindings = Map<string, CelT>;

function isDynLike(t: CelT): boolean {
  return t.kind === 'dyn' || t.kind === 'error';
}

function resolve(t: CelT, b: Bindings): CelT {
  switch (t.kind) {
    case 'param':
      return b.has(t.name) ? resolve(b.get(t.name)!, b) : DYN;
    case 'list':
      return { ...t, elem: resolve(t.elem, b) };
    case 'map':
      return { ...t, key: resolve(t.key, b), value: resolve(t.value, b) };
    case 'optional':
    case 'type':
      return { ...t, of: resolve(t.of, b) };
    default:
      return t;
  }
}

/** Whether a value of type `a` may be passed where `p` is expected, binding `p`'s type parameters. */
function assignable(p: CelT, a: CelT, b: Bindings): boolean {
  if (p.kind === 'param') {
    const bound = b.get(p.name);
    if (!bound) {
      b.set(p.name, a);
      return true;
    }
    if (assignable(resolve(bound, b), a, new Map())) return true;
    if (assignable(a, resolve(bound, b), new Map())) {
      b.set(p.name, a);
      return true;
    }
    return false;
  }
  if (isDynLike(a) || isDynLike(p)) return true;
  if (a.kind === 'null') return p.kind === 'null' || p.kind === 'object' || p.kind === 'timestamp' || p.kind === 'duration';
  if (a.kind === 'param') return true;
  if (p.kind !== a.kind) return false;
  switch (p.kind) {
    case 'list':
      return assignable(p.elem, (a as typeof p).elem, b);
    case 'map':
      return assignable(p.key, (a as typeof p).key, b) && assignable(p.value, (a as typeof p).value, b);
    case 'optional':
    case 'type':
      return assignable(p.of, (a as typeof p).of, b);
    case 'object':
      return p === a || (p.name === (a as typeof p).name && p.fields === (a as typeof p).fields);
    case 'opaque':
      return p.name === (a as typeof p).name;
    default:
      return true;
  }
}

/** Join of two types for a literal's element type or a ternary (dyn when they differ). */
function join(a: CelT, b: CelT): CelT {
  if (isDynLike(a)) return b;
  if (isDynLike(b)) return a;
  return assignable(a, b, new Map()) && assignable(b, a, new Map()) ? a : DYN;
}

class Checker {
  readonly types = new Map<string, CelT>();
  readonly issues: CheckIssue[] = [];
  readonly qualified = new Map<string, string>();
  usesOldSelf = false;
  depth = 0;
  constructor(
    private readonly env: CheckEnv,
    private readonly positions: Record<string, number>,
    private readonly text: string,
  ) {}

  private pos(node: Node): number {
    return this.positions[String(node.id)] ?? 0;
  }

  /** cel-go places a call's errors at its opening parenthesis. */
  private callPos(node: Node): number {
    const at = this.pos(node);
    const chars = [...this.text];
    for (let i = at; i < chars.length; i++) if (chars[i] === '(') return i;
    return at;
  }

  private error(offset: number, message: string): CelT {
    this.issues.push({ offset, message });
    return ERROR;
  }

  private set(node: Node, t: CelT): CelT {
    this.types.set(String(node.id), t);
    return t;
  }

  check(node: Node, scope: Map<string, CelT>, depth: number): CelT {
    return this.set(node, this.checkKind(node, scope, depth));
  }

  private checkKind(node: Node, scope: Map<string, CelT>, depth: number): CelT {
    const v = node.exprKind.value ?? {};
    switch (node.exprKind.case) {
      case 'constExpr':
        return constType(v.constantKind?.case);
      case 'identExpr':
        return this.ident(node, v.name as string, scope);
      case 'selectExpr':
        return this.select(node, v, scope, depth);
      case 'callExpr':
        return this.call(node, v, scope, depth);
      case 'listExpr': {
        let elem: CelT | undefined;
        for (const e of (v.elements as Node[]) ?? []) {
          const t = this.check(e, scope, depth);
          if (elem === undefined || isDynLike(elem)) elem = t;
          else if (!isDynLike(t) && !(assignable(elem, t, new Map()) && assignable(t, elem, new Map()))) this.error(this.pos(e), `expected type '${typeName(elem)}' but found '${typeName(t)}'`);
        }
        return list(elem ?? DYN);
      }
      case 'structExpr': {
        if (v.messageName) return this.error(this.pos(node), `undeclared reference to '${v.messageName}' (in container '')`);
        let key: CelT | undefined;
        let value: CelT | undefined;
        for (const e of (v.entries as { mapKey?: Node; value?: Node }[]) ?? []) {
          const k = e.mapKey ? this.check(e.mapKey, scope, depth) : DYN;
          const val = e.value ? this.check(e.value, scope, depth) : DYN;
          key = key === undefined ? k : join(key, k);
          value = value === undefined ? val : join(value, val);
        }
        return map(key ?? DYN, value ?? DYN);
      }
      case 'comprehensionExpr':
        return this.comprehension(v, scope, depth);
      default:
        return DYN;
    }
  }

  private ident(node: Node, name: string, scope: Map<string, CelT>): CelT {
    if (name === 'oldSelf') this.usesOldSelf = true;
    const local = scope.get(name);
    if (local) return local;
    const variable = this.env.variables.get(name);
    if (variable) return variable;
    const type = TYPE_IDENTS.get(name);
    if (type) return type;
    return this.error(this.pos(node), `undeclared reference to '${name}' (in container '')`);
  }

  /** A dotted name made only of identifiers (`google.protobuf.Timestamp`, `sets`), or undefined. */
  private qualifiedName(node: Node | undefined, scope: Map<string, CelT>): string | undefined {
    if (!node) return undefined;
    if (node.exprKind.case === 'identExpr') {
      const name = node.exprKind.value?.name as string;
      return scope.has(name) || this.env.variables.has(name) ? undefined : name;
    }
    if (node.exprKind.case === 'selectExpr' && !node.exprKind.value?.testOnly) {
      const inner = this.qualifiedName(node.exprKind.value?.operand as Node, scope);
      return inner === undefined ? undefined : `${inner}.${node.exprKind.value?.field}`;
    }
    return undefined;
  }

  private select(node: Node, v: any, scope: Map<string, CelT>, depth: number): CelT {
    const qualified = this.qualifiedName(node, scope);
    if (qualified && TYPE_IDENTS.has(qualified)) return TYPE_IDENTS.get(qualified)!;
    const operand = this.check(v.operand as Node, scope, depth);
    const field = v.field as string;
    // cel-go places a has() test at the macro's opening parenthesis.
    const result = this.fieldType(operand, field, v.testOnly ? this.callPos(node) : this.pos(node));
    return v.testOnly ? (result.kind === 'error' ? result : BOOL) : result;
  }

  private fieldType(operand: CelT, field: string, at: number): CelT {
    switch (operand.kind) {
      case 'dyn':
      case 'error':
        return DYN;
      case 'map':
        return operand.value;
      case 'object': {
        const t = operand.fields.get(field);
        return t ?? this.error(at, `undefined field '${field}'`);
      }
      default:
        return this.error(at, `type '${typeName(operand)}' does not support field selection`);
    }
  }

  private call(node: Node, v: any, scope: Map<string, CelT>, depth: number): CelT {
    const name = v.function as string;
    const target = v.target as Node | undefined;
    const argNodes = (v.args as Node[]) ?? [];
    // A receiver that is only a dotted name of no variable makes a qualified global call (`sets.contains(…)`).
    if (target) {
      const qualifier = this.qualifiedName(target, scope);
      if (qualifier && this.env.overloads.has(`${qualifier}.${name}`)) {
        this.qualified.set(String(node.id), `${qualifier}.${name}`);
        return this.resolveCall(node, `${qualifier}.${name}`, false, argNodes.map((a) => this.check(a, scope, depth)));
      }
    }
    if (name === '_&&_' || name === '_||_' || name === '_?_:_') {
      // cel-go checks the operands even when one is an error, so report them all.
      const args = argNodes.map((a) => this.check(a, scope, depth));
      return this.resolveCall(node, name, false, args);
    }
    const targetType = target ? this.check(target, scope, depth) : undefined;
    const args = argNodes.map((a) => this.check(a, scope, depth));
    return this.resolveCall(node, name, targetType !== undefined, targetType ? [targetType, ...args] : args);
  }

  private resolveCall(node: Node, name: string, member: boolean, args: CelT[]): CelT {
    const overloads = this.env.overloads.get(name);
    const operator = /^[_!@-]/.test(name);
    const at = operator ? this.pos(node) : this.callPos(node);
    if (!overloads) return this.error(at, `undeclared reference to '${name}' (in container '')`);
    let result: CelT | undefined;
    for (const o of overloads) {
      if (o.member !== member || o.params.length !== args.length) continue;
      const b: Bindings = new Map();
      if (!o.params.every((p, i) => assignable(p, args[i]!, b))) continue;
      const r = resolve(o.result, b);
      result = result === undefined ? r : join(result, r);
    }
    if (result) return result;
    const sig = member ? `${typeName(args[0]!)}.(${args.slice(1).map(typeName).join(', ')})` : `(${args.map(typeName).join(', ')})`;
    return this.error(at, `found no matching overload for '${name}' applied to '${sig}'`);
  }

  private comprehension(v: any, scope: Map<string, CelT>, depth: number): CelT {
    const range = this.check(v.iterRange as Node, scope, depth);
    let iterType: CelT;
    switch (range.kind) {
      case 'list':
        iterType = range.elem;
        break;
      case 'map':
        iterType = range.key;
        break;
      case 'dyn':
      case 'error':
        iterType = DYN;
        break;
      default:
        iterType = this.error(this.pos(v.iterRange as Node), `expression of type '${typeName(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
    }
    let accu = this.check(v.accuInit as Node, scope, depth);
    const inner = new Map(scope);
    inner.set(v.accuVar as string, accu);
    inner.set(v.iterVar as string, iterType);
    this.depth = Math.max(this.depth, depth + 1);
    this.check(v.loopCondition as Node, inner, depth + 1);
    const step = this.check(v.loopStep as Node, inner, depth + 1);
    // The map and filter macros start from `[]`: the step's list type is the accumulator's.
    if (accu.kind === 'list' && isDynLike(accu.elem) && step.kind === 'list') accu = step;
    inner.set(v.accuVar as string, accu);
    return this.check(v.result as Node, inner, depth);
  }
}

function constType(kind: string | undefined): CelT {
  switch (kind) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
      return INT;
    case 'uint64Value':
      return UINT;
    case 'doubleValue':
      return DOUBLE;
    case 'stringValue':
      return STRING;
    case 'bytesValue':
      return BYTES;
    case 'nullValue':
      return NULL;
    case 'durationValue':
      return DURATION;
    case 'timestampValue':
      return TIMESTAMP;
    default:
      return DYN;
  }
}

/** Type-check `expr` (with `positions` from the parse) in `env`. */
export function checkExpression(expr: Node, positions: Record<string, number>, text: string, env: CheckEnv): Checked {
  const c = new Checker(env, positions, text);
  const type = c.check(expr, new Map(), 0);
  return { type, types: c.types, issues: c.issues, usesOldSelf: c.usesOldSelf, depth: c.depth, qualified: c.qualified };
}

/** Issues as cel-go's Issues.String(): `ERROR: <input>:L:C: msg`, the source line and a caret, sorted by place. */
export function formatIssues(issues: readonly CheckIssue[], text: string): string {
  const lines = text.split('\n');
  return [...issues]
    .sort((a, b) => a.offset - b.offset)
    .map((i) => {
      const before = [...text].slice(0, i.offset);
      const line = before.filter((c) => c === '\n').length + 1;
      const lastNl = before.lastIndexOf('\n');
      const column = i.offset - lastNl - 1;
      const snippet = (lines[line - 1] ?? '').replace(/\t/g, ' ');
      return `ERROR: <input>:${line}:${column + 1}: ${i.message}\n | ${snippet}\n | ${'.'.repeat(Math.min(column, [...snippet].length))}^`;
    })
    .join('\n');
}
