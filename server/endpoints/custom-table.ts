/**
 * The Table printer of a custom resource, as apiextensions-apiserver's tableconvertor: a `Name`
 * column, then the version's `additionalPrinterColumns` (or `Age` from
 * `.metadata.creationTimestamp` when it has none); each cell is the first result of the column's
 * JSONPath (fields, indexes, `[*]` and `[?(@.field=="value")]` filters), converted by the column type (`date` as a human age, `string` printed, numbers,
 * booleans), or null when the path finds nothing.
 */
import type { CrdPrinterColumn } from '../registry/custom/crd.js';
import type { ResourceType } from '../registry/resource-type.js';
import { CREATION_DOC, NAME_DOC, translateTimestampSince, type Printer, type TableColumnDefinition } from './table.js';

const DEFAULT_COLUMNS: CrdPrinterColumn[] = [{ name: 'Age', type: 'date', description: CREATION_DOC, jsonPath: '.metadata.creationTimestamp' }];

const printers = new WeakMap<CrdPrinterColumn[], Printer>();

/** One step of a column's JSONPath: a field, an index, every element, or a filter `[?(@.a.b=="x")]`. */
type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; op: '==' | '!='; value: unknown } | { path: string[]; exists: true } };

/** Parse the subset of client-go's JSONPath that printer columns use; undefined when it is outside it. */
function parsePath(path: string): Step[] | undefined {
  let rest = path.trim().replace(/^\{(.*)\}$/, '$1').trim();
  const steps: Step[] = [];
  while (rest.length > 0) {
    let m: RegExpExecArray | null;
    if ((m = /^\.([^.[\]]+)/.exec(rest))) {
      steps.push(m[1] === '*' ? { all: true } : { field: m[1]! });
    } else if ((m = /^\[(\d+)\]/.exec(rest))) {
      steps.push({ index: Number(m[1]) });
    } else if ((m = /^\[\*\]/.exec(rest))) {
      steps.push({ all: true });
    } else if ((m = /^\[\?\(@((?:\.[^.=!)\s]+)+)\s*(==|!=)\s*("(?:[^"\\]|\\.)*"|'[^']*'|-?\d+(?:\.\d+)?|true|false)\s*\)\]/.exec(rest))) {
      const raw = m[3]!;
      const value = raw.startsWith("'") ? raw.slice(1, -1) : JSON.parse(raw);
      steps.push({ filter: { path: m[1]!.slice(1).split('.'), op: m[2] as '==' | '!=', value } });
    } else if ((m = /^\[\?\(@((?:\.[^.=!)\s]+)+)\s*\)\]/.exec(rest))) {
      steps.push({ filter: { path: m[1]!.slice(1).split('.'), exists: true } });
    } else if (rest === '.') {
      m = /^\./.exec(rest)!;
    } else return undefined;
    rest = rest.slice(m[0].length);
  }
  return steps;
}

function field(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

function matches(item: unknown, f: Extract<Step, { filter: unknown }>['filter']): boolean {
  let v: unknown = item;
  for (const key of f.path) v = field(v, key);
  if ('exists' in f) return v !== undefined;
  return f.op === '==' ? v === f.value : v !== undefined && v !== f.value;
}

/**
 * The results of a column's JSONPath (`.spec.size`, `.status.conditions[0].type`,
 * `.status.conditions[?(@.type=="Ready")].status`, `.items[*].name`), in order; empty when the path
 * finds nothing or is outside the supported subset.
 */
export function jsonPathResults(obj: unknown, path: string): unknown[] {
  const steps = parsePath(path);
  if (!steps) return [];
  let current: unknown[] = [obj];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('field' in step) {
        const x = field(v, step.field);
        if (x !== undefined) next.push(x);
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.keys(v).sort().map((k) => (v as Record<string, unknown>)[k]));
      } else if (Array.isArray(v)) {
        next.push(...v.filter((item) => matches(item, step.filter)));
      }
    }
    current = next;
  }
  return current;
}

/** The first result of a column's JSONPath, or undefined (the printer uses only the first). */
export function simpleJsonPath(obj: unknown, path: string): unknown {
  return jsonPathResults(obj, path)[0];
}

/** JSON as Go's encoding/json writes a map: keys sorted at every level. */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A `string` column's cell, as jsonpath's PrintResults writes a value: maps and lists as JSON, others as text. */
function stringCell(value: unknown): string {
  return value !== null && typeof value === 'object' ? goJson(value) : String(value);
}

function cell(column: CrdPrinterColumn, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'string':
      return stringCell(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      return Number.isNaN(Date.parse(value)) ? '<invalid>' : translateTimestampSince(value, now);
    default:
      return null;
  }
}

/** The printer of a custom resource version with these printer columns. */
export function customResourcePrinter(printerColumns: CrdPrinterColumn[]): Printer {
  let printer = printers.get(printerColumns);
  if (printer) return printer;
  const columns = printerColumns.length > 0 ? printerColumns : DEFAULT_COLUMNS;
  const definitions: TableColumnDefinition[] = [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DOC, priority: 0 },
    ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  printer = {
    columns: () => definitions,
    row: (obj, now) => {
      const name = (obj.metadata as { name?: string } | undefined)?.name ?? '';
      return { cells: [name, ...columns.map((c) => cell(c, simpleJsonPath(obj, c.jsonPath), now))] };
    },
  };
  printers.set(printerColumns, printer);
  return printer;
}

/** The `printer` option of toTable for `type`: a custom resource's; none for built-in kinds (found by kind). */
export function printerOf(type: ResourceType): { printer?: Printer } {
  return type.custom ? { printer: customResourcePrinter(type.custom.printerColumns) } : {};
}
