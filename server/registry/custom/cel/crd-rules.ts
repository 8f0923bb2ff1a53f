/**
 * The CRD-side check of `x-kubernetes-validations`, as upstream's ValidateCustomResourceDefinition
 * reports it: a rule or messageExpression that does not compile refuses the CRD with a field error
 * at `…openAPIV3Schema.properties[spec]….x-kubernetes-validations[i].rule` (or
 * `.messageExpression`) whose value is the rule as Go prints the struct.
 */
import { GoSyntax, type FieldError } from '../../../errors/status.js';
import { additionalSchema, type JsonSchemaProps } from '../structural.js';
import { compileRule, rulesOf, type ValidationRule } from './compile.js';

/** `apiextensions.ValidationRule{…}` as `%#v` prints it. */
function goRule(r: ValidationRule): GoSyntax {
  const str = (v: unknown): string => JSON.stringify(typeof v === 'string' ? v : '');
  const reason = typeof r.reason === 'string' ? `(*apiextensions.FieldValueErrorReason)(${JSON.stringify(r.reason)})` : '(*apiextensions.FieldValueErrorReason)(nil)';
  const optional = typeof r.optionalOldSelf === 'boolean' ? `(*bool)(${r.optionalOldSelf})` : '(*bool)(nil)';
  return new GoSyntax(`apiextensions.ValidationRule{Rule:${str(r.rule)}, Message:${str(r.message)}, MessageExpression:${str(r.messageExpression)}, Reason:${reason}, FieldPath:${str(r.fieldPath)}, OptionalOldSelf:${optional}}`);
}

/** The compile errors of every rule under `schema`, with `path` the schema's own field path. */
export function validateSchemaRules(schema: JsonSchemaProps | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!schema || typeof schema !== 'object') return errors;
  rulesOf(schema).forEach((rule, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    if (typeof rule.rule !== 'string' || rule.rule.trim() === '') {
      errors.push({ type: 'FieldValueRequired', field: `${at}.rule`, detail: '' });
      return;
    }
    const compiled = compileRule(rule);
    if (compiled.error) errors.push({ type: 'FieldValueInvalid', field: `${at}.rule`, value: goRule(rule), detail: compiled.error });
    if (compiled.messageError) errors.push({ type: 'FieldValueInvalid', field: `${at}.messageExpression`, value: goRule(rule), detail: compiled.messageError });
  });
  for (const key of Object.keys(schema.properties ?? {}).sort()) errors.push(...validateSchemaRules(schema.properties![key], `${path}.properties[${key}]`));
  if (schema.items) errors.push(...validateSchemaRules(schema.items, `${path}.items`));
  const additional = additionalSchema(schema);
  if (additional) errors.push(...validateSchemaRules(additional, `${path}.additionalProperties`));
  return errors;
}
