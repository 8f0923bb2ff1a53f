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

function headerValues(ctx: RequestContext, names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const v = ctx.req.headers[n.toLowerCase()];
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) if (item !== '') out.push(item);
  }
  return out;
}

function withSystemAuthenticated(user: UserInfo): UserInfo {
  if (!user.groups.includes('system:authenticated')) user.groups = [...user.groups, 'system:authenticated'];
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
  const certCache = new WeakMap<TLSSocket, X509Certificate | null>();

  const peerCert = (ctx: RequestContext): X509Certificate | undefined => {
    const socket = ctx.req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate !== 'function') return undefined;
    let cert = certCache.get(socket);
    if (cert === undefined) {
      const raw = socket.getPeerCertificate()?.raw;
      cert = raw ? new X509Certificate(raw) : null;
      certCache.set(socket, cert);
    }
    return cert ?? undefined;
  };

  const fromRequestHeader = (ctx: RequestContext, cert: X509Certificate): UserInfo | undefined => {
    if (proxyCAs.length === 0 || !signedBy(cert, proxyCAs)) return undefined;
    const cn = subjectField(cert.subject, 'CN')[0] ?? '';
    if (allowed.length > 0 && !allowed.includes(cn)) return undefined;
    const name = headerValues(ctx, usernameHeaders)[0];
    if (!name) return undefined;
    const user: UserInfo = { name, groups: headerValues(ctx, groupHeaders), extra: {} };
    const uid = headerValues(ctx, uidHeaders)[0];
    if (uid) user.uid = uid;
    for (const [h, v] of Object.entries(ctx.req.headers)) {
      const prefix = extraPrefixes.find((p) => h.startsWith(p));
      if (!prefix || v === undefined) continue;
      const key = decodeURIComponent(h.slice(prefix.length)).toLowerCase();
      user.extra[key] = [...(user.extra[key] ?? []), ...(Array.isArray(v) ? v : [v])];
    }
    return user;
  };

  const fromClientCert = (cert: X509Certificate): UserInfo | undefined => {
    if (clientCAs.length === 0 || !signedBy(cert, clientCAs)) return undefined;
    const name = subjectField(cert.subject, 'CN')[0];
    if (!name) return undefined;
    return { name, groups: subjectField(cert.subject, 'O'), extra: {} };
  };

  const stripIdentityHeaders = (ctx: RequestContext): void => {
    const names = [...usernameHeaders, ...uidHeaders, ...groupHeaders].map((n) => n.toLowerCase());
    for (const h of Object.keys(ctx.req.headers)) {
      if (names.includes(h) || extraPrefixes.some((p) => h.startsWith(p))) delete ctx.req.headers[h];
    }
  };

  return (next) => async (ctx) => {
    const cert = peerCert(ctx);
    let user = cert ? fromRequestHeader(ctx, cert) : undefined;
    // Front-proxy headers from anyone but a trusted proxy are ignored, never passed on.
    stripIdentityHeaders(ctx);
    if (!user && cert) user = fromClientCert(cert);
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
