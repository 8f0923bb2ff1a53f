/**
 * The static worst-case cost of a checked CEL expression, after cel-go's checker cost estimator
 * (checker/cost.go) with Kubernetes' library estimates (k8s.io/apiserver/pkg/cel/library/cost.go)
 * and the CRD size estimator (sizes from the schema's maxLength ×4, maxItems and maxProperties, or
 * estimated from the 3 MiB request limit; see types.ts). Only the maximum is computed.
 *
 * The model, as cel-go's: a constant costs 0; an identifier 1; a field selection on a map or object
 * 1 more (a has() test nothing more, PresenceTestHasCost(false)); a list literal 10 and a map literal
 * 30 plus their elements; a call its arguments plus 1, except: `&&`/`||` the sum of both sides,
 * `?:` the condition plus the dearer branch, `==`/`!=` and string/bytes ordering 0.1 × the smaller
 * operand's size, `+` on strings/bytes 0.1 × both sizes (on lists 1), `in` the list's size,
 * startsWith/endsWith 0.1 × the argument's size, contains 0.1 × target × 0.1 × argument,
 * matches (0.1 × (target + 1)) × (0.25 × pattern); a comprehension its range, init and result plus
 * (range size) × (condition + step). Sizes are those of the schema for values read from `self`,
 * a literal's own size, 1 for scalars and unknown (2^64−1) otherwise.
 *
 * Where kube-skew may differ from upstream: sizes follow types rather than cel-go's field paths (a
 * value returned by a function keeps its element type's bound), Kubernetes' library estimates are
 * simplified to "0.1 × string argument size" for parsers and the list traversal cost for the lists
 * library, and cel-go versions differ slightly between minors (e.g. has() cost, string
 * conversion costs); verdicts on the classic cases (an `all()` with `matches()` over unbounded lists
 * of unbounded strings, refused; the same with maxItems/maxLength, accepted) agree.
 */
import type { Node } from './checker.js';
import type { CelT } from './types.js';

/** cel-go's largest cost (math.MaxUint64). */
export const MAX_COST = 2 ** 64 - 1;
const STRING_TRAVERSAL = 0.1;
const REGEX_STRING_LENGTH = 0.25;
const LIST_CREATE = 10;
const MAP_CREATE = 30;

const sat = (n: number) => (n > MAX_COST ? MAX_COST : n);
const add = (...xs: number[]) => sat(xs.reduce((s, x) => s + x, 0));
const mul = (a: number, b: number) => sat(a * b);
const factor = (size: number, f: number) => sat(Math.ceil(size * f));

/** Types whose values cel-go sizes as 1 (computeTypeSize). */
const SCALARS = new Set(['int', 'uint', 'double', 'bool', 'null', 'timestamp', 'duration', 'type', 'opaque']);

/** Estimates over one checked expression. */
class Coster {
  private readonly sizes = new Map<string, number>();
  constructor(
    private readonly types: ReadonlyMap<string, CelT>,
    private readonly qualified: ReadonlyMap<string, string>,
  ) {}

  private type(node: Node): CelT | undefined {
    return this.types.get(String(node.id));
  }

  /** The most elements the value of `node` can have. */
  size(node: Node): number {
    const computed = this.sizes.get(String(node.id));
    if (computed !== undefined) return computed;
    const v = node.exprKind.value ?? {};
    if (node.exprKind.case === 'constExpr') {
      const c = v.constantKind;
      if (c?.case === 'stringValue') return [...(c.value as string)].length;
      if (c?.case === 'bytesValue') return (c.value as Uint8Array).length;
      return 1;
    }
    if (node.exprKind.case === 'listExpr') return ((v.elements as Node[]) ?? []).length;
    if (node.exprKind.case === 'structExpr') return ((v.entries as unknown[]) ?? []).length;
    const t = this.type(node);
    if (t?.max !== undefined) return t.max;
    if (t && SCALARS.has(t.kind)) return 1;
    return MAX_COST;
  }

  cost(node: Node | undefined): number {
    if (!node) return 0;
    const v = node.exprKind.value ?? {};
    switch (node.exprKind.case) {
      case 'constExpr':
        return 0;
      case 'identExpr':
        return 1;
      case 'selectExpr': {
        const operand = this.cost(v.operand as Node);
        if (v.testOnly) return operand;
        const k = this.type(v.operand as Node)?.kind;
        return k === 'map' || k === 'object' || k === 'param' ? add(operand, 1) : operand;
      }
      case 'listExpr':
        return add(LIST_CREATE, ...((v.elements as Node[]) ?? []).map((e) => this.cost(e)));
      case 'structExpr':
        return add(MAP_CREATE, ...((v.entries as { mapKey?: Node; value?: Node }[]) ?? []).flatMap((e) => [this.cost(e.mapKey), this.cost(e.value)]));
      case 'callExpr':
        return this.call(node, v);
      case 'comprehensionExpr': {
        const range = v.iterRange as Node;
        const fixed = add(this.cost(range), this.cost(v.accuInit as Node));
        const perItem = add(this.cost(v.loopCondition as Node), this.cost(v.loopStep as Node));
        const result = this.cost(v.result as Node);
        const count = this.size(range);
        this.sizes.set(String(node.id), count);
        return add(fixed, result, mul(count, perItem));
      }
      default:
        return 0;
    }
  }

