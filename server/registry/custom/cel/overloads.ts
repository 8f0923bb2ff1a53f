/**
 * Function declarations the checker resolves calls against: the shape of an overload, and cel-go's
 * standard library (operators, size, string tests, conversions, timestamp and duration accessors)
 * with the strings extension. Kubernetes' libraries declare theirs beside their implementations
 * (libs/*.ts). Cross-type numeric comparisons are an option of the environment, as in cel-go.
 */
import { BOOL, BYTES, DOUBLE, DURATION, DYN, INT, STRING, TIMESTAMP, UINT, list, map, param, typeOf, type CelT } from './types.js';

/** One overload: a global function, or a member function whose receiver is `params[0]`. */
export interface Overload {
  name: string;
  member: boolean;
  params: readonly CelT[];
  result: CelT;
}

/** A global function overload. */
export const fn = (name: string, params: readonly CelT[], result: CelT): Overload => ({ name, member: false, params, result });
/** A member function overload on `target`. */
export const method = (name: string, target: CelT, params: readonly CelT[], result: CelT): Overload => ({ name, member: true, params: [target, ...params], result });

const A = param('A');
const B = param('B');
const NUMERIC = [INT, UINT, DOUBLE];
const ORDERED = [BOOL, INT, UINT, DOUBLE, STRING, BYTES, TIMESTAMP, DURATION];

function arithmetic(): Overload[] {
  const out: Overload[] = [];
  for (const t of NUMERIC) for (const op of ['_+_', '_-_', '_*_', '_/_']) out.push(fn(op, [t, t], t));
  for (const t of [INT, UINT]) out.push(fn('_%_', [t, t], t));
  out.push(fn('-_', [INT], INT), fn('-_', [DOUBLE], DOUBLE));
  out.push(fn('_+_', [STRING, STRING], STRING), fn('_+_', [BYTES, BYTES], BYTES), fn('_+_', [list(A), list(A)], list(A)));
  out.push(fn('_+_', [TIMESTAMP, DURATION], TIMESTAMP), fn('_+_', [DURATION, TIMESTAMP], TIMESTAMP), fn('_+_', [DURATION, DURATION], DURATION));
  out.push(fn('_-_', [TIMESTAMP, TIMESTAMP], DURATION), fn('_-_', [TIMESTAMP, DURATION], TIMESTAMP), fn('_-_', [DURATION, DURATION], DURATION));
  return out;
}

function comparisons(crossTypeNumeric: boolean): Overload[] {
  const out: Overload[] = [];
  for (const op of ['_<_', '_<=_', '_>_', '_>=_']) {
    for (const t of ORDERED) out.push(fn(op, [t, t], BOOL));
    if (crossTypeNumeric) for (const a of NUMERIC) for (const b of NUMERIC) if (a !== b) out.push(fn(op, [a, b], BOOL));
  }
  out.push(fn('_==_', [A, A], BOOL), fn('_!=_', [A, A], BOOL));
  return out;
}

function logic(): Overload[] {
  return [
    fn('!_', [BOOL], BOOL),
    fn('_&&_', [BOOL, BOOL], BOOL),
    fn('_||_', [BOOL, BOOL], BOOL),
    fn('_?_:_', [BOOL, A, A], A),
    fn('@not_strictly_false', [BOOL], BOOL),
    fn('_[_]', [list(A), INT], A),
    fn('_[_]', [map(A, B), A], B),
    fn('@in', [A, list(A)], BOOL),
    fn('@in', [A, map(A, B)], BOOL),
  ];
}

function sizesAndStrings(): Overload[] {
  const out: Overload[] = [];
  for (const t of [STRING, BYTES, list(A), map(A, B)]) out.push(fn('size', [t], INT), method('size', t, [], INT));
  for (const name of ['contains', 'startsWith', 'endsWith', 'matches']) out.push(method(name, STRING, [STRING], BOOL));
  out.push(fn('matches', [STRING, STRING], BOOL));
  return out;
}

function conversions(): Overload[] {
  const out: Overload[] = [];
  for (const t of [INT, UINT, DOUBLE, STRING, TIMESTAMP]) out.push(fn('int', [t], INT));
  for (const t of [INT, UINT, DOUBLE, STRING]) out.push(fn('uint', [t], UINT), fn('double', [t], DOUBLE));
  for (const t of [INT, UINT, DOUBLE, STRING, BYTES, BOOL, TIMESTAMP, DURATION]) out.push(fn('string', [t], STRING));
  out.push(fn('bytes', [BYTES], BYTES), fn('bytes', [STRING], BYTES), fn('bool', [BOOL], BOOL), fn('bool', [STRING], BOOL));
  out.push(fn('duration', [DURATION], DURATION), fn('duration', [STRING], DURATION));
  out.push(fn('timestamp', [TIMESTAMP], TIMESTAMP), fn('timestamp', [STRING], TIMESTAMP), fn('timestamp', [INT], TIMESTAMP));
  out.push(fn('dyn', [A], DYN), fn('type', [A], typeOf(A)));
  return out;
}

function time(): Overload[] {
  const out: Overload[] = [];
  for (const name of ['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']) {
    out.push(method(name, TIMESTAMP, [], INT), method(name, TIMESTAMP, [STRING], INT));
  }
  for (const name of ['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']) out.push(method(name, DURATION, [], INT));
  return out;
}

/** cel-go's standard library, with or without cross-type numeric comparisons. */
export function standardOverloads(crossTypeNumeric: boolean): Overload[] {
  return [...arithmetic(), ...comparisons(crossTypeNumeric), ...logic(), ...sizesAndStrings(), ...conversions(), ...time()];
}

/** cel-go's strings extension at version 0, or at version 2 (format, strings.quote). */
export function stringsOverloads(version: 0 | 2): Overload[] {
  const out: Overload[] = [
    method('charAt', STRING, [INT], STRING),
    method('indexOf', STRING, [STRING], INT),
    method('indexOf', STRING, [STRING, INT], INT),
    method('lastIndexOf', STRING, [STRING], INT),
    method('lastIndexOf', STRING, [STRING, INT], INT),
    method('lowerAscii', STRING, [], STRING),
    method('upperAscii', STRING, [], STRING),
    method('replace', STRING, [STRING, STRING], STRING),
    method('replace', STRING, [STRING, STRING, INT], STRING),
    method('split', STRING, [STRING], list(STRING)),
    method('split', STRING, [STRING, INT], list(STRING)),
    method('substring', STRING, [INT], STRING),
    method('substring', STRING, [INT, INT], STRING),
    method('trim', STRING, [], STRING),
    method('join', list(STRING), [], STRING),
    method('join', list(STRING), [STRING], STRING),
  ];
  if (version >= 2) out.push(method('format', STRING, [list(DYN)], STRING), fn('strings.quote', [STRING], STRING));
  return out;
}

/** The type names usable as identifiers (`type(x) == string`). */
export const TYPE_IDENTS: ReadonlyMap<string, CelT> = new Map<string, CelT>([
  ['int', typeOf(INT)],
  ['uint', typeOf(UINT)],
  ['double', typeOf(DOUBLE)],
  ['string', typeOf(STRING)],
  ['bool', typeOf(BOOL)],
  ['bytes', typeOf(BYTES)],
  ['list', typeOf(list(DYN))],
  ['map', typeOf(map(DYN, DYN))],
  ['null_type', typeOf({ kind: 'null' })],
  ['type', typeOf(typeOf(DYN))],
  ['google.protobuf.Timestamp', typeOf(TIMESTAMP)],
  ['google.protobuf.Duration', typeOf(DURATION)],
]);
