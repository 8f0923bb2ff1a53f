/**
 * Go's url.ParseRequestURI, as far as Kubernetes' URL library and the `uri` format read it: an
 * absolute URI (`scheme:` then `//authority`, a rooted path or an opaque part) or an absolute path,
 * never a relative reference; the query after the first `?`; no fragment handling (the whole rest is
 * the path or query, as for a request line). Errors read as Go's (`parse "x": invalid URI for request`).
 */

/** The parts of a parsed request URI. */
export interface RequestUri {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawQuery: string;
}

function fail(raw: string, why: string): never {
  throw new Error(`parse ${JSON.stringify(raw)}: ${why}`);
}

/** Parse `raw` as Go's url.ParseRequestURI does; throws with Go's message. */
export function parseRequestUri(raw: string): RequestUri {
  if (raw === '') fail(raw, 'empty url');
  if (/[\x00-\x1f\x7f]/.test(raw)) fail(raw, 'net/url: invalid control character in URL');
  const out: RequestUri = { scheme: '', opaque: '', host: '', path: '', rawQuery: '' };
  let rest = raw;
  if (rest !== '*' && !rest.startsWith('/')) {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
    if (!m) {
      if (/^[^/]*:/.test(rest)) fail(raw, 'missing protocol scheme');
      fail(raw, 'invalid URI for request');
    }
    out.scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    out.rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (out.scheme) {
      out.opaque = rest;
      return out;
    }
    fail(raw, 'invalid URI for request');
  }
  if (out.scheme && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    const port = /^(\[[^\]]*\]|[^:]*)(:.*)?$/.exec(host)?.[2];
    if (port !== undefined && !/^:[0-9]*$/.test(port)) fail(raw, `invalid port ${JSON.stringify(port)} after host`);
    out.host = host;
  }
  out.path = rest;
  return out;
}

/** Go's URL.Hostname(): the host without port and brackets. */
export function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') < 0 ? undefined : host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** Go's URL.Port(): the digits after the host's last colon, or ''. */
export function port(host: string): string {
  const m = /:([0-9]*)$/.exec(host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host);
  return m ? m[1]! : '';
}

/** Go's url.ParseQuery: every key with its values in order (`+` is a space). */
export function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of raw.split(/&/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) continue;
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}
