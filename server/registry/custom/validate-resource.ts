/**
 * The whole validation of a custom resource's body, in upstream's customResourceStrategy order:
 * the OpenAPI schema first, then the embedded resources' type and object meta, then the uniqueness
 * of set and map lists, then the `x-kubernetes-validations` rules — unless the schema found an
 * error that makes the rules meaningless (a missing, mistyped, unsupported, too long or too many
 * value), in which case upstream's single `<nil>` error says the rules were not checked. A schema
 * without rules has no rule validator upstream, and so no such error.
 */
import type { FieldError, FieldErrorType } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { CustomResourceInfo } from '../resource-type.js';
import { hasRules, ROOT_PATH, validateRules } from './cel/validate.js';
import { validateAgainstSchema } from './validate.js';
import { validateEmbedded } from './embedded.js';
import { validateListSetsAndMaps } from './list-type.js';

/** Schema errors after which upstream does not run the rules (hasBlockingErr). */
const BLOCKING: ReadonlySet<FieldErrorType> = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/** The field errors of a custom resource on create (no `old`) or update. */
export function validateCustomResource(info: CustomResourceInfo, obj: KubeObject, old?: KubeObject): FieldError[] {
  const errors = validateAgainstSchema(obj, info.schema);
  errors.push(...validateEmbedded(obj, info.schema), ...validateListSetsAndMaps(obj, info.schema));
  if (!hasRules(info.schema)) return errors;
  if (errors.some((e) => BLOCKING.has(e.type))) {
    errors.push({ type: 'FieldValueInvalid', field: ROOT_PATH, value: null, detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' });
    return errors;
  }
  errors.push(...validateRules(info.schema, obj, old, { optionalOldSelf: info.optionalOldSelf === true, ...(info.celLibraries ? { libraries: info.celLibraries } : {}) }));
  return errors;
}
