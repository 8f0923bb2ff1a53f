/**
 * Requests the client cuts short, at every point and at a random byte: before the answer's headers
 * (while the server, or the peer it proxies to, is still working), right after the headers, in the
 * middle of a list's body or of a watch, and in the middle of the request's own bytes (a create's
 * body cut at a random byte, or a raw request cut anywhere, headers included). Half go to the server
 * that must proxy the newest API, so that the hop is cut too. A cut create must never be stored.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { CUT_POINTS } from '../../bench/cancel.js';
import { NEWEST_API, newestApiObject } from '../../bench/newest-api.js';
import { TARGETS } from './targets.js';
import { rawRequest } from './raw.js';

export function cancelCase(rng: Rng): FuzzCase {
  const proxied = rng.chance(0.5);
  const point = rng.pick(CUT_POINTS);
  const target = rng.pick(TARGETS);
  const collection = proxied || rng.chance(0.5) ? NEWEST_API.path : target.collection;
  const base = { category: 'cancel' as const, headers: {}, proxied };
  if (point === 'mid-request') {
    const name = `cut-${rng.string(8)}`;
    const body = Buffer.from(JSON.stringify(collection === NEWEST_API.path ? newestApiObject(name, rng.size(20_000)) : target.object(name)));
    if (rng.chance(0.5)) {
      const raw = rawRequest(rng, 'cancel', 'raw-prefix', `POST ${collection} HTTP/1.1`, ['Content-Type: application/json', `Content-Length: ${body.length}`], body).raw!;
      return { ...base, variant: 'raw-prefix', method: 'POST', path: collection, raw, cut: { point, bytes: rng.int(0, raw.length - 1), delayMs: rng.int(0, 20) } };
    }
    return { ...base, variant: 'body-prefix', method: 'POST', path: collection, headers: { 'content-type': 'application/json' }, body, cut: { point, bytes: rng.int(0, body.length - 1), delayMs: rng.int(0, 20) } };
  }
  if (point === 'mid-watch') {
    return { ...base, variant: point, method: 'GET', path: `${collection}?watch=1${rng.chance(0.5) ? '&resourceVersion=0' : ''}`, cut: { point, bytes: rng.int(1, 4000), delayMs: rng.int(20, 300) } };
  }
  const path = rng.chance(0.5) ? collection : `${collection}?limit=${rng.int(1, 3)}`;
  return { ...base, variant: point, method: 'GET', path, cut: { point, bytes: rng.int(1, 200_000), delayMs: point === 'before-headers' ? rng.int(0, 8) : 1000 } };
}
