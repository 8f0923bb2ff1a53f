/**
 * The authentication filter. In upstream's order of authenticators: the request-header
 * authenticator (front-proxy headers `X-Remote-User`, `X-Remote-Group`, `X-Remote-Extra-*`, trusted
 * only from a client certificate signed by the request-header CA whose CN is allowed), then x509
 * client certificates signed by the client CA, then bearer tokens (`Authorization: Bearer …`,
 * ServiceAccount tokens), then anonymous. As upstream's union with `NewFailOnError`, a credential
 * that no authenticator accepts (a client certificate of an unknown CA, a front proxy CN that is not
 * allowed, a front-proxy certificate without `X-Remote-User`, a certificate not made for client
 * auth, a bearer token that is invalid, expired or that nobody recognises) is a 401, never
 * anonymous, unless an authenticator before it succeeded. With `--anonymous-auth=false` a request
 * without credentials is a 401 too. The `Authorization` header is removed once the request is
 * authenticated, as upstream does. When API audiences are configured, a token must have been
 * accepted for one of them (upstream's "unable to match audience").
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Filter, RequestContext, UserInfo } from '../http/context.js';
import { unauthorized } from '../errors/status.js';
import type { TokenAuthenticator, TokenResponse } from '../serviceaccount/authenticator.js';

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
  /** The bearer-token authenticator (ServiceAccount tokens), when the server has one. */
  tokenAuthenticator?: TokenAuthenticator;
  /** `--api-audiences`: the audiences a request's token must be accepted for. */
  apiAudiences?: string[];
}

/** A bearer token's outcome: the user (with `system:authenticated`), or the error that refused it. */
export type BearerResult = { ok: true; response: TokenResponse } | { ok: false; error: string };

/**
 * Authenticate `token` as upstream's bearer-token authenticator does: an authenticator's rejection is
 * the error, and a token nobody recognises is `invalid bearer token`. The TokenReview endpoint asks
 * the same function, so a review answers what a request with the token gets.
 */
export async function authenticateBearer(auth: TokenAuthenticator | undefined, token: string, audiences: string[] | undefined): Promise<BearerResult> {
  try {
    const response = auth ? await auth(token, audiences) : undefined;
    if (!response) return { ok: false, error: 'invalid bearer token' };
    return { ok: true, response: { ...response, user: withSystemAuthenticated(response.user) } };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none (no opinion). */
function bearerToken(ctx: RequestContext): string | undefined {
  const header = (ctx.req.headers.authorization ?? '').trim();
  if (header === '') return undefined;
  const parts = header.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  // Go's SplitN(…, 3): the token is the second part; an empty one (two spaces) is no token.
  const token = parts[1]!;
  return token === '' ? undefined : token;
}

/**
 * What a connection's client certificate proves to each authenticator: `proxy` when the
 * request-header verifier accepts it, `user` when the x509 authenticator does; `failed` when either
 * refused a certificate (upstream's authenticators then return an error, not "no opinion").
 */
interface CertVerdict {
  proxy: boolean;
  user?: UserInfo;
  failed: boolean;
}

/** The ExtKeyUsage OIDs Go's `x509.VerifyOptions{KeyUsages: ClientAuth}` accepts on the leaf. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

function splitPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** Go's chain verification for a client certificate: in its validity period, usable for client auth, issued by one of `cas`. */
function verifiesAgainst(cert: X509Certificate, cas: X509Certificate[]): boolean {
  const now = Date.now();
  if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) return false;
  const usages = cert.keyUsage;
  if (usages !== undefined && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) return false;
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
    const verdict: CertVerdict = { proxy: false, failed: false };
    const raw = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate()?.raw : undefined;
    if (raw) {
      const cert = new X509Certificate(raw);
      const cn = subjectField(cert.subject, 'CN')[0] ?? '';
      // The request-header verifier: the chain, then the allowed common names (an error either way).
      if (proxyCAs.length > 0) {
        if (verifiesAgainst(cert, proxyCAs) && (allowed.length === 0 || allowed.includes(cn))) verdict.proxy = true;
        else verdict.failed = true;
      }
      // The x509 authenticator: an unverifiable chain is an error; a verified one without a CN is no opinion.
      if (clientCAs.length > 0) {
        if (!verifiesAgainst(cert, clientCAs)) verdict.failed = true;
        else if (cn) verdict.user = { name: cn, groups: subjectField(cert.subject, 'O'), extra: {} };
      }
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
    let failed = verdict.failed;
    const token = user ? undefined : bearerToken(ctx);
    if (token !== undefined) {
      const result = await authenticateBearer(opts.tokenAuthenticator, token, opts.apiAudiences && opts.apiAudiences.length > 0 ? opts.apiAudiences : undefined);
      if (result.ok && (!opts.apiAudiences?.length || result.response.audiences.some((a) => opts.apiAudiences!.includes(a)))) user = result.response.user;
      else {
        ctx.log.debug({ err: result.ok ? 'unable to match audience' : result.error }, 'Unable to authenticate the request');
        failed = true;
      }
    }
    if (user) {
      ctx.user = withSystemAuthenticated(user);
      delete ctx.req.headers.authorization;
    } else if (anonymous && !failed) {
      ctx.user = { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    } else {
      throw unauthorized();
    }
    await next(ctx);
  };
}
