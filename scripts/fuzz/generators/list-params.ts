/**
 * Absurd list and watch options: `limit`, `continue`, `resourceVersion`, `resourceVersionMatch`,
 * `timeoutSeconds` and their friends negative, huge, fractional, non-numeric, repeated or empty;
 * continue tokens that are not base64, base64 of garbage, of JSON with the wrong fields, of a key
 * that climbs out of the listed prefix; and write options (`dryRun`, `fieldManager`,
 * `fieldValidation`, `propagationPolicy`, `gracePeriodSeconds`) with values no write accepts.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { FUZZ_NAMESPACE } from '../case.js';
import { CONFIGMAPS, TARGET_PATH } from './targets.js';

const NUMBERS = ['-1', '-999999999999', '0', '1', '1.5', '1e3', '1e309', '99999999999999999999', '9223372036854775807', '9223372036854775808', '-9223372036854775809', 'abc', '', ' 5', '+5', '0x10', '010', '5abc', 'NaN', 'Infinity', '１', '\u0000'];

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

function continueTokens(rng: Rng): string[] {
  return [
    '!!!',
    'not-base64',
    '====',
    'a',
    b64('garbage'),
    b64('{}'),
    b64('{"v":"meta.k8s.io/v1"}'),
    b64('{"v":"meta.k8s.io/v1","rv":-1,"start":"x"}'),
    b64('{"v":"meta.k8s.io/v1","rv":1,"start":"../../secrets/"}'),
    b64('{"v":"meta.k8s.io/v1","rv":1,"start":"/"}'),
    b64('{"v":"meta.k8s.io/v1","rv":1,"start":""}'),
    b64('{"v":"meta.k8s.io/v1","rv":99999999999999,"start":"fuzz-0\\u0000"}'),
    b64('{"v":"meta.k8s.io/v2","rv":1,"start":"a"}'),
    b64('{"v":"meta.k8s.io/v1","rv":"1","start":5}'),
    b64('{"v":"meta.k8s.io/v1","rv":1e400,"start":"a"}'),
    b64url('{"v":"meta.k8s.io/v1","rv":1,"start":"a"}'),
    b64('[1,2,3]'),
    b64('null'),
    b64(`{"v":"meta.k8s.io/v1","rv":1,"start":"${'x'.repeat(rng.size(100_000))}"}`),
    'A'.repeat(rng.size(200_000) + 1),
  ];
}

/** Generate one absurd-options case. */
export function listParamsCase(rng: Rng): FuzzCase {
  const variant = rng.weighted([
    [3, 'limit'],
    [3, 'continue'],
    [3, 'resource-version'],
    [2, 'timeout'],
    [2, 'watch-flags'],
    [2, 'repeated'],
    [3, 'write-options'],
  ] as const);
  const q = new URLSearchParams();
  let path = rng.pick([CONFIGMAPS.collection, '/api/v1/namespaces', `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/deployments`, '/api/v1/configmaps']);
  let method = 'GET';
  let body: Buffer | undefined;
  let stream = false;
  switch (variant) {
    case 'limit':
      q.set('limit', rng.pick(NUMBERS));
      if (rng.chance(0.3)) q.set('continue', rng.pick(continueTokens(rng)));
      break;
    case 'continue':
      q.set('continue', rng.pick(continueTokens(rng)));
      if (rng.chance(0.5)) q.set('limit', rng.pick(['1', '2', '-1', '0']));
      if (rng.chance(0.2)) q.set('resourceVersion', rng.pick(['0', '1', 'abc']));
      break;
    case 'resource-version':
      q.set('resourceVersion', rng.pick([...NUMBERS, '18446744073709551616', '00000000000000000001']));
      if (rng.chance(0.6)) q.set('resourceVersionMatch', rng.pick(['Exact', 'NotOlderThan', 'exact', 'Garbage', '', 'MostRecent']));
      if (rng.chance(0.4)) q.set('limit', rng.pick(['1', '0', '-5']));
      if (rng.chance(0.3)) {
        path = TARGET_PATH;
      }
      break;
    case 'timeout':
      q.set('timeoutSeconds', rng.pick(NUMBERS));
      if (rng.chance(0.5)) {
        q.set('watch', rng.pick(['1', 'true']));
        stream = true;
      }
      break;
    case 'watch-flags':
      q.set('watch', rng.pick(['1', 'true', 'yes', 'garbage', '', 'FALSE', '0']));
      q.set('timeoutSeconds', '1');
      q.set(rng.pick(['allowWatchBookmarks', 'sendInitialEvents', 'resourceVersionMatch', 'resourceVersion']), rng.pick(['garbage', '', 'true', 'NotOlderThan', '-1', '999999999999']));
      stream = true;
      break;
    case 'repeated':
      for (const name of ['limit', 'resourceVersion', 'timeoutSeconds', 'watch', 'labelSelector', 'continue']) {
        if (rng.chance(0.5)) for (let i = 0; i < rng.int(2, 5); i++) q.append(name, rng.pick(['1', '0', 'abc', '']));
      }
      q.set('timeoutSeconds', '1');
      stream = true;
      break;
    case 'write-options': {
      const option = rng.pick(['dryRun', 'fieldManager', 'fieldValidation', 'propagationPolicy', 'gracePeriodSeconds', 'orphanDependents', 'force', 'pretty']);
      const value = rng.pick([...NUMBERS, 'All', 'all', 'Strict', 'strict', 'Ignore', 'Foreground', 'Orphan', 'x'.repeat(129), 'é', 'true', 'garbage']);
      q.set(option, value);
      method = rng.pick(['POST', 'PUT', 'PATCH', 'DELETE']);
      if (method === 'POST') {
        path = CONFIGMAPS.collection;
        body = Buffer.from(JSON.stringify(CONFIGMAPS.object(`fz-${rng.string(10)}`)));
      } else if (method === 'PUT') {
        path = TARGET_PATH;
        body = Buffer.from(JSON.stringify(CONFIGMAPS.object('fuzz-target')));
      } else if (method === 'PATCH') {
        path = TARGET_PATH;
        body = Buffer.from('{"data":{"patched":"by-fuzz"}}');
      } else {
        // A delete of an object that does not exist: the options are checked, nothing is removed.
        path = `${CONFIGMAPS.collection}/fz-${rng.string(10)}`;
        if (rng.chance(0.5)) body = Buffer.from(JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', [option]: value }));
      }
      break;
    }
  }
  const headers: Record<string, string> = {};
  if (body) headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  return { category: 'list-params', variant: `params-${variant}`, method, path: `${path}?${q.toString()}`, headers, ...(body ? { body } : {}), stream };
}
