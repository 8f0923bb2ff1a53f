/**
 * Label and field selectors as kube-apiserver parses and applies them.
 *
 * Label selectors follow k8s.io/apimachinery/pkg/labels/selector.go: the same lexer (special symbols,
 * whitespace, `in`/`notin` keywords), the same recursive-descent parser, the same requirement
 * validation (`NewRequirement`) and the same error texts, so a bad `?labelSelector=` answers the
 * 400 that kube-apiserver answers (the list handler wraps the parse error in `NewBadRequest`
 * unchanged). Field selectors follow k8s.io/apimachinery/pkg/fields/selector.go (terms split on
 * unescaped commas, `!=`/`==`/`=`, backslash escapes) plus the per-kind field label conversion
 * functions of pkg/apis/<group>/<version>/conversion.go, which decide which fields a resource
 * accepts and with which error text an unknown one is refused.
 */
import { badRequest, type GroupResource } from '../errors/status.js';
import { isQualifiedName, isValidLabelValue } from './validation.js';
import { selectableFieldValue } from './custom/selectable-fields.js';

// ---------------------------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------------------------

/** A label selector operator, spelled as upstream's `selection.Operator`. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement of a label selector: a key, an operator and the values it relates. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and de-duplicated for parsed selectors, as upstream's `sets.String.List()`. */
  values: string[];
}

/** A parsed label selector: the AND of its requirements; `nothing` matches no object at all. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  /** True for upstream's `labels.Nothing()` (a nil `metav1.LabelSelector`). */
  nothing?: boolean;
}

/** The `metav1.LabelSelector` wire shape. */
export interface MetaLabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] | null }> | null;
}

/** Upstream's binary operators, in the order its error message lists them. */
const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const STRING_TO_TOKEN: Record<string, Tok> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

interface Scanned {
  tok: Tok;
  lit: string;
}

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
}

/** The lexer of selector.go: identifiers/keywords, and the longest special-symbol token. */
function lex(input: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  const read = (): string => (pos < input.length ? input[pos++]! : '');
  for (;;) {
    let ch = read();
    while (ch !== '' && isWhitespace(ch)) ch = read();
    if (ch === '') {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    pos--;
    if (isSpecialSymbol(ch)) {
      let buffer = '';
      let last: Scanned | undefined;
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecialSymbol(c)) {
          buffer += c;
          const tok = STRING_TO_TOKEN[buffer];
          if (tok !== undefined) {
            last = { tok, lit: buffer };
          } else if (last !== undefined) {
            pos--;
            break;
          }
        } else {
          pos--;
          break;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      let buffer = '';
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecialSymbol(c) || isWhitespace(c)) {
          pos--;
          break;
        }
        buffer += c;
      }
      out.push({ tok: STRING_TO_TOKEN[buffer] ?? 'id', lit: buffer });
    }
  }
}

/** A parse failure carrying upstream's error text. */
class SelectorSyntaxError extends Error {}

/** Formats `field.Invalid(path, value, detail).Error()` for a string value. */
function invalidText(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

/** Go's `%v` of a `[]string`: `[a b]`. */
function goStringSlice(values: string[]): string {
  return `[${values.join(' ')}]`;
}

/** `field.ErrorList.ToAggregate().Error()`: duplicates dropped, one message bare, several bracketed. */
function aggregate(messages: string[]): string {
  const seen: string[] = [];
  for (const m of messages) if (!seen.includes(m)) seen.push(m);
  return seen.length === 1 ? seen[0]! : `[${seen.join(', ')}]`;
}

/** True when `value` parses as Go's `strconv.ParseInt(value, 10, 64)`. */
function isInt64(value: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(value)) return false;
  const n = BigInt(value);
  return n >= -(2n ** 63n) && n <= 2n ** 63n - 1n;
}

/**
 * Validates a requirement as upstream's `labels.NewRequirement` (with a nil field path), returning
 * the aggregated error text or undefined.
 */
