/**
 * Raw HTTP/1.1 requests written byte for byte on their own TLS connection: for what Node's client
 * refuses to send. Every raw request asks for `Connection: close`, so the answer ends with the
 * connection and a server that answers nothing is told from one that answered.
 */
import type { Rng } from '../rng.js';
import type { Category, FuzzCase } from '../case.js';

/**
 * A raw request: `requestLine`, a Host header unless `headers` has one, `headers` as written (each
 * one line, sent as is, so it may carry CR, LF or NUL), `Connection: close`, and the body.
 */
export function rawRequest(
  _rng: Rng,
  category: Category,
  variant: string,
  requestLine: string,
  headers: string[],
  body: Buffer | string | undefined,
  opts: { host?: boolean; close?: boolean } = {},
): FuzzCase {
  const lines = [requestLine];
  if (opts.host !== false && !headers.some((h) => /^host:/i.test(h))) lines.push('Host: 127.0.0.1');
  lines.push(...headers);
  if (opts.close !== false) lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const payload = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const method = /^(\S*)/.exec(requestLine)?.[1] ?? '';
  const path = requestLine.split(' ')[1] ?? '';
  return { category, variant, method, path, headers: {}, raw: Buffer.concat([head, payload]) };
}
