/**
 * Hostile JSON bodies for creates, updates and patches: nesting far past Go's 10,000-level limit
 * and right at it, huge documents past the 3 MiB body limit, many keys, invalid syntax (truncated,
 * trailing garbage, NaN, bad escapes, lone surrogates, invalid UTF-8), top-level non-objects and
 * wrong types in well-known fields.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { TARGET_PATH, writeEndpoint } from './targets.js';

/** `depth` levels of nested arrays or objects around `inner`. */
export function nested(depth: number, kind: 'array' | 'object' | 'mixed', inner = '1', rng?: Rng): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const obj = kind === 'object' || (kind === 'mixed' && rng !== undefined && rng.chance(0.5));
    open += obj ? '{"a":' : '[';
    close = (obj ? '}' : ']') + close;
  }
  return open + inner + close;
}

const DEPTHS = [100, 1000, 5000, 9999, 10_000, 10_001, 10_002, 20_000, 100_000, 500_000];

/** Syntax that no JSON parser accepts. */
const INVALID = [
  '{',
  '}',
  '{"a":}',
  '{"a" 1}',
  "{'a':1}",
  '{"a":1,}',
  '[1,]',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":-}',
  '{"a":01}',
  '{"a":1e}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\\ud800"}',
  '{"a":"\t"}',
  '{"a":"\u0000"}',
  '{"a":tru}',
  '{"a":1}}',
  '{"a":1} {"b":2}',
  '{"a":1}garbage',
  '\ufeff{"a":1}',
  '/* comment */ {"a":1}',
  '{"a":1 // comment\n}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":"v"}}}}',
];

/** Well-formed JSON that is not an object, or whose fields have the wrong types. */
const WRONG_SHAPES = [
  'null',
  '[]',
  '[{"apiVersion":"v1","kind":"ConfigMap"}]',
  '42',
  '"ConfigMap"',
  'true',
  '{}',
  '{"apiVersion":5,"kind":"ConfigMap","metadata":{"name":"x"}}',
  '{"apiVersion":"v1","kind":["ConfigMap"],"metadata":{"name":"x"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":[]}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":5}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":null}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":["a"]}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"a":1}}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","annotations":{"a":{"b":"c"}}}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","creationTimestamp":"2020-13-45T99:99:99Z"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","creationTimestamp":12}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","deletionGracePeriodSeconds":"x"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","generation":1e400}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","generation":123456789012345678901234567890}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","generation":-1.5}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","ownerReferences":"x"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","ownerReferences":[{"apiVersion":5}]}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","finalizers":{"a":1}}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","managedFields":"x"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","managedFields":[{"fieldsV1":"x"}]}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":"x"}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":1}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":null}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"binaryData":{"a":"!!notbase64"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"immutable":"yes"}',
  '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"},"data":{"a":"%%%"}}',
  '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}',
  '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":"3"}}',
  '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":1e10}}',
  '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"template":[]}}',
  '{"apiVersion":"v1","kind":"Nope","metadata":{"name":"x"}}',
  '{"apiVersion":"nope/v9","kind":"ConfigMap","metadata":{"name":"x"}}',
  '{"apiVersion":"","kind":"","metadata":{"name":"x"}}',
  '{"kind":"ConfigMap","metadata":{"name":"x"}}',
  '{"apiVersion":"v1","metadata":{"name":"x"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"metadata":{"name":"y"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","kind":"Secret","metadata":{"name":"x"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"abc"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"99999999999999999999999"}}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","uid":{"a":1}}}',
  '{"apiVersion":"v1","kind":"Status","status":"Failure"}',
  '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}]}',
  '{"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions","propagationPolicy":"x"}',
];

