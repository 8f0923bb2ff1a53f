/**
 * Wrong and malformed media types: a well-formed JSON body under a Content-Type no write accepts
 * (or a malformed one), patch types on creates and updates, write types on patches, and Accept
 * headers nothing can satisfy or that no parser should choke on.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { CONFIGMAPS, TARGET_PATH, writeEndpoint } from './targets.js';

const WRONG_TYPES = [
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/json-seq',
  'application/jsonx',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'application/apply-patch+cbor',
  'application/cbor',
  'application/vnd.kubernetes.protobuf;stream=watch',
  'application/json;stream=watch',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;;;',
  'application/json; =x',
  'application/json; a="unterminated',
  'application/json; ' + 'p=v; '.repeat(1000),
  '/',
  'json',
  'application/',
  '/json',
  '*/*',
  'application/*',
  '*',
  ';',
  '"application/json"',
  'APPLICATION/JSON',
  'application/' + 'x'.repeat(300),
  'x'.repeat(10_000),
  'é/ü',
];

const ACCEPTS = [
  'text/html',
  'application/xml',
  'image/png',
  'application/json;as=Table',
  'application/json;as=Table;v=v1;g=meta.k8s.io;extra=1',
  'application/json;as=Garbage;v=v9;g=nope',
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadataList;v=v1beta1;g=meta.k8s.io',
  'application/json;q=0',
  'application/json;q=abc',
  'application/json;q=-1',
  'application/json;q=1e999',
  ',,,,',
  ';;;',
  '/',
  '*/json',
  '*/*;q=0',
  'application/json;stream=watch',
  'application/yaml;stream=watch',
  'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io',
  'application/json, ' + 'text/html;q=0.5, '.repeat(2000),
  'x'.repeat(20_000),
];

/** Generate one wrong-media-type case. */
export function contentTypeCase(rng: Rng): FuzzCase {
  const variant = rng.weighted([
    [5, 'wrong-content-type'],
    [2, 'write-type-on-patch'],
    [3, 'bad-accept'],
  ] as const);
  const { method, path, target, name } = writeEndpoint(rng);
  const body = Buffer.from(JSON.stringify(target.object(name)), 'utf8');
  switch (variant) {
    case 'wrong-content-type':
      return { category: 'content-types', variant: `content-type-${variant}`, method, path, headers: { 'content-type': rng.pick(WRONG_TYPES) }, body };
    case 'write-type-on-patch':
      return {
        category: 'content-types',
        variant: `content-type-${variant}`,
        method: 'PATCH',
        path: TARGET_PATH,
        headers: { 'content-type': rng.pick(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', ...WRONG_TYPES.slice(0, 8)]) },
        body: Buffer.from('{"data":{"patched":"yes"}}'),
      };
    case 'bad-accept': {
      const get = rng.chance(0.6);
      return {
        category: 'content-types',
        variant: `content-type-${variant}`,
        method: get ? 'GET' : method,
        path: get ? rng.pick([CONFIGMAPS.collection, TARGET_PATH, '/api/v1', '/apis', '/version', `${CONFIGMAPS.collection}?watch=1&timeoutSeconds=1`]) : path,
        headers: { accept: rng.pick(ACCEPTS), ...(get ? {} : { 'content-type': 'application/json' }) },
        ...(get ? {} : { body }),
        stream: get,
      };
    }
  }
}
