/**
 * The messages of OpenAPI v2 in protobuf (package `openapi.v2`), the form kube-apiserver serves at
 * `/openapi/v2` to clients asking for `application/com.github.proto-openapi.spec.v2.v1.0+protobuf`:
 * kube-skew's own transcription of the field numbers of gnostic's openapiv2/OpenAPIv2.proto, turned
 * into a @bufbuild/protobuf file registry at load, so encoding is the library's.
 *
 * One message is a space-separated list of fields, `proto_name=number[:type]`: the type is `string`
 * when left out; scalars are `string`, `bool`, `double`, `int64`; `[]T` is repeated; `Any!` is
 * `google.protobuf.Any`; any other type names a message of this package. A `|` suffix puts the
 * field into the message's oneof (every oneof of the file is named `oneof`).
 */
import { createFileRegistry, fromJson, type DescMessage, type FileRegistry, type JsonValue } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_any, type FieldDescriptorProtoJson } from '@bufbuild/protobuf/wkt';

/** The proto package of the messages. */
export const OPENAPI_V2_PACKAGE = 'openapi.v2';

const PARAMETER_SUB_SCHEMA =
  'required=1:bool in=2 description=3 name=4 type=5 format=6 items=7:PrimitivesItems collection_format=8 default=9:Any maximum=10:double exclusive_maximum=11:bool minimum=12:double exclusive_minimum=13:bool max_length=14:int64 min_length=15:int64 pattern=16 max_items=17:int64 min_items=18:int64 unique_items=19:bool enum=20:[]Any multiple_of=21:double vendor_extension=22:[]NamedAny';
const QUERY_OR_FORM_SUB_SCHEMA =
  'required=1:bool in=2 description=3 name=4 allow_empty_value=5:bool type=6 format=7 items=8:PrimitivesItems collection_format=9 default=10:Any maximum=11:double exclusive_maximum=12:bool minimum=13:double exclusive_minimum=14:bool max_length=15:int64 min_length=16:int64 pattern=17 max_items=18:int64 min_items=19:int64 unique_items=20:bool enum=21:[]Any multiple_of=22:double vendor_extension=23:[]NamedAny';
const PRIMITIVES =
  'type=1 format=2 items=3:PrimitivesItems collection_format=4 default=5:Any maximum=6:double exclusive_maximum=7:bool minimum=8:double exclusive_minimum=9:bool max_length=10:int64 min_length=11:int64 pattern=12 max_items=13:int64 min_items=14:int64 unique_items=15:bool enum=16:[]Any multiple_of=17:double';
const NAMED = (value: string): string => `name=1 value=2:${value}`;
const OAUTH2 = (fields: string[]): string => [...fields.map((f, i) => `${f}=${i + 1}${f === 'scopes' ? ':Oauth2Scopes' : ''}`), `vendor_extension=${fields.length + 1}:[]NamedAny`].join(' ');

