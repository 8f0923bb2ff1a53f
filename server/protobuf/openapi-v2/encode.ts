/**
 * A Swagger 2.0 document in OpenAPI v2's protobuf form, as kube-openapi's handler makes it
 * (`ToProtoBinary`: gnostic's `ParseDocument` of the JSON, then `proto.Marshal`): every object
 * becomes the message gnostic compiles it to, maps become ordered `Named*` pairs in the JSON's key
 * order, `x-` keys become `vendor_extension` entries, and free-form values (`default`, `example`,
 * `enum` items, extension values) an `Any` holding their YAML text, which is what clients
 * (kubectl's proto models, client-go's query-parameter verifier) parse back. Keys gnostic's
 * compiler does not know are left out (kube-skew's documents have none). Encoding is
 * @bufbuild/protobuf's, over the messages of messages.ts.
 */
import { toBinary, type DescMessage, protoInt64, ScalarType } from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { stringify as toYaml } from 'yaml';
import { openApiV2Message } from './messages.js';

type Json = Record<string, any>;
/** A message under construction: proto field names to values (nested messages as Proto too). */
type Proto = Record<string, unknown>;

/** gnostic's Any: the value's YAML. */
function any(value: unknown): Proto {
  return { yaml: toYaml(value, { lineWidth: 0 }) };
}

function extensions(obj: Json): Proto[] {
  const out: Proto[] = [];
  for (const [k, v] of Object.entries(obj)) if (k.startsWith('x-')) out.push({ name: k, value: any(v) });
  return out;
}

/** Copy the listed keys of `obj` that are set, renamed to their proto field names. */
function scalars(obj: Json, names: Record<string, string>): Proto {
  const out: Proto = {};
  for (const [json, proto] of Object.entries(names)) if (obj[json] !== undefined && obj[json] !== null) out[proto] = obj[json];
  return out;
}

const VALIDATIONS: Record<string, string> = {
  maximum: 'maximum',
  exclusiveMaximum: 'exclusive_maximum',
  minimum: 'minimum',
  exclusiveMinimum: 'exclusive_minimum',
  maxLength: 'max_length',
  minLength: 'min_length',
  pattern: 'pattern',
  maxItems: 'max_items',
  minItems: 'min_items',
  uniqueItems: 'unique_items',
  multipleOf: 'multiple_of',
};

function schema(s: Json): Proto {
  const out: Proto = {
    ...scalars(s, { $ref: '_ref', format: 'format', title: 'title', description: 'description', ...VALIDATIONS, maxProperties: 'max_properties', minProperties: 'min_properties', discriminator: 'discriminator', readOnly: 'read_only' }),
  };
  if (s.default !== undefined) out.default = any(s.default);
  if (Array.isArray(s.required)) out.required = s.required;
  if (Array.isArray(s.enum)) out.enum = s.enum.map(any);
  if (typeof s.additionalProperties === 'boolean') out.additional_properties = { boolean: s.additionalProperties };
  else if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additional_properties = { schema: schema(s.additionalProperties) };
  if (s.type !== undefined) out.type = { value: Array.isArray(s.type) ? s.type : [s.type] };
  if (Array.isArray(s.items)) out.items = { schema: s.items.map(schema) };
  else if (s.items && typeof s.items === 'object') out.items = { schema: [schema(s.items)] };
  if (Array.isArray(s.allOf)) out.all_of = s.allOf.map(schema);
  if (s.properties && typeof s.properties === 'object') out.properties = { additional_properties: named(s.properties, schema) };
  if (s.externalDocs) out.external_docs = { ...scalars(s.externalDocs, { description: 'description', url: 'url' }), vendor_extension: extensions(s.externalDocs) };
  if (s.example !== undefined) out.example = any(s.example);
  out.vendor_extension = extensions(s);
  return out;
}

function named(obj: Json, value: (v: any) => Proto): Proto[] {
  return Object.entries(obj).map(([name, v]) => ({ name, value: value(v) }));
}

function primitivesItems(p: Json): Proto {
  const out: Proto = { ...scalars(p, { type: 'type', format: 'format', collectionFormat: 'collection_format', ...VALIDATIONS }) };
  if (p.items) out.items = primitivesItems(p.items);
  if (p.default !== undefined) out.default = any(p.default);
  if (Array.isArray(p.enum)) out.enum = p.enum.map(any);
  out.vendor_extension = extensions(p);
  return out;
}

const SUB_SCHEMAS: Record<string, string> = {
  header: 'header_parameter_sub_schema',
  formData: 'form_data_parameter_sub_schema',
  query: 'query_parameter_sub_schema',
  path: 'path_parameter_sub_schema',
};

function parameter(p: Json): Proto {
  if (p.in === 'body') {
    const body: Proto = { ...scalars(p, { description: 'description', name: 'name', in: 'in', required: 'required' }), vendor_extension: extensions(p) };
    if (p.schema) body.schema = schema(p.schema);
    return { body_parameter: body };
  }
  const sub: Proto = { ...scalars(p, { required: 'required', in: 'in', description: 'description', name: 'name', type: 'type', format: 'format', collectionFormat: 'collection_format', ...VALIDATIONS }) };
  if ((p.in === 'query' || p.in === 'formData') && p.allowEmptyValue !== undefined) sub.allow_empty_value = p.allowEmptyValue;
  if (p.items) sub.items = primitivesItems(p.items);
  if (p.default !== undefined) sub.default = any(p.default);
  if (Array.isArray(p.enum)) sub.enum = p.enum.map(any);
  sub.vendor_extension = extensions(p);
  return { non_body_parameter: { [SUB_SCHEMAS[p.in] ?? 'query_parameter_sub_schema']: sub } };
}

