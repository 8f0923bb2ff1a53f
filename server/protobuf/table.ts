/**
 * kube-skew's own protobuf field tables: a compact text form of the field numbers and types in
 * kubernetes' generated.proto files, parsed once into a Schema that the decoder walks. A table is
 * data only; nothing here reads the wire.
 *
 * One message is a space-separated list of fields, `jsonName=number[:type]`:
 * - the type is `string` when left out; scalars are `string`, `bool`, `int32`, `int64`, `double`,
 *   `bytes`;
 * - `[]T` is a repeated field;
 * - `map` is map<string,string>, `map<bytes>` map<string,bytes>, `map<Quantity>` a map of quantities,
 *   `map<Msg>` a map of messages;
 * - a message type is a name in the same package, or `pkg.Name` in another one (`meta.ObjectMeta`,
 *   `core.PodTemplateSpec`);
 * - the special types `meta.Time`, `meta.MicroTime`, `meta.Duration`, `meta.FieldsV1`,
 *   `res.Quantity` and `intstr` have their own JSON forms;
 * - a `!` suffix keeps the field even when its value is zero or empty: a Go pointer, a field without
 *   `omitempty`, or a message whose empty form means something (`emptyDir: {}`);
 * - a `^` suffix marks an embedded struct (`json:",inline"`): its fields are merged into the parent.
 */

/** The tables of one package: message name → field list. */
export type MessageTables = Record<string, string>;

/** Scalar types a field can have. */
export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'double' | 'bytes';

/** Types with a JSON form of their own. */
export type SpecialType = 'time' | 'microtime' | 'duration' | 'fieldsv1' | 'quantity' | 'intstr';

/** What a field holds. */
export type FieldType =
  | { kind: 'scalar'; type: ScalarType }
  | { kind: 'special'; type: SpecialType }
  | { kind: 'message'; pkg: string; name: string }
  | { kind: 'map'; value: { kind: 'scalar'; type: 'string' | 'bytes' } | { kind: 'special'; type: 'quantity' } | { kind: 'message'; pkg: string; name: string } };

/** One field of a message. */
export interface FieldSpec {
  json: string;
  number: number;
  type: FieldType;
  repeated: boolean;
  /** Kept when zero or empty. */
  keep: boolean;
  /** An embedded struct whose fields are merged into the parent. */
  inline: boolean;
}

/** A parsed message: its fields by number. */
export interface MessageSpec {
  pkg: string;
  name: string;
  fields: Map<number, FieldSpec>;
}

/** A table that cannot be parsed: a bug in kube-skew's data, found at start-up. */
export class TableError extends Error {
  readonly code = 'PROTOBUF_TABLE';
  constructor(message: string) {
    super(message);
    this.name = 'TableError';
  }
}

const SPECIAL: Record<string, SpecialType> = {
  'meta.Time': 'time',
  'meta.MicroTime': 'microtime',
  'meta.Duration': 'duration',
  'meta.FieldsV1': 'fieldsv1',
  'res.Quantity': 'quantity',
  intstr: 'intstr',
};

const SCALARS = new Set<string>(['string', 'bool', 'int32', 'int64', 'double', 'bytes']);

function messageRef(pkg: string, ref: string): { kind: 'message'; pkg: string; name: string } {
  const dot = ref.indexOf('.');
  return dot > 0 ? { kind: 'message', pkg: ref.slice(0, dot), name: ref.slice(dot + 1) } : { kind: 'message', pkg, name: ref };
}

function parseType(pkg: string, text: string): FieldType {
  if (SCALARS.has(text)) return { kind: 'scalar', type: text as ScalarType };
  const special = SPECIAL[text];
  if (special) return { kind: 'special', type: special };
  if (text === 'map') return { kind: 'map', value: { kind: 'scalar', type: 'string' } };
  const m = /^map<(.+)>$/.exec(text);
  if (m) {
    const value = m[1]!;
    if (value === 'bytes' || value === 'string') return { kind: 'map', value: { kind: 'scalar', type: value } };
    if (value === 'Quantity') return { kind: 'map', value: { kind: 'special', type: 'quantity' } };
    return { kind: 'map', value: messageRef(pkg, value) };
  }
  return messageRef(pkg, text);
}

/** Parse one message's field list. */
export function parseMessage(pkg: string, name: string, text: string): MessageSpec {
  const fields = new Map<number, FieldSpec>();
  for (const item of text.trim().split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\d+)(?::(.+))?$/.exec(item);
    if (!m) throw new TableError(`${pkg}.${name}: cannot parse field ${JSON.stringify(item)}`);
    let typeText = m[3] ?? 'string';
    let keep = false;
    let inline = false;
    let repeated = false;
    for (;;) {
      if (typeText.endsWith('!')) keep = true;
      else if (typeText.endsWith('^')) inline = true;
      else break;
      typeText = typeText.slice(0, -1);
    }
    if (typeText.startsWith('[]')) {
      repeated = true;
      typeText = typeText.slice(2);
    }
    const number = Number(m[2]);
    if (fields.has(number)) throw new TableError(`${pkg}.${name}: field number ${number} is used twice`);
    fields.set(number, { json: m[1]!, number, type: parseType(pkg, typeText), repeated, keep, inline });
  }
  return { pkg, name, fields };
}

/** Every package's parsed messages, with references checked. */
export class Schema {
  private readonly messages = new Map<string, MessageSpec>();

  /** Parse `packages` (package name → tables); throws TableError on a malformed table or a dangling reference. */
  constructor(packages: Record<string, MessageTables>) {
    for (const [pkg, tables] of Object.entries(packages)) {
      for (const [name, text] of Object.entries(tables)) this.messages.set(`${pkg}.${name}`, parseMessage(pkg, name, text));
    }
    for (const msg of this.messages.values()) {
      for (const f of msg.fields.values()) {
        const ref = f.type.kind === 'message' ? f.type : f.type.kind === 'map' && f.type.value.kind === 'message' ? f.type.value : undefined;
        if (ref && !this.messages.has(`${ref.pkg}.${ref.name}`)) {
          throw new TableError(`${msg.pkg}.${msg.name}.${f.json}: unknown message ${ref.pkg}.${ref.name}`);
        }
      }
    }
  }

  /** The message `pkg.name`, or undefined. */
  message(pkg: string, name: string): MessageSpec | undefined {
    return this.messages.get(`${pkg}.${name}`);
  }

  /** How many messages the schema holds. */
  get size(): number {
    return this.messages.size;
  }
}