/** A body of `size` bytes: one huge string value in an otherwise fine ConfigMap. */
function huge(size: number, name: string): string {
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"big":"${'x'.repeat(size)}"}}`;
}

/** Generate one hostile-JSON case. */
export function jsonCase(rng: Rng): FuzzCase {
  const variant = rng.weighted([
    [3, 'deep'],
    [2, 'deep-in-field'],
    [1, 'huge'],
    [1, 'many-keys'],
    [4, 'invalid'],
    [2, 'truncated'],
    [2, 'invalid-utf8'],
    [4, 'wrong-shape'],
    [2, 'patch'],
  ] as const);
  const { method, path, target, name } = writeEndpoint(rng);
  const valid = JSON.stringify(target.object(name));
  let body: string | Buffer = valid;
  let contentType = 'application/json';
  let m = method;
  let p = path;
  switch (variant) {
    case 'deep':
      body = nested(rng.pick(DEPTHS), rng.pick(['array', 'object', 'mixed'] as const), rng.pick(['1', '""', 'null', '{}', '[]']), rng);
      break;
    case 'deep-in-field': {
      const field = rng.pick(['annotations', 'labels', 'data', 'spec', 'unknownField', 'metadata']);
      const deep = nested(rng.pick(DEPTHS), rng.pick(['array', 'object', 'mixed'] as const), '"x"', rng);
      const obj = target.object(name);
      const meta = obj.metadata as Record<string, unknown>;
      const marker = '"__DEEP__"';
      if (field === 'annotations' || field === 'labels') meta[field] = { a: '__DEEP__' };
      else obj[field] = '__DEEP__';
      body = JSON.stringify(obj).replace(marker, deep);
      break;
    }
    case 'huge': {
      const size = rng.pick([1024 * 1024 + 1, 3 * 1024 * 1024 - 200, 3 * 1024 * 1024 + 1, 4 * 1024 * 1024, 13 * 1024 * 1024]);
      body = huge(size, name);
      break;
    }
    case 'many-keys': {
      // 100,000 keys cost the server about a second: rare, so the run keeps its pace.
      const n = rng.chance(0.1) ? 100_000 : rng.pick([1000, 10_000]);
      const keys = Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',');
      body = valid.replace(/}$/, `,"extra":{${keys}}}`);
      if (rng.chance(0.5)) body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","labels":{${Array.from({ length: n }, (_, i) => `"l${i}":"v"`).join(',')}}}}`;
      break;
    }
    case 'invalid':
      body = rng.pick(INVALID);
      break;
    case 'truncated':
      body = valid.slice(0, rng.int(0, valid.length - 1));
      break;
    case 'invalid-utf8': {
      const bad = rng.pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xc3], [0xf4, 0x90, 0x80, 0x80], [0x00]]);
      const at = rng.int(1, valid.length - 2);
      body = Buffer.concat([Buffer.from(valid.slice(0, at)), Buffer.from(bad), Buffer.from(valid.slice(at))]);
      break;
    }
    case 'wrong-shape':
      body = rng.pick(WRONG_SHAPES);
      break;
    case 'patch': {
      m = 'PATCH';
      p = TARGET_PATH;
      contentType = rng.pick(['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml']);
      body = rng.pick([
        ...INVALID,
        ...WRONG_SHAPES,
        nested(rng.pick(DEPTHS), 'object'),
        nested(rng.pick(DEPTHS), 'array'),
        '[{"op":"nope","path":"/data"}]',
        '[{"op":"add","path":"data/x","value":"v"}]',
        '[{"op":"add","path":"/data/~2","value":"v"}]',
        '[{"op":"remove","path":"/metadata/name"}]',
        '[{"op":"replace","path":"/metadata/namespace","value":"other"}]',
        '[{"op":"move","from":"/data","path":"/data/x"}]',
        '[{"op":"copy","from":"/nope","path":"/data/x"}]',
        '[{"op":"test","path":"/data/key","value":"other"}]',
        '[{"op":"add","path":"/metadata/labels/a~1b","value":"v"}]',
        '[{"op":"add","path":"/data/' + 'x'.repeat(rng.size(100_000)) + '","value":"v"}]',
        '[' + Array.from({ length: rng.pick([100, 10_000, 100_000]) }, () => '{"op":"add","path":"/data/x","value":"v"}').join(',') + ']',
        '{"metadata":{"name":"other"}}',
        '{"metadata":{"namespace":"other"}}',
        '{"metadata":{"labels":{"UPPER/..":"v"}}}',
        '{"metadata":{"resourceVersion":"1"}}',
        '{"metadata":{"uid":"changed"}}',
        '{"data":{"$patch":"nope"}}',
        '{"$patch":"delete"}',
        '{"$retainKeys":["x"],"data":{}}',
        '{"$setElementOrder/finalizers":"x"}',
        '{"metadata":{"$deleteFromPrimitiveList/finalizers":{"a":1}}}',
        '{"metadata":{"finalizers":[{"$patch":"replace"}]}}',
        '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"fuzz-target"}}',
        '{"apiVersion":"v1","kind":"ConfigMap"}',
      ]);
      break;
    }
  }
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { category: 'json', variant: `json-${variant}`, method: m, path: p, headers: { 'content-type': contentType }, body: buf };
}