function requirementError(key: string, op: LabelOperator, values: string[]): string | undefined {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(invalidText('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(`values: Invalid value: ${goStringSlice(values)}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStringSlice(values)}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(`values: Invalid value: ${goStringSlice(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStringSlice(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!isInt64(v)) errs.push(invalidText(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalidText(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs.length > 0 ? aggregate(errs) : undefined;
}

/** The recursive-descent parser of selector.go over the scanned tokens. */
class Parser {
  private position = 0;
  constructor(private readonly items: Scanned[]) {}

  private lookahead(values: boolean): Scanned {
    const item = this.items[this.position]!;
    if (values && (item.tok === 'in' || item.tok === 'notin')) return { tok: 'id', lit: item.lit };
    return item;
  }

  private consume(values: boolean): Scanned {
    const item = this.lookahead(values);
    this.position++;
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      switch (tok) {
        case 'id':
        case '!': {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (err) {
            if (err instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
            throw err;
          }
          requirements.push(r);
          const next = this.consume(true);
          if (next.tok === 'eos') return requirements;
          if (next.tok === ',') {
            const after = this.lookahead(true);
            if (after.tok !== 'id' && after.tok !== '!') throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
          } else {
            throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or 'end of string'`);
          }
          break;
        }
        case 'eos':
          return requirements;
        default:
          throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return this.newRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return this.newRequirement(key, op, [...values].sort());
  }

  private newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
    const err = requirementError(key, operator, values);
    if (err !== undefined) throw new SelectorSyntaxError(err);
    return { key, operator, values };
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | '' } {
    let operator: LabelOperator | '' = '';
    let item = this.consume(true);
    if (item.tok === '!') {
      operator = '!';
      item = this.consume(true);
    }
    if (item.tok !== 'id') throw new SelectorSyntaxError(`found '${item.lit}', expected: identifier`);
    const keyErrs = isQualifiedName(item.lit);
    if (keyErrs.length > 0) throw new SelectorSyntaxError(invalidText('<nil>', item.lit, keyErrs.join('; ')));
    const next = this.lookahead(true).tok;
    if ((next === 'eos' || next === ',') && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in':
        return 'in';
      case '=':
        return '=';
      case '==':
        return '==';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      case 'notin':
        return 'notin';
      case '!=':
        return '!=';
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== '(') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    switch (tok) {
      case 'id':
      case ',': {
        const s = this.parseIdentifiersList();
        if (this.consume(true).tok !== ')') throw new SelectorSyntaxError(`found '${lit}', expected: ')'`);
        return s;
      }
      case ')':
        this.consume(true);
        return new Set(['']);
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'id') {
        s.add(lit);
        const next = this.lookahead(true);
        if (next.tok === ',') continue;
        if (next.tok === ')') return s;
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (s.size === 0) s.add('');
        const next = this.lookahead(true).tok;
        if (next === ')') {
          s.add('');
          return s;
        }
        if (next === ',') s.add('');
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(true).tok;
    if (next === 'eos' || next === ',') return new Set(['']);
    const { tok, lit } = this.consume(true);
    if (tok === 'id') return new Set([lit]);
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Parses a `labelSelector` query value as upstream's `labels.Parse`; the empty string matches
 * everything. Requirements come back sorted by key. Throws a 400 {@link badRequest} carrying
 * upstream's text (e.g. `unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`).
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    const requirements = new Parser(lex(text)).parse();
    return { requirements: requirements.sort(byKey) };
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw badRequest(err.message);
    throw err;
  }
}

/** Tests one requirement against a label set, as upstream's `Requirement.Matches`. */
function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !isInt64(value) || r.values.length !== 1 || !isInt64(r.values[0]!)) return false;
      const have = BigInt(value);
      const want = BigInt(r.values[0]!);
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

/** True when every requirement of `selector` holds for `labels` (missing labels count as absent). */
export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | null | undefined): boolean {
  if (selector.nothing) return false;
  const set = labels ?? {};
  return selector.requirements.every((r) => requirementMatches(r, set));
}

/** True when the selector restricts nothing (upstream's `Selector.Empty()`). */
export function labelSelectorIsEmpty(selector: LabelSelector): boolean {
  return !selector.nothing && selector.requirements.length === 0;
}

/** Renders one requirement as upstream's `Requirement.String()`. */
function requirementString(r: LabelRequirement): string {
  let out = r.operator === '!' ? '!' : '';
  out += r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return out;
    case 'in':
      out += ' in ';
      break;
    case 'notin':
      out += ' notin ';
      break;
    case 'gt':
      out += '>';
      break;
    case 'lt':
      out += '<';
      break;
    default:
      out += r.operator;
  }
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${out}(${values})` : out + values;
}

/** Renders a selector as upstream's `Selector.String()` (`app=web,tier in (a,b)`; `""` for nothing). */
export function labelSelectorString(selector: LabelSelector): string {
  if (selector.nothing) return '';
  return selector.requirements.map(requirementString).join(',');
}

/** Upstream `metav1.LabelSelectorOperator` → `selection.Operator`. */
const META_OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * Builds a selector from a `metav1.LabelSelector` object as upstream's `LabelSelectorAsSelector`:
 * null/undefined matches nothing, an empty selector everything, `matchLabels` become `=`
 * requirements and `matchExpressions` In/NotIn/Exists/DoesNotExist ones. Throws a 400
 * {@link badRequest} with upstream's text for an unknown operator or an invalid key/value.
 */
export function labelSelectorFromObject(selector: MetaLabelSelector | null | undefined): LabelSelector {
  if (selector === null || selector === undefined) return { requirements: [], nothing: true };
  const matchLabels = selector.matchLabels ?? {};
  const matchExpressions = selector.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + matchExpressions.length === 0) return { requirements: [] };
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(matchLabels)) {
    const err = requirementError(key, '=', [value]);
    if (err !== undefined) throw badRequest(err);
    requirements.push({ key, operator: '=', values: [value] });
  }
  for (const expr of matchExpressions) {
    const op = META_OPERATORS[expr.operator];
    if (op === undefined) throw badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    const values = [...(expr.values ?? [])];
    const err = requirementError(expr.key, op, values);
    if (err !== undefined) throw badRequest(err);
    requirements.push({ key: expr.key, operator: op, values });
  }
  return { requirements: requirements.sort(byKey) };
}

/**
 * Formats a `metav1.LabelSelector` as upstream's `metav1.FormatLabelSelector`: its selector string,
 * `<none>` when that is empty, `<error>` when the selector is invalid.
 */
export function formatLabelSelector(selector: MetaLabelSelector | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorString(labelSelectorFromObject(selector));
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

/** Formats a label map as upstream's `labels.FormatLabels`: sorted `k=v` pairs, or `<none>`. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

/** One term of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  /** The unescaped value. */
  value: string;
}

/** A parsed field selector: the AND of its terms, in upstream's (sorted-term) order. */
export interface FieldSelector {
  requirements: FieldRequirement[];
}

/** Splits on unescaped commas, keeping escapes in the terms (upstream's `splitTerms`). */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** Splits a term at the first operator occurrence (upstream's `splitTerm`). */
function splitTerm(term: string): { lhs: string; op: FieldRequirement['operator']; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const rest = term.slice(i);
    for (const op of TERM_OPERATORS) {
      if (rest.startsWith(op)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** Unescapes a field selector value (upstream's `UnescapeValue`), throwing its error text. */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the rune with %v, i.e. its code point.
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/**
 * Parses a `fieldSelector` query value as upstream's `fields.ParseSelector`: terms split on
 * unescaped commas and sorted, empty terms skipped, `!=`/`==`/`=` with `\,` `\=` `\\` escapes in
 * values. Throws a 400 {@link badRequest} with upstream's text, e.g.
 * `invalid selector: 'a'; can't understand 'a'`.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const parts = splitTerms(text).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (split === undefined) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    requirements.push({ field: split.lhs, operator: split.op, value: unescapeValue(split.rhs) });
  }
  return { requirements };
}

/** Escapes a literal for use as a field selector value (upstream's `fields.EscapeValue`). */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Returns the value a selector requires `field` to equal, if one term pins it with `=`/`==`
 * (upstream's `RequiresExactMatch`); undefined otherwise.
 */
export function requiresExactMatch(selector: FieldSelector, field: string): string | undefined {
  for (const r of selector.requirements) if (r.field === field && r.operator !== '!=') return r.value;
  return undefined;
}

/** True when the field selector restricts nothing. */
export function fieldSelectorIsEmpty(selector: FieldSelector): boolean {
  return selector.requirements.length === 0;
}

/** Renders a field selector as upstream's `Selector.String()` (unescaped values, sorted terms). */
export function fieldSelectorString(selector: FieldSelector): string {
  return selector.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${r.value}`).join(',');
}

/** A JSON object as the registry stores it. */
type Obj = Record<string, unknown>;

function path(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[k];
  }
  return cur;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function int(v: unknown): string {
  return String(typeof v === 'number' ? Math.trunc(v) : 0);
}

function bool(v: unknown): string {
  return v === true ? 'true' : 'false';
}

/** How one field label is read from an object; `undefined` (accepted, never set) reads as "". */
type FieldReader = ((obj: Obj) => string) | undefined;

/** One kind's field label contract: accepted labels (with aliases), their readers and the refusal text. */
interface FieldRules {
  /** label → canonical label */
  accepted: Map<string, string>;
  readers: Map<string, FieldReader>;
  reject: (label: string) => string;
}

interface KindSpec {
  /** Labels accepted beyond metadata.name (and metadata.namespace when `namespaced`). */
  fields: Record<string, FieldReader>;
  namespaced: boolean;
  aliases?: Record<string, string>;
  reject?: (label: string) => string;
  /** Labels only accepted from a minor on. */
  since?: Record<string, number>;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

/** The first pod IP, as upstream's `PodToSelectableFields` reads it (status.podIPs[0].ip). */
function podIP(obj: Obj): string {
  const ips = path(obj, 'status', 'podIPs');
  if (Array.isArray(ips) && ips.length > 0) return str(path(ips[0], 'ip'));
  return str(path(obj, 'status', 'podIP'));
}

/**
 * Per-kind field label contracts: pkg/apis/core/v1/conversion.go (Pod, Node, ReplicationController,
 * Event, Namespace, Secret, Service), pkg/apis/batch/v1/conversion.go (Job),
 * pkg/apis/certificates/v1/conversion.go (CSR); readers follow each registry strategy's
 * `ToSelectableFields`. apps/v1 registers no conversion function, so ReplicaSets and the rest fall
 * back to runtime.DefaultMetaV1FieldSelectorConversion.
 */
const KINDS: Record<string, KindSpec> = {
  pods: {
    namespaced: true,
    fields: {
      'spec.nodeName': (o) => str(path(o, 'spec', 'nodeName')),
      'spec.restartPolicy': (o) => str(path(o, 'spec', 'restartPolicy')),
      'spec.schedulerName': (o) => str(path(o, 'spec', 'schedulerName')),
      'spec.serviceAccountName': (o) => str(path(o, 'spec', 'serviceAccountName')),
      'spec.hostNetwork': (o) => bool(path(o, 'spec', 'hostNetwork')),
      'status.phase': (o) => str(path(o, 'status', 'phase')),
      'status.podIP': podIP,
      // Accepted by the conversion function but never set by PodToSelectableFields.
      'status.podIPs': undefined,
      'status.nominatedNodeName': (o) => str(path(o, 'status', 'nominatedNodeName')),
    },
    aliases: { 'spec.host': 'spec.nodeName' },
    since: { 'spec.hostNetwork': 28 },
  },
  nodes: { namespaced: false, fields: { 'spec.unschedulable': (o) => bool(path(o, 'spec', 'unschedulable')) } },
  replicationcontrollers: { namespaced: true, fields: { 'status.replicas': (o) => int(path(o, 'status', 'replicas')) } },
  events: {
    namespaced: true,
    fields: {
      'involvedObject.kind': (o) => str(path(o, 'involvedObject', 'kind')),
      'involvedObject.namespace': (o) => str(path(o, 'involvedObject', 'namespace')),
      'involvedObject.name': (o) => str(path(o, 'involvedObject', 'name')),
      'involvedObject.uid': (o) => str(path(o, 'involvedObject', 'uid')),
      'involvedObject.apiVersion': (o) => str(path(o, 'involvedObject', 'apiVersion')),
      'involvedObject.resourceVersion': (o) => str(path(o, 'involvedObject', 'resourceVersion')),
      'involvedObject.fieldPath': (o) => str(path(o, 'involvedObject', 'fieldPath')),
      reason: (o) => str(o['reason']),
      reportingComponent: (o) => str(o['reportingComponent']),
      source: (o) => str(path(o, 'source', 'component')) || str(o['reportingComponent']),
      type: (o) => str(o['type']),
    },
  },
  namespaces: { namespaced: false, fields: { 'status.phase': (o) => str(path(o, 'status', 'phase')) } },
  secrets: { namespaced: true, fields: { type: (o) => str(o['type']) } },
  services: {
    namespaced: true,
    fields: {
      'spec.clusterIP': (o) => str(path(o, 'spec', 'clusterIP')),
      'spec.type': (o) => str(path(o, 'spec', 'type')),
    },
    since: { 'spec.clusterIP': 31, 'spec.type': 31 },
  },
  'jobs.batch': {
    namespaced: true,
    // The label and the field differ: upstream reads Status.Succeeded.
    fields: { 'status.successful': (o) => int(path(o, 'status', 'succeeded')) },
    reject: (label) => `field label ${JSON.stringify(label)} not supported for Job`,
  },
  'certificatesigningrequests.certificates.k8s.io': {
    namespaced: false,
    fields: { 'spec.signerName': (o) => str(path(o, 'spec', 'signerName')) },
  },
};

/** Fields every object has, read from its metadata. */
const META_READERS: Record<string, FieldReader> = {
  'metadata.name': (o) => str(path(o, 'metadata', 'name')),
  'metadata.namespace': (o) => str(path(o, 'metadata', 'namespace')),
};

/** The contract of kinds without a conversion function: runtime.DefaultMetaV1FieldSelectorConversion. */
const DEFAULT_RULES: FieldRules = {
  accepted: new Map([
    ['metadata.name', 'metadata.name'],
    ['metadata.namespace', 'metadata.namespace'],
  ]),
  readers: new Map(Object.entries(META_READERS)),
  reject: (label) => `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

function rulesFor(key: string, minor: number): FieldRules {
  const spec = KINDS[key];
  if (spec === undefined) return DEFAULT_RULES;
  const accepted = new Map<string, string>([['metadata.name', 'metadata.name']]);
  const readers = new Map<string, FieldReader>([['metadata.name', META_READERS['metadata.name']]]);
  if (spec.namespaced) {
    accepted.set('metadata.namespace', 'metadata.namespace');
    readers.set('metadata.namespace', META_READERS['metadata.namespace']);
  }
  for (const [label, reader] of Object.entries(spec.fields)) {
    if ((spec.since?.[label] ?? 0) > minor) continue;
    accepted.set(label, label);
    readers.set(label, reader);
  }
  for (const [alias, canonical] of Object.entries(spec.aliases ?? {})) accepted.set(alias, canonical);
  return { accepted, readers, reject: spec.reject ?? notSupported };
}

function resourceKeyString(resourceKey: GroupResource | string): string {
  if (typeof resourceKey === 'string') return resourceKey;
  return resourceKey.group ? `${resourceKey.resource}.${resourceKey.group}` : resourceKey.resource;
}

/**
 * The field label contract of custom resources, upstream's crConverter.ConvertFieldLabel:
 * metadata.name, metadata.namespace for namespaced kinds, and the version's selectable fields;
 * anything else is `field label not supported: <label>`.
 */
function customRules(custom: CustomFieldLabels): FieldRules {
  const labels = ['metadata.name', ...(custom.namespaced ? ['metadata.namespace'] : [])];
  const readers = new Map<string, FieldReader>(labels.map((l) => [l, META_READERS[l]]));
  for (const label of custom.selectableFields) readers.set(label, (o) => selectableFieldValue(o, label));
  return { accepted: new Map([...readers.keys()].map((l) => [l, l])), readers, reject: notSupported };
}

/** What a custom resource's field labels depend on. */
export interface CustomFieldLabels {
  namespaced: boolean;
  /** The version's selectable fields as labels (`spec.color`); empty while CustomResourceFieldSelectors is off. */
  selectableFields: readonly string[];
}

/** Options of {@link fieldSelectorMatcher}. */
export interface FieldMatcherOptions {
  /** The simulated minor; field labels added in later minors are refused. Defaults to the newest. */
  minor?: number;
  /** The resource is a custom resource with these field labels. */
  custom?: CustomFieldLabels;
}

/** A validated field selector bound to one resource: the canonical selector and its predicate. */
export interface FieldMatcher {
  /** The selector after upstream's field label conversion (aliases such as `spec.host` resolved). */
  selector: FieldSelector;
  /** True when the object satisfies every term; a field the kind never sets reads as "". */
  matches(obj: Record<string, unknown>): boolean;
}

/**
 * Validates a field selector against the field labels a resource supports and returns its matcher,
 * as the list/watch handler's `FieldSelector.Transform(ConvertFieldLabel)` does. `resourceKey` is a
 * GroupResource or `resource[.group]` (`pods`, `jobs.batch`). An unsupported label throws a 400
 * {@link badRequest} with the kind's own text (`field label not supported: spec.foo`; for kinds
 * without a conversion function `"spec.foo" is not a known field selector: only "metadata.name",
 * "metadata.namespace"`), checked in the selector's sorted term order.
 */
export function fieldSelectorMatcher(
  resourceKey: GroupResource | string,
  selector: FieldSelector,
  options: FieldMatcherOptions = {},
): FieldMatcher {
  const rules = options.custom ? customRules(options.custom) : rulesFor(resourceKeyString(resourceKey), options.minor ?? Number.MAX_SAFE_INTEGER);
  const requirements = selector.requirements.map((r) => {
    const canonical = rules.accepted.get(r.field);
    if (canonical === undefined) throw badRequest(rules.reject(r.field));
    return { ...r, field: canonical };
  });
  return {
    selector: { requirements },
    matches(obj) {
      return requirements.every((r) => {
        const reader = rules.readers.get(r.field);
        const value = reader === undefined ? '' : reader(obj);
        return r.operator === '!=' ? value !== r.value : value === r.value;
      });
    },
  };
}