/** The messages of OpenAPIv2.proto by name. */
export const OPENAPI_V2_MESSAGES: Record<string, string> = {
  AdditionalPropertiesItem: 'schema=1:Schema| boolean=2:bool|',
  Any: 'value=1:Any! yaml=2',
  ApiKeySecurity: 'type=1 name=2 in=3 description=4 vendor_extension=5:[]NamedAny',
  BasicAuthenticationSecurity: 'type=1 description=2 vendor_extension=3:[]NamedAny',
  BodyParameter: 'description=1 name=2 in=3 required=4:bool schema=5:Schema vendor_extension=6:[]NamedAny',
  Contact: 'name=1 url=2 email=3 vendor_extension=4:[]NamedAny',
  Default: 'additional_properties=1:[]NamedAny',
  Definitions: 'additional_properties=1:[]NamedSchema',
  Document:
    'swagger=1 info=2:Info host=3 base_path=4 schemes=5:[]string consumes=6:[]string produces=7:[]string paths=8:Paths definitions=9:Definitions parameters=10:ParameterDefinitions responses=11:ResponseDefinitions security=12:[]SecurityRequirement security_definitions=13:SecurityDefinitions tags=14:[]Tag external_docs=15:ExternalDocs vendor_extension=16:[]NamedAny',
  Examples: 'additional_properties=1:[]NamedAny',
  ExternalDocs: 'description=1 url=2 vendor_extension=3:[]NamedAny',
  FileSchema: 'format=1 title=2 description=3 default=4:Any required=5:[]string type=6 read_only=7:bool external_docs=8:ExternalDocs example=9:Any vendor_extension=10:[]NamedAny',
  FormDataParameterSubSchema: QUERY_OR_FORM_SUB_SCHEMA,
  Header: `${PRIMITIVES} description=18 vendor_extension=19:[]NamedAny`,
  HeaderParameterSubSchema: PARAMETER_SUB_SCHEMA,
  Headers: 'additional_properties=1:[]NamedHeader',
  Info: 'title=1 version=2 description=3 terms_of_service=4 contact=5:Contact license=6:License vendor_extension=7:[]NamedAny',
  ItemsItem: 'schema=1:[]Schema',
  JsonReference: '_ref=1 description=2',
  License: 'name=1 url=2 vendor_extension=3:[]NamedAny',
  NamedAny: NAMED('Any'),
  NamedHeader: NAMED('Header'),
  NamedParameter: NAMED('Parameter'),
  NamedPathItem: NAMED('PathItem'),
  NamedResponse: NAMED('Response'),
  NamedResponseValue: NAMED('ResponseValue'),
  NamedSchema: NAMED('Schema'),
  NamedSecurityDefinitionsItem: NAMED('SecurityDefinitionsItem'),
  NamedString: NAMED('string'),
  NamedStringArray: NAMED('StringArray'),
  NonBodyParameter:
    'header_parameter_sub_schema=1:HeaderParameterSubSchema| form_data_parameter_sub_schema=2:FormDataParameterSubSchema| query_parameter_sub_schema=3:QueryParameterSubSchema| path_parameter_sub_schema=4:PathParameterSubSchema|',
  Oauth2AccessCodeSecurity: OAUTH2(['type', 'flow', 'scopes', 'authorization_url', 'token_url', 'description']),
  Oauth2ApplicationSecurity: OAUTH2(['type', 'flow', 'scopes', 'token_url', 'description']),
  Oauth2ImplicitSecurity: OAUTH2(['type', 'flow', 'scopes', 'authorization_url', 'description']),
  Oauth2PasswordSecurity: OAUTH2(['type', 'flow', 'scopes', 'token_url', 'description']),
  Oauth2Scopes: 'additional_properties=1:[]NamedString',
  Operation:
    'tags=1:[]string summary=2 description=3 external_docs=4:ExternalDocs operation_id=5 produces=6:[]string consumes=7:[]string parameters=8:[]ParametersItem responses=9:Responses schemes=10:[]string deprecated=11:bool security=12:[]SecurityRequirement vendor_extension=13:[]NamedAny',
  Parameter: 'body_parameter=1:BodyParameter| non_body_parameter=2:NonBodyParameter|',
  ParameterDefinitions: 'additional_properties=1:[]NamedParameter',
  ParametersItem: 'parameter=1:Parameter| json_reference=2:JsonReference|',
  PathItem: '_ref=1 get=2:Operation put=3:Operation post=4:Operation delete=5:Operation options=6:Operation head=7:Operation patch=8:Operation parameters=9:[]ParametersItem vendor_extension=10:[]NamedAny',
  PathParameterSubSchema: PARAMETER_SUB_SCHEMA,
  Paths: 'vendor_extension=1:[]NamedAny path=2:[]NamedPathItem',
  PrimitivesItems: `${PRIMITIVES} vendor_extension=18:[]NamedAny`,
  Properties: 'additional_properties=1:[]NamedSchema',
  QueryParameterSubSchema: QUERY_OR_FORM_SUB_SCHEMA,
  Response: 'description=1 schema=2:SchemaItem headers=3:Headers examples=4:Examples vendor_extension=5:[]NamedAny',
  ResponseDefinitions: 'additional_properties=1:[]NamedResponse',
  ResponseValue: 'response=1:Response| json_reference=2:JsonReference|',
  Responses: 'response_code=1:[]NamedResponseValue vendor_extension=2:[]NamedAny',
  Schema:
    '_ref=1 format=2 title=3 description=4 default=5:Any multiple_of=6:double maximum=7:double exclusive_maximum=8:bool minimum=9:double exclusive_minimum=10:bool max_length=11:int64 min_length=12:int64 pattern=13 max_items=14:int64 min_items=15:int64 unique_items=16:bool max_properties=17:int64 min_properties=18:int64 required=19:[]string enum=20:[]Any additional_properties=21:AdditionalPropertiesItem type=22:TypeItem items=23:ItemsItem all_of=24:[]Schema properties=25:Properties discriminator=26 read_only=27:bool xml=28:Xml external_docs=29:ExternalDocs example=30:Any vendor_extension=31:[]NamedAny',
  SchemaItem: 'schema=1:Schema| file_schema=2:FileSchema|',
  SecurityDefinitions: 'additional_properties=1:[]NamedSecurityDefinitionsItem',
  SecurityDefinitionsItem:
    'basic_authentication_security=1:BasicAuthenticationSecurity| api_key_security=2:ApiKeySecurity| oauth2_implicit_security=3:Oauth2ImplicitSecurity| oauth2_password_security=4:Oauth2PasswordSecurity| oauth2_application_security=5:Oauth2ApplicationSecurity| oauth2_access_code_security=6:Oauth2AccessCodeSecurity|',
  SecurityRequirement: 'additional_properties=1:[]NamedStringArray',
  StringArray: 'value=1:[]string',
  Tag: 'name=1 description=2 external_docs=3:ExternalDocs vendor_extension=4:[]NamedAny',
  TypeItem: 'value=1:[]string',
  VendorExtension: 'additional_properties=1:[]NamedAny',
  Xml: 'name=1 namespace=2 prefix=3 attribute=4:bool wrapped=5:bool vendor_extension=6:[]NamedAny',
};

