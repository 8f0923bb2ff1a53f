/**
 * Kubernetes' URL library (k8s.io/apiserver/pkg/cel/library/urls.go): `url(s)` parses with Go's
 * url.ParseRequestURI into a `kubernetes.URL`, `isURL(s)` tests it, and a URL answers `getScheme()`,
 * `getHost()`, `getHostname()`, `getPort()`, `getEscapedPath()` and `getQuery()`.
 */
import { CelScalar, celFunc, celMethod } from '@bufbuild/cel';
import { fn, method } from '../overloads.js';
import { expectOpaque, wrapOpaque } from '../opaque.js';
import { BOOL, STRING, list, map, opaque } from '../types.js';
import type { CelLibraryImpl } from './library.js';
import { hostname, parseQuery, parseRequestUri, port, type RequestUri } from './request-uri.js';

const URL_TYPE = opaque('kubernetes.URL');
const NAME = 'kubernetes.URL';

function parse(s: string): RequestUri {
  try {
    return parseRequestUri(s);
  } catch (err) {
    throw new Error(`URL parse error during conversion from string: ${(err as Error).message}`);
  }
}

const get = (name: string, read: (u: RequestUri) => unknown) =>
  celMethod(name, CelScalar.DYN, [], CelScalar.DYN, function () {
    return read(expectOpaque<RequestUri>(this, NAME)) as never;
  });

/** The URL library. */
export const URLS: CelLibraryImpl = {
  decls: [
    fn('url', [STRING], URL_TYPE),
    fn('isURL', [STRING], BOOL),
    ...['getScheme', 'getHost', 'getHostname', 'getPort', 'getEscapedPath'].map((n) => method(n, URL_TYPE, [], STRING)),
    method('getQuery', URL_TYPE, [], map(STRING, list(STRING))),
  ],
  funcs: [
    celFunc('url', [CelScalar.STRING], CelScalar.DYN, (s) => wrapOpaque(NAME, s, parse(s)) as never),
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s) => {
      try {
        parseRequestUri(s);
        return true;
      } catch {
        return false;
      }
    }),
    get('getScheme', (u) => u.scheme),
    get('getHost', (u) => u.host),
    get('getHostname', (u) => hostname(u.host)),
    get('getPort', (u) => port(u.host)),
    get('getEscapedPath', (u) => u.path),
    get('getQuery', (u) => parseQuery(u.rawQuery)),
  ],
};
