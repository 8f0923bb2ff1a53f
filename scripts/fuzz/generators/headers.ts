/**
 * Hostile headers. On raw sockets (Node's client refuses them): CR, LF and NUL inside header
 * values, obsolete line folding, bad header names, duplicate and contradictory Content-Length,
 * Content-Length with Transfer-Encoding, unknown and repeated transfer codings, bad chunk sizes,
 * very long and very many headers, malformed request lines. Through Node's client: garbage in the
 * headers the server reads (impersonation, front-proxy identity, Authorization, Accept-Encoding,
 * Content-Encoding, audit and trace headers).
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { CONFIGMAPS, TARGET_PATH } from './targets.js';
import { rawRequest } from './raw.js';

const GET_PATHS = [CONFIGMAPS.collection, TARGET_PATH, '/api/v1', '/version', '/healthz', '/nope'];

function rawCase(rng: Rng): FuzzCase {
  const variant = rng.pick([
    'crlf-in-value',
    'bare-cr',
    'bare-lf',
    'nul-in-value',
    'obs-fold',
    'bad-name',
    'dup-content-length',
    'bad-content-length',
    'cl-and-te',
    'bad-te',
    'bad-chunk',
    'long-header',
    'many-headers',
    'bad-request-line',
    'no-host',
    'absolute-uri',
  ] as const);
  const path = rng.pick(GET_PATHS);
  const post = `POST ${CONFIGMAPS.collection} HTTP/1.1`;
  const json = 'Content-Type: application/json';
  const obj = JSON.stringify(CONFIGMAPS.object(`fz-${rng.string(10)}`));
  const r = (line: string, headers: string[], body?: string | Buffer, opts?: { host?: boolean; close?: boolean }): FuzzCase => rawRequest(rng, 'headers', `header-${variant}`, line, headers, body, opts);
  switch (variant) {
    case 'crlf-in-value':
      return r(`GET ${path} HTTP/1.1`, [`X-Test: a\r\nX-Injected: ${rng.pick(['1', 'evil', ''])}`, `Accept: application/json\r\n\r\nGET /version HTTP/1.1`]);
    case 'bare-cr':
      return r(`GET ${path} HTTP/1.1`, [`X-Test: a\rInjected: b`]);
    case 'bare-lf':
      return r(`GET ${path} HTTP/1.1`, [`X-Test: a\nInjected: b`]);
    case 'nul-in-value':
      return r(`GET ${path} HTTP/1.1`, [`X-Test: a\u0000b`]);
    case 'obs-fold':
      return r(`GET ${path} HTTP/1.1`, ['X-Test: a', ' folded continuation', '\tmore']);
    case 'bad-name':
      return r(`GET ${path} HTTP/1.1`, [rng.pick(['X Test: a', 'X-Test : a', ': empty-name', 'X-Tést: a', 'X-Test', '(): a', 'X@Y: a', 'X-Test:\u0001a'])]);
    case 'dup-content-length': {
      const n = Buffer.byteLength(obj);
      return r(post, [json, `Content-Length: ${n}`, `Content-Length: ${rng.pick([n, n + 1, 0])}`], obj);
    }
    case 'bad-content-length':
      return r(post, [json, `Content-Length: ${rng.pick(['-1', 'abc', '1e3', '0x10', '99999999999999999999', '', '1, 1', '+5', ' 5'])}`], obj);
    case 'cl-and-te':
      return r(post, [json, `Content-Length: ${Buffer.byteLength(obj)}`, 'Transfer-Encoding: chunked'], `${Buffer.byteLength(obj).toString(16)}\r\n${obj}\r\n0\r\n\r\n`);
    case 'bad-te':
      return r(post, [json, `Transfer-Encoding: ${rng.pick(['gzip', 'identity', 'chunked, chunked', 'gzip, chunked', 'chunked, gzip', 'xchunked', 'chunked\u0000', ''])}`], `${Buffer.byteLength(obj).toString(16)}\r\n${obj}\r\n0\r\n\r\n`);
    case 'bad-chunk':
      return r(post, [json, 'Transfer-Encoding: chunked'], rng.pick(['zz\r\nabc\r\n0\r\n\r\n', 'fffffffffffffffff\r\nabc\r\n0\r\n\r\n', '-1\r\n\r\n0\r\n\r\n', '3\r\nabcdef\r\n0\r\n\r\n', '3;ext="unterminated\r\nabc\r\n0\r\n\r\n', '0\r\nTrailer: x\r\nBad Trailer\r\n\r\n']));
    case 'long-header': {
      const n = rng.pick([8 * 1024, 16 * 1024, 64 * 1024, 512 * 1024, 1024 * 1024 + 1, 2 * 1024 * 1024]);
      return r(`GET ${path} HTTP/1.1`, [`X-Long: ${'a'.repeat(n)}`]);
    }
    case 'many-headers': {
      const n = rng.pick([100, 1000, 2001, 10_000]);
      return r(`GET ${path} HTTP/1.1`, Array.from({ length: n }, (_, i) => `X-H${i}: v`));
    }
    case 'bad-request-line':
      return r(
        rng.pick([
          `GET ${path}`,
          `GET ${path} HTTP/2.0`,
          `GET ${path} HTTP/9.9`,
          `GET ${path} HTTP/1.1 extra`,
          `GET  ${path}  HTTP/1.1`,
          `GET ${path} http/1.1`,
          `GET ${path} HTTP/1`,
          `get ${path} HTTP/1.1`,
          `GET\t${path}\tHTTP/1.1`,
          '',
          ' ',
          'HTTP/1.1',
          `GET ${path} HTTP/1.1\u0000`,
          `\u0016\u0003\u0001 not http`,
          'PRI * HTTP/2.0',
        ]),
        [],
      );
    case 'no-host':
      return r(`GET ${path} HTTP/1.1`, [], undefined, { host: false });
    case 'absolute-uri':
      return r(`GET ${rng.pick(['https://evil.example', 'http://127.0.0.1:1', 'https://127.0.0.1'])}${path} HTTP/1.1`, []);
  }
}

/** Header values Node's client sends, aimed at what the server reads from headers. */
function clientCase(rng: Rng): FuzzCase {
  const header = rng.pick([
    ['impersonate-user', rng.pick(['', 'system:anonymous', 'x'.repeat(10_000), 'é', 'a\u00ff'])],
    ['impersonate-group', rng.pick(['', 'system:masters', 'x'.repeat(10_000)])],
    ['impersonate-uid', rng.pick(['', 'x'])],
    ['impersonate-extra-%zz', 'v'],
    ['impersonate-extra-', 'v'],
    ['x-remote-user', rng.pick(['admin', 'system:apiserver', ''])],
    ['x-remote-group', 'system:masters'],
    ['x-remote-extra-%zz', 'v'],
    ['authorization', rng.pick(['Bearer', 'Bearer ', 'Bearer garbage', 'Basic !!!', 'Basic ' + Buffer.from('a:b').toString('base64'), 'x'.repeat(10_000), 'Negotiate x'])],
    ['accept-encoding', rng.pick(['gzip;q=abc', 'br, gzip, deflate, *', 'x'.repeat(5000), ',,,', 'gzip;q=0'])],
    ['content-encoding', rng.pick(['gzip', 'br', 'deflate', 'x'])],
    ['audit-id', rng.pick(['', 'x'.repeat(10_000), 'é', 'a b'])],
    ['x-kube-skew-trace', rng.pick(['', '1', 'x'.repeat(1000)])],
    ['expect', rng.pick(['100-continue', 'garbage'])],
    ['user-agent', 'x'.repeat(rng.size(20_000))],
    ['if-match', '*'],
    ['range', 'bytes=0-1'],
    ['host', rng.pick(['', 'evil.example', 'x'.repeat(1000), '[::1', '127.0.0.1:99999'])],
    ['x-forwarded-for', rng.pick(['garbage', '1.2.3.4, , ,', 'x'.repeat(5000)])],
  ] as const);
  const write = rng.chance(0.3);
  const name = `fz-${rng.string(10)}`;
  return {
    category: 'headers',
    variant: `header-client-${header[0]}`,
    method: write ? 'POST' : 'GET',
    path: write ? CONFIGMAPS.collection : rng.pick(GET_PATHS),
    headers: { [header[0]]: header[1], ...(write ? { 'content-type': 'application/json' } : {}) },
    ...(write ? { body: Buffer.from(JSON.stringify(CONFIGMAPS.object(name))) } : {}),
  };
}

/** Generate one hostile-header case. */
export function headerCase(rng: Rng): FuzzCase {
  return rng.chance(0.6) ? rawCase(rng) : clientCase(rng);
}
