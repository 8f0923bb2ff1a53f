/**
 * apimachinery's metav1 validation (`ValidateLabelName`, `ValidateLabelSelector`,
 * `ValidateLabelSelectorRequirement`) for label selectors embedded in objects (pod affinity terms,
 * topology spread constraints), with upstream's field paths and messages.
 */
import type { FieldError } from '../../errors/status.js';
import { isQualifiedName, isValidLabelValue, validateLabels } from '../validation.js';
import { arr, forbidden, invalid, invalidEach, obj, required, str } from './field.js';

/** `ValidateLabelName`: each qualified-name message as an Invalid error. */
export function validateLabelName(name: string, field: string): FieldError[] {
  return invalidEach(field, name, isQualifiedName(name));
}

/** Options of {@link validateLabelSelector}, upstream's `LabelSelectorValidationOptions`. */
export interface LabelSelectorOptions {
  /** Skip the label-value check of `values` (kept for objects stored before it existed). */
  allowInvalidLabelValueInSelector?: boolean;
}

/** `ValidateLabelSelectorRequirement`: operator with its values rule, key, then values. */
export function validateLabelSelectorRequirement(req: Record<string, unknown>, field: string, opts: LabelSelectorOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(req['values']);
  switch (req['operator']) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(`${field}.operator`, str(req['operator']), 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(req['key']), `${field}.key`));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => errs.push(...invalidEach(`${field}.values[${i}]`, str(v), isValidLabelValue(str(v)))));
  }
  return errs;
}

/** `ValidateLabelSelector`: matchLabels as labels, then each matchExpressions requirement; nothing for an absent selector. */
export function validateLabelSelector(selector: unknown, field: string, opts: LabelSelectorOptions = {}): FieldError[] {
  if (selector === undefined || selector === null) return [];
  const s = obj(selector);
  const errs = validateLabels(obj(s['matchLabels']) as Record<string, string>, `${field}.matchLabels`);
  arr(s['matchExpressions']).forEach((e, i) => errs.push(...validateLabelSelectorRequirement(obj(e), `${field}.matchExpressions[${i}]`, opts)));
  return errs;
}