  private call(node: Node, v: any): number {
    // A qualified global call (`sets.contains(…)`) parses as a member call on its qualifier.
    const qualified = this.qualified.get(String(node.id));
    const name = qualified ?? (v.function as string);
    const target = qualified ? undefined : (v.target as Node | undefined);
    const args = (v.args as Node[]) ?? [];
    const argCosts = args.map((a) => this.cost(a));
    const argSum = add(...argCosts);
    const targetCost = target ? this.cost(target) : 0;
    const kind = (n: Node | undefined) => (n ? this.type(n)?.kind : undefined);
    const isText = (n: Node | undefined) => kind(n) === 'string' || kind(n) === 'bytes';
    const fnCost = ((): number => {
      switch (name) {
        case '_&&_':
        case '_||_':
          return argSum;
        case '_?_:_':
          return add(argCosts[0] ?? 0, Math.max(argCosts[1] ?? 0, argCosts[2] ?? 0));
        case '_==_':
        case '_!=_':
          return add(factor(Math.min(this.size(args[0]!), this.size(args[1]!)), STRING_TRAVERSAL), argSum);
        case '_<_':
        case '_<=_':
        case '_>_':
        case '_>=_':
          if (isText(args[0]) && isText(args[1])) return add(factor(Math.min(this.size(args[0]!), this.size(args[1]!)), STRING_TRAVERSAL), argSum);
          break;
        case '_+_':
          if (isText(args[0]) || kind(args[0]) === 'list') {
            const size = add(this.size(args[0]!), this.size(args[1]!));
            this.sizes.set(String(node.id), size);
            // List concatenation is O(1); string and bytes concatenation traverse both.
            return kind(args[0]) === 'list' ? add(1, argSum) : add(factor(size, STRING_TRAVERSAL), argSum);
          }
          break;
        case '@in':
          if (kind(args[1]) === 'list') return add(this.size(args[1]!), argSum);
          break;
        case 'startsWith':
        case 'endsWith':
          if (target && args.length === 1) return add(factor(this.size(args[0]!), STRING_TRAVERSAL), argSum);
          break;
        case 'contains':
          if (target && args.length === 1) return add(mul(factor(this.size(target), STRING_TRAVERSAL), factor(this.size(args[0]!), STRING_TRAVERSAL)), argSum);
          break;
        case 'matches': {
          const [str, re] = target ? [target, args[0]] : [args[0], args[1]];
          if (str && re) return add(mul(factor(add(this.size(str), 1), STRING_TRAVERSAL), factor(this.size(re), REGEX_STRING_LENGTH)), argSum);
          break;
        }
        case 'find':
        case 'findAll':
          if (target && args.length >= 1) return add(mul(factor(this.size(target), STRING_TRAVERSAL), factor(this.size(args[0]!), REGEX_STRING_LENGTH)), argSum);
          break;
        case 'format':
          if (target) return add(factor(this.size(target), STRING_TRAVERSAL), argSum);
          break;
        case 'isSorted':
        case 'sum':
        case 'min':
        case 'max':
        case 'indexOf':
        case 'lastIndexOf':
          if (target && kind(target) === 'list') {
            const elem = (this.type(target) as { elem?: CelT }).elem;
            const perElement = elem && (elem.kind === 'string' || elem.kind === 'bytes') ? factor(elem.max ?? MAX_COST, STRING_TRAVERSAL) : 1;
            return add(mul(this.size(target), perElement), argSum);
          }
          break;
        case 'url':
        case 'isURL':
        case 'quantity':
        case 'isQuantity':
        case 'ip':
        case 'isIP':
        case 'ip.isCanonical':
        case 'cidr':
        case 'isCIDR':
          if (args.length === 1) return add(factor(this.size(args[0]!), STRING_TRAVERSAL), argSum);
          break;
        case 'validate':
          if (target && args.length === 1) return add(factor(this.size(args[0]!), STRING_TRAVERSAL), argSum);
          break;
        case 'sets.contains':
        case 'sets.equivalent':
        case 'sets.intersects':
          if (args.length === 2) return add(mul(this.size(args[0]!), this.size(args[1]!)), argSum);
          break;
      }
      return add(1, argSum);
    })();
    return add(targetCost, fnCost);
  }
}

/** The estimated maximum cost of a checked expression (node types from the checker). */
export function estimateCost(expr: Node, types: ReadonlyMap<string, CelT>, qualified: ReadonlyMap<string, string> = new Map()): number {
  return new Coster(types, qualified).cost(expr);
}
