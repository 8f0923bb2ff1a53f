/**
 * Methods no endpoint serves: WebDAV and other methods Node's parser knows (TRACE, PROPFIND, MKCOL,
 * LOCK, PURGE, SEARCH, …), CONNECT, and on raw sockets methods it does not know (lower case,
 * made up, overlong); plus HEAD and OPTIONS, and bodies on GET and DELETE.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { FUZZ_NAMESPACE } from '../case.js';
import { CONFIGMAPS, TARGET_PATH } from './targets.js';
import { rawRequest } from './raw.js';

const KNOWN = ['TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'REPORT', 'MKACTIVITY', 'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'LINK', 'UNLINK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'MKCALENDAR', 'SOURCE', 'QUERY', 'HEAD', 'OPTIONS'];
const UNKNOWN = ['FOO', 'get', 'Get', 'G3T', 'GETT', 'X'.repeat(1000), 'GET\u0000', 'DELETE,', '\u00e9', 'CONNECTX'];

const PATHS = [CONFIGMAPS.collection, TARGET_PATH, `/api/v1/namespaces/${FUZZ_NAMESPACE}`, '/api/v1', '/apis', '/version', '/healthz', '/metrics', '/openapi/v2', '/nope', '/'];

/** Generate one bad-method case. */
export function methodCase(rng: Rng): FuzzCase {
  const path = rng.pick(PATHS);
  const variant = rng.weighted([
    [5, 'known'],
    [2, 'unknown'],
    [1, 'connect'],
    [2, 'body-on-get'],
  ] as const);
  switch (variant) {
    case 'known':
      return { category: 'methods', variant: 'method-known', method: rng.pick(KNOWN), path, headers: {} };
    case 'unknown':
      return rawRequest(rng, 'methods', 'method-unknown', `${rng.pick(UNKNOWN)} ${path} HTTP/1.1`, [], undefined);
    case 'connect':
      return rawRequest(rng, 'methods', 'method-connect', `CONNECT ${rng.pick([path, '127.0.0.1:443', 'evil.example:80'])} HTTP/1.1`, [], undefined);
    case 'body-on-get':
      return {
        category: 'methods',
        variant: 'method-body-on-get',
        method: rng.pick(['GET', 'HEAD', 'OPTIONS']),
        path,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(CONFIGMAPS.object(`fz-${rng.string(10)}`))),
      };
  }
}
