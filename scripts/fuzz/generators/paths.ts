/**
 * Malformed paths: bad and truncated percent-escapes, %00 and other control escapes, overlong and
 * invalid UTF-8, double encoding, traversal (`..`, `%2e%2e`, encoded slashes), doubled slashes and
 * very long paths. Paths Node's client refuses (spaces, control characters) go out on a raw socket.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { FUZZ_NAMESPACE, TARGET_CONFIGMAP } from '../case.js';
import { rawRequest } from './raw.js';

const BASES = [
  '/api/v1/namespaces',
  `/api/v1/namespaces/${FUZZ_NAMESPACE}`,
  `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps`,
  `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps/${TARGET_CONFIGMAP}`,
  `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps/${TARGET_CONFIGMAP}/status`,
  `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/deployments`,
  '/apis/apps/v1',
  '/apis/apps',
  '/apis',
  '/api',
  '/api/v1',
  '/version',
  '/healthz',
  '/readyz',
  '/livez/ping',
  '/openapi/v2',
  '/openapi/v3',
  '/openapi/v3/apis/apps/v1',
  '/metrics',
  '/api/v1/watch/namespaces',
  '/api/v1/proxy/namespaces/x',
  '/',
];

/** Escapes that decode to nothing sensible. */
const BAD_ESCAPES = ['%', '%z', '%zz', '%g0', '%%', '%2', '%%32%65', '%u002e', '%1', '%-1', '%+0', '%0g'];
/** Escapes of control characters and separators. */
const CONTROL_ESCAPES = ['%00', '%0a', '%0d', '%0d%0a', '%09', '%7f', '%2f', '%5c', '%3f', '%23', '%20', '%3b', '%2c', '%1b'];
/** Overlong, truncated and otherwise invalid UTF-8, and lone surrogates. */
const UTF8_ESCAPES = ['%c0%af', '%c0%ae', '%e0%80%af', '%f0%80%80%af', '%c0%ae%c0%ae', '%ff', '%80', '%c3', '%ed%a0%80', '%f4%90%80%80', '%fe%ff', '%e2%82', '%c1%bf'];
/** Double-encoded dots and slashes. */
const DOUBLE_ENCODED = ['%252e%252e', '%252f', '%25%32%65', '%25%32%66', '%252e', '%25252e%25252e', '%255c', '%2500'];
/** Traversal segments. */
const TRAVERSAL = ['..', '.', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%2e', '..%2f..', '..;', '...', '..%00', '%2e%2e%2f%2e%2e', '..\\..'];

/** Where a write with a mangled path may land. */
function writeBases(rng: Rng): string[] {
  const fresh = `fz-${rng.string(10)}`;
  return [
    `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps/${fresh}`,
    `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps/${fresh}/status`,
    `/api/v1/namespaces/${FUZZ_NAMESPACE}/secrets`,
    `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/deployments/${fresh}/scale`,
    `/api/v1/namespaces/${fresh}`,
  ];
}

function insertAt(rng: Rng, path: string, piece: string): string {
  const segments = path.split('/');
  const i = rng.int(1, segments.length);
  if (i === segments.length || rng.chance(0.4)) segments.splice(i, 0, piece);
  else segments[i] = rng.chance(0.5) ? `${segments[i]}${piece}` : piece;
  return segments.join('/');
}

/** Generate one malformed-path case. */
export function pathCase(rng: Rng): FuzzCase {
  const method = rng.weighted([
    [8, 'GET'],
    [1, 'DELETE'],
    [1, 'PUT'],
    [1, 'PATCH'],
    [1, 'POST'],
    [1, 'HEAD'],
  ] as const);
  // Writes aim only where a mangled path that still resolves cannot delete or overwrite what the
  // fuzzer relies on (the namespace, the target ConfigMap).
  const base = method === 'GET' || method === 'HEAD' ? rng.pick(BASES) : rng.pick(writeBases(rng));
  const variant = rng.pick(['bad-escape', 'control-escape', 'utf8-escape', 'double-encoded', 'traversal', 'slashes', 'long', 'many-segments', 'raw-chars', 'query-garbage'] as const);
  let path = base;
  switch (variant) {
    case 'bad-escape':
      path = insertAt(rng, base, rng.pick(BAD_ESCAPES));
      if (rng.chance(0.3)) path += rng.pick(BAD_ESCAPES); // a truncated escape at the very end
      break;
    case 'control-escape':
      path = insertAt(rng, base, `${rng.chance(0.5) ? 'x' : ''}${rng.pick(CONTROL_ESCAPES)}${rng.chance(0.5) ? 'y' : ''}`);
      break;
    case 'utf8-escape':
      path = insertAt(rng, base, rng.pick(UTF8_ESCAPES));
      break;
    case 'double-encoded':
      path = insertAt(rng, base, rng.pick(DOUBLE_ENCODED));
      break;
    case 'traversal': {
      const n = rng.int(1, 6);
      const pieces = Array.from({ length: n }, () => rng.pick(TRAVERSAL));
      path = rng.chance(0.5) ? `${base}/${pieces.join('/')}${rng.chance(0.5) ? '/secrets' : ''}` : insertAt(rng, base, pieces.join('/'));
      break;
    }
    case 'slashes':
      path = base.replace(/\//g, () => '/'.repeat(rng.pick([1, 1, 2, 3]))) + (rng.chance(0.5) ? '/'.repeat(rng.int(1, 4)) : '');
      break;
    case 'long': {
      // Up to ~1.2 MiB: past kube-apiserver's 1 MiB header limit at the top end.
      const n = rng.pick([300, 1000, 8192, 8193, 16_384, 65_536, rng.size(200_000), 1_100_000]);
      path = insertAt(rng, base, rng.chance(0.8) ? 'a'.repeat(n) : '%41'.repeat(Math.ceil(n / 3)));
      break;
    }
    case 'many-segments':
      path = `${base}/${Array.from({ length: rng.size(20_000) + 1 }, () => rng.string(1)).join('/')}`;
      break;
    case 'raw-chars': {
      // Characters Node's client refuses in a path; sent on a raw socket as a request line.
      const chars = [' ', '\t', '\u0001', '\u007f', '"', '<', '>', '\\', '^', '`', '{', '|', '}', 'é', '\u00ff', '#frag'];
      const raw = insertAt(rng, base, `x${rng.pick(chars)}y`);
      return rawRequest(rng, 'paths', `path-${variant}`, `${method} ${raw} HTTP/1.1`, [], undefined);
    }
    case 'query-garbage': {
      const q = rng.pick(['?', '??', '?&&&', '?=', '?a=%zz', '?%zz=1', '?limit=%00', '?watch=%ff', '?a=' + 'b'.repeat(rng.size(100_000)), '?' + Array.from({ length: rng.size(10_000) }, (_, i) => `p${i}=1`).join('&'), '?labelSelector=%', '?;;;']);
      path = `${base}${q}`;
      break;
    }
  }
  // A HEAD answer has no body to Node's client, so Go's plain-text answer to a bad escape (which has
  // one) would read as a broken connection: HEAD goes out raw, where the bytes are read as sent.
  if (method === 'HEAD') return rawRequest(rng, 'paths', `path-${variant}`, `HEAD ${path} HTTP/1.1`, [], undefined);
  return { category: 'paths', variant: `path-${variant}`, method, path, headers: {}, stream: path.includes('watch') };
}