function parametersItem(p: Json): Proto {
  if (typeof p.$ref === 'string') return { json_reference: scalars(p, { $ref: '_ref', description: 'description' }) };
  return { parameter: parameter(p) };
}

function response(r: Json): Proto {
  if (typeof r.$ref === 'string') return { json_reference: scalars(r, { $ref: '_ref', description: 'description' }) };
  const out: Proto = { ...scalars(r, { description: 'description' }), vendor_extension: extensions(r) };
  if (r.schema) out.schema = { schema: schema(r.schema) };
  return { response: out };
}

function operation(op: Json): Proto {
  const out: Proto = {
    ...scalars(op, { tags: 'tags', summary: 'summary', description: 'description', operationId: 'operation_id', produces: 'produces', consumes: 'consumes', schemes: 'schemes', deprecated: 'deprecated' }),
  };
  if (Array.isArray(op.parameters)) out.parameters = op.parameters.map(parametersItem);
  if (op.responses) {
    out.responses = {
      response_code: Object.entries(op.responses as Json).filter(([k]) => !k.startsWith('x-')).map(([name, r]) => ({ name, value: response(r) })),
      vendor_extension: extensions(op.responses),
    };
  }
  if (Array.isArray(op.security)) out.security = op.security.map(securityRequirement);
  out.vendor_extension = extensions(op);
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function pathItem(item: Json): Proto {
  const out: Proto = { ...scalars(item, { $ref: '_ref' }) };
  for (const m of METHODS) if (item[m]) out[m] = operation(item[m]);
  if (Array.isArray(item.parameters)) out.parameters = item.parameters.map(parametersItem);
  out.vendor_extension = extensions(item);
  return out;
}

function securityRequirement(req: Json): Proto {
  return { additional_properties: Object.entries(req).map(([name, scopes]) => ({ name, value: { value: scopes } })) };
}

const SECURITY_KINDS: Record<string, string> = { basic: 'basic_authentication_security', apiKey: 'api_key_security' };

function securityDefinition(d: Json): Proto {
  const kind = SECURITY_KINDS[d.type] ?? 'api_key_security';
  return { [kind]: { ...scalars(d, { type: 'type', name: 'name', in: 'in', description: 'description' }), vendor_extension: extensions(d) } };
}

/** The document as nested proto-shaped objects. */
function document(doc: Json): Proto {
  const out: Proto = { ...scalars(doc, { swagger: 'swagger', host: 'host', basePath: 'base_path', schemes: 'schemes', consumes: 'consumes', produces: 'produces' }) };
  if (doc.info) out.info = { ...scalars(doc.info, { title: 'title', version: 'version', description: 'description', termsOfService: 'terms_of_service' }), vendor_extension: extensions(doc.info) };
  if (doc.paths) {
    out.paths = {
      vendor_extension: extensions(doc.paths),
      path: Object.entries(doc.paths as Json).filter(([k]) => k.startsWith('/')).map(([name, item]) => ({ name, value: pathItem(item) })),
    };
  }
  if (doc.definitions) out.definitions = { additional_properties: named(doc.definitions, schema) };
  if (doc.parameters) out.parameters = { additional_properties: named(doc.parameters, parameter) };
  if (Array.isArray(doc.security)) out.security = doc.security.map(securityRequirement);
  if (doc.securityDefinitions) out.security_definitions = { additional_properties: named(doc.securityDefinitions, securityDefinition) };
  out.vendor_extension = extensions(doc);
  return out;
}

const fieldsByName = new Map<DescMessage, Map<string, DescMessage['fields'][number]>>();

function fieldOf(desc: DescMessage, name: string): DescMessage['fields'][number] {
  let byName = fieldsByName.get(desc);
  if (!byName) {
    byName = new Map(desc.fields.map((f) => [f.name, f]));
    fieldsByName.set(desc, byName);
  }
  const field = byName.get(name);
  if (!field) throw new Error(`openapi.v2.${desc.name} has no field ${name}`);
  return field;
}

function scalarValue(field: DescMessage['fields'][number], v: unknown): unknown {
  if (field.fieldKind !== 'scalar' && field.fieldKind !== 'list') return v;
  if (field.scalar === ScalarType.INT64) return protoInt64.parse(Math.trunc(Number(v)));
  if (field.scalar === ScalarType.DOUBLE) return Number(v);
  return v;
}

function materialize(desc: DescMessage, obj: Proto): ReflectMessage {
  // The values are built here from a parsed document: no per-field type checks.
  const r = reflect(desc, undefined, false);
  for (const [name, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    const field = fieldOf(desc, name);
    switch (field.fieldKind) {
      case 'list': {
        const items = value as unknown[];
        if (items.length === 0) break;
        const list = r.get(field);
        for (const item of items) list.add(field.listKind === 'message' ? materialize(field.message, item as Proto) : scalarValue(field, item));
        break;
      }
      case 'message':
        r.set(field, materialize(field.message, value as Proto));
        break;
      case 'scalar':
        r.set(field, scalarValue(field, value));
        break;
      default:
        throw new Error(`openapi.v2.${desc.name}.${name}: unsupported field kind ${field.fieldKind}`);
    }
  }
  return r;
}

/** Encode a Swagger 2.0 document (parsed JSON) as an `openapi.v2.Document` message. */
export function encodeOpenApiV2(doc: Json): Uint8Array {
  const desc = openApiV2Message('Document');
  return toBinary(desc, materialize(desc, document(doc)).message);
}
