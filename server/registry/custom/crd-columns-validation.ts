/**
 * Upstream's ValidateCustomResourceColumnDefinition (apiextensions-apiserver
 * pkg/apis/apiextensions/validation/validation.go) for one `additionalPrinterColumns` entry: a
 * name, a type among upstream's printer column types, a format among its formats when set, and a
 * `jsonPath` that starts with `.`. The path is named `JSONPath`, the internal type's Go field name,
 * as upstream names it. Duplicate column names are not refused upstream, so not here either; a
 * column whose path the table printer cannot parse is not refused on the CRD either (upstream's
 * table convertor then falls back to the default columns).
 */
import type { FieldError } from '../../errors/status.js';
import type { CrdPrinterColumn } from './crd.js';
import { validateSimpleJsonPath } from './crd-subresources-validation.js';

/** Upstream's printerColumnDatatypes, sorted as its sets.String List() prints them. */
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
/** Upstream's customResourceColumnDefinitionFormats, sorted. */
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The field errors of one printer column at `path` (`…additionalPrinterColumns[i]`). */
export function validateCrdColumn(column: Partial<CrdPrinterColumn> | undefined | null, path: string): FieldError[] {
  const col = column ?? {};
  const errs: FieldError[] = [];
  if (str(col.name) === '') errs.push({ type: 'FieldValueRequired', field: `${path}.name`, detail: '' });
  const type = str(col.type);
  const typeDetail = `must be one of ${COLUMN_TYPES.join(',')}`;
  if (type === '') errs.push({ type: 'FieldValueRequired', field: `${path}.type`, detail: typeDetail });
  else if (!COLUMN_TYPES.includes(type)) errs.push({ type: 'FieldValueInvalid', field: `${path}.type`, value: type, detail: typeDetail });
  const format = str(col.format);
  if (format !== '' && !COLUMN_FORMATS.includes(format)) {
    errs.push({ type: 'FieldValueInvalid', field: `${path}.format`, value: format, detail: `must be one of ${COLUMN_FORMATS.join(',')}` });
  }
  const jsonPath = str(col.jsonPath);
  if (jsonPath === '') errs.push({ type: 'FieldValueRequired', field: `${path}.JSONPath`, detail: '' });
  else errs.push(...validateSimpleJsonPath(jsonPath, `${path}.JSONPath`));
  return errs;
}

/** The field errors of a list of printer columns at `path`. */
export function validateCrdColumns(columns: unknown, path: string): FieldError[] {
  if (!Array.isArray(columns)) return [];
  return columns.flatMap((c, i) => validateCrdColumn(c as Partial<CrdPrinterColumn>, `${path}[${i}]`));
}
