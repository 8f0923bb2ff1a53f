/**
 * The Table printer of a custom resource, as apiextensions-apiserver's tableconvertor: a `Name`
 * column, then the version's `additionalPrinterColumns` (or `Age` from
 * `.metadata.creationTimestamp` when it has none); each cell is the first result of the column's
 * simple JSONPath, converted by the column type (`date` as a human age, `string` printed, numbers,
 * booleans), or null when the path finds nothing.
 */
import type { CrdPrinterColumn } from '../registry/custom/crd.js';
import type { ResourceType } from '../registry/resource-type.js';
import { CREATION_DOC, NAME_DOC, translateTimestampSince, type Printer, type TableColumnDefinition } from './table.js';

const DEFAULT_COLUMNS: CrdPrinterColumn[] = [{ name: 'Age', type: 'date', description: CREATION_DOC, jsonPath: '.metadata.creationTimestamp' }];

const printers = new WeakMap<CrdPrinterColumn[], Printer>();

/** The value at a simple JSONPath (`.spec.size`, `.status.conditions[0].type`), or undefined. */
export function simpleJsonPath(obj: unknown, path: string): unknown {
  const body = path.replace(/^\{(.*)\}$/, '$1').replace(/^\./, '');
  let current: unknown = obj;
  for (const part of body.split('.').filter((p) => p !== '')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) current = current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>)[m[1]] : undefined;
    for (const idx of m[2]!.match(/\d+/g) ?? []) current = Array.isArray(current) ? current[Number(idx)] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function cell(column: CrdPrinterColumn, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
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