const SCALAR_TYPES: Record<string, FieldDescriptorProtoJson['type']> = {
  string: 'TYPE_STRING',
  bool: 'TYPE_BOOL',
  double: 'TYPE_DOUBLE',
  int64: 'TYPE_INT64',
};

/** A table that does not parse: a bug in kube-skew's data, found at load. */
export class OpenApiV2TableError extends Error {
  readonly code = 'OPENAPI_V2_TABLE';
  constructor(message: string) {
    super(message);
    this.name = 'OpenApiV2TableError';
  }
}

function fieldOf(message: string, item: string): FieldDescriptorProtoJson & { inOneof: boolean } {
  const m = /^([a-z_][a-z0-9_]*)=(\d+)(?::(.+?))?(\|)?$/.exec(item);
  if (!m) throw new OpenApiV2TableError(`${message}: cannot parse field ${JSON.stringify(item)}`);
  let type = m[3] ?? 'string';
  const repeated = type.startsWith('[]');
  if (repeated) type = type.slice(2);
  const field: FieldDescriptorProtoJson & { inOneof: boolean } = {
    name: m[1]!,
    number: Number(m[2]),
    label: repeated ? 'LABEL_REPEATED' : 'LABEL_OPTIONAL',
    inOneof: m[4] === '|',
  };
  const scalar = SCALAR_TYPES[type];
  if (scalar !== undefined) field.type = scalar;
  else {
    field.type = 'TYPE_MESSAGE';
    field.typeName = type === 'Any!' ? '.google.protobuf.Any' : `.${OPENAPI_V2_PACKAGE}.${type}`;
    if (type !== 'Any!' && !(type in OPENAPI_V2_MESSAGES)) throw new OpenApiV2TableError(`${message}.${field.name}: unknown message ${type}`);
  }
  return field;
}

function buildRegistry(): FileRegistry {
  const messageType = Object.entries(OPENAPI_V2_MESSAGES).map(([name, text]) => {
    const fields = text.trim().split(/\s+/).map((item) => fieldOf(name, item));
    return {
      name,
      field: fields.map(({ inOneof, ...f }) => (inOneof ? { ...f, oneofIndex: 0 } : f)),
      ...(fields.some((f) => f.inOneof) ? { oneofDecl: [{ name: 'oneof' }] } : {}),
    };
  });
  const file = fromJson(FileDescriptorProtoSchema, {
    name: 'openapiv2/OpenAPIv2.proto',
    package: OPENAPI_V2_PACKAGE,
    dependency: ['google/protobuf/any.proto'],
    syntax: 'proto3',
    messageType,
  } as JsonValue);
  return createFileRegistry(file, (name) => (name === 'google/protobuf/any.proto' ? file_google_protobuf_any : undefined));
}

let registry: FileRegistry | undefined;

/** The descriptor of message `name` of package openapi.v2; throws for an unknown name. */
export function openApiV2Message(name: string): DescMessage {
  registry ??= buildRegistry();
  const desc = registry.getMessage(`${OPENAPI_V2_PACKAGE}.${name}`);
  if (!desc) throw new OpenApiV2TableError(`no message ${name}`);
  return desc;
}

