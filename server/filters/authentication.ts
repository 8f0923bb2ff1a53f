/**
 * The authentication filter. In upstream's order of authenticators: the request-header
 * authenticator (front-proxy headers `X-Remote-User`, `X-Remote-Group`, `X-Remote-Extra-*`, trusted
 * only from a client certificate signed by the request-header CA whose CN is allowed), then x509
 * client certificates signed by the client CA, then anonymous. The `Authorization` header is removed
 * once the request is authenticated, as upstream does.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Filter, RequestContext, UserInfo } from '../http/context.js';
import { unauthorized } from '../errors/status.js';

/** Options of the authenticators. */
export interface AuthenticationOptions {
  /** CA certificates (PEM) that sign client certificates (`--client-ca-file`). */
  clientCA?: string;
  /** CA certificates (PEM) that sign front-proxy client certificates (`--requestheader-client-ca-file`). */
  requestHeaderCA?: string;
  /** Allowed front-proxy CNs (`--requestheader-allowed-names`); empty allows any CN signed by the CA. */
  requestHeaderAllowedNames?: string[];
  /** Header names (`--requestheader-username-headers` …), upstream's defaults when absent. */
  usernameHeaders?: string[];
  uidHeaders?: string[];
  groupHeaders?: string[];
  extraHeaderPrefixes?: string[];
  /** `--anonymous-auth` (default true). */
  anonymous?: boolean;
}

/** What a connection's client certificate proves: a trusted front proxy, and/or a user. */
interface CertVerdict {
  proxy: boolean;
  user?: UserInfo;
}

function splitPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

function signedBy(cert: X509Certificate, cas: X509Certificate[]): boolean {
  const now = Date.now();
  if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) return false;
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

function subjectField(subject: string, field: string): string[] {
  const out: string[] = [];
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(0, eq) === field) out.push(line.slice(eq + 1));
  }
  return out;
}

/** Every value of the named headers, one per header line, as Go's `Header[name]` keeps them. */
function headerValues(ctx: RequestContext, names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) for (const item of ctx.req.headersDistinct[n.toLowerCase()] ?? []) if (item !== '') out.push(item);
  return out;
}

/** Unescape an extra key as url.PathUnescape does, keeping the raw text when it is not valid escaping. */
function unescapeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Upstream's AuthenticatedGroupAdder: add `system:authenticated`, except to anonymous users. */
function withSystemAuthenticated(user: UserInfo): UserInfo {
  const anonymous = user.name === 'system:anonymous' || user.groups.includes('system:unauthenticated');
  if (!anonymous && !user.groups.includes('system:authenticated')) user.groups = [...user.groups, 'system:authenticated'];
  return user;
}

/** Build the authentication filter. */
export function withAuthentication(opts: AuthenticationOptions): Filter {
  const clientCAs = opts.clientCA ? splitPem(opts.clientCA) : [];
  const proxyCAs = opts.requestHeaderCA ? splitPem(opts.requestHeaderCA) : [];
  const allowed = opts.requestHeaderAllowedNames ?? [];
  const usernameHeaders = opts.usernameHeaders ?? ['X-Remote-User'];
  const uidHeaders = opts.uidHeaders ?? ['X-Remote-Uid'];
  const groupHeaders = opts.groupHeaders ?? ['X-Remote-Group'];
  const extraPrefixes = (opts.extraHeaderPrefixes ?? ['X-Remote-Extra-']).map((p) => p.toLowerCase());
  const anonymous = opts.anonymous ?? true;
  // What a connection's client certificate proves is decided once per TLS connection.
  const verdicts = new WeakMap<TLSSocket, CertVerdict>();

  const verdictFor = (ctx: RequestContext): CertVerdict => {
    const socket = ctx.req.socket as TLSSocket;
    const cached = verdicts.get(socket);
    if (cached) return cached;
    let verdict: CertVerdict = { proxy: false };
    const raw = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate()?.raw : undefined;
    if (raw) {
      const cert = new X509Certificate(raw);
      const cn = subjectField(cert.subject, 'CN')[0] ?? '';
      const proxy = proxyCAs.length > 0 && signedBy(cert, proxyCAs) && (allowed.length === 0 || allowed.includes(cn));
      verdict = { proxy };
      if (cn && clientCAs.length > 0 && signedBy(cert, clientCAs)) verdict.user = { name: cn, groups: subjectField(cert.subject, 'O'), extra: {} };
    }
    verdicts.set(socket, verdict);
    return verdict;
  };

  const fromRequestHeader = (ctx: RequestContext): UserInfo | undefined => {
    const name = headerValues(ctx, usernameHeaders)[0];
    if (!name) return undefined;
    const user: UserInfo = { name, groups: headerValues(ctx, groupHeaders), extra: {} };
    const uid = headerValues(ctx, uidHeaders)[0];
    if (uid) user.uid = uid;
    for (const [h, values] of Object.entries(ctx.req.headersDistinct)) {
      const prefix = extraPrefixes.find((p) => h.startsWith(p));
      if (!prefix || values === undefined) continue;
      const key = unescapeKey(h.slice(prefix.length)).toLowerCase();
      user.extra[key] = [...(user.extra[key] ?? []), ...values];
    }
    return user;
  };

  const stripIdentityHeaders = (ctx: RequestContext): void => {
    const names = [...usernameHeaders, ...uidHeaders, ...groupHeaders].map((n) => n.toLowerCase());
    for (const h of Object.keys(ctx.req.headers)) {
      if (names.includes(h) || extraPrefixes.some((p) => h.startsWith(p))) delete ctx.req.headers[h];
    }
  };

  return (next) => async (ctx) => {
    const verdict = verdictFor(ctx);
    let user = verdict.proxy ? fromRequestHeader(ctx) : undefined;
    // Front-proxy headers from anyone but a trusted proxy are ignored, never passed on.
    stripIdentityHeaders(ctx);
    if (!user && verdict.user) user = { ...verdict.user, groups: [...verdict.user.groups], extra: {} };
    if (user) {
      ctx.user = withSystemAuthenticated(user);
      delete ctx.req.headers.authorization;
    } else if (anonymous) {
      ctx.user = { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    } else {
      throw unauthorized();
    }
    await next(ctx);
  };
}
