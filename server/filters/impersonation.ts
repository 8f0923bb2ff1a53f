/**
 * The impersonation filter, as upstream's `WithImpersonation`: `Impersonate-User` (a
 * `system:serviceaccount:<ns>:<name>` user is a ServiceAccount), `Impersonate-Group` (repeatable),
 * `Impersonate-Uid` and `Impersonate-Extra-<key>` (repeatable) each need the requester to be allowed
 * the verb `impersonate` on users, serviceaccounts (in their namespace), groups, uids or
 * userextras/<key> by the server's authorizer. A refusal is upstream's 403 for that check, whatever
 * the authorizer's error; groups, extras or a uid without a user is upstream's plain-text 500 from
 * `responsewriters.InternalError` (upstream does not answer these with a 400).
 *
 * The impersonated user replaces the authenticated one for every later filter (max-in-flight,
 * authorization, the peer proxy, which forwards it as front-proxy headers) and the impersonation
 * headers are removed, so a peer never sees them and never applies them a second time.
 */
import type { Filter, RequestContext, UserInfo } from '../http/context.js';
import type { RequestInfo } from '../request-info.js';
import { forbidden } from '../errors/status.js';
import { writeText } from '../http/respond.js';
import { forbiddenMessage, type Authorizer } from './authorization.js';
import { makeGroupNames, makeUsername, splitUsername } from '../serviceaccount/username.js';

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';

/** One thing asked for, as upstream's ObjectReference of kind ServiceAccount, User, Group, UserExtra or UID. */
interface ImpersonationRequest {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  apiVersion: string;
  /** The extra key (upstream keeps it in FieldPath). */
  fieldPath: string;
}

function ref(kind: ImpersonationRequest['kind'], name: string, extra: Partial<ImpersonationRequest> = {}): ImpersonationRequest {
  return { kind, namespace: '', name, apiVersion: '', fieldPath: '', ...extra };
}

/** Go's `%v` of a `[]v1.ObjectReference`: each struct's seven fields separated by spaces. */
function formatRequests(requests: ImpersonationRequest[]): string {
  return `[${requests.map((r) => `{${[r.kind, r.namespace, r.name, '', r.apiVersion, '', r.fieldPath].join(' ')}}`).join(' ')}]`;
}

/** url.PathUnescape of an extra key, the raw key when it is not valid escaping. */
function unescapeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A header's values, one per header line, as Go's `Header[name]`. */
function values(ctx: RequestContext, name: string): string[] {
  return ctx.req.headersDistinct[name] ?? [];
}

/** Upstream's buildImpersonationRequests; a string is the error text of a malformed combination. */
function buildRequests(ctx: RequestContext): ImpersonationRequest[] | string {
  const out: ImpersonationRequest[] = [];
  const user = values(ctx, USER)[0] ?? '';
  if (user !== '') {
    const sa = splitUsername(user);
    out.push(sa ? ref('ServiceAccount', sa.name, { namespace: sa.namespace }) : ref('User', user));
  }
  const groups = values(ctx, GROUP);
  for (const g of groups) out.push(ref('Group', g));
  let hasExtra = false;
  for (const [header, vals] of Object.entries(ctx.req.headersDistinct)) {
    if (!header.startsWith(EXTRA_PREFIX) || vals === undefined) continue;
    hasExtra = true;
    const key = unescapeKey(header.slice(EXTRA_PREFIX.length).toLowerCase());
    for (const v of vals) out.push(ref('UserExtra', v, { apiVersion: 'authentication.k8s.io/v1', fieldPath: key }));
  }
  const uid = values(ctx, UID)[0] ?? '';
  if (uid !== '') out.push(ref('UID', uid, { apiVersion: 'authentication.k8s.io/v1' }));
  if ((groups.length > 0 || hasExtra || uid !== '') && user === '') return `requested ${formatRequests(out)} without impersonating a user`;
  return out;
}

/** The authorization attributes of one impersonation check, as a RequestInfo the Authorizer reads. */
function attributesOf(r: ImpersonationRequest, path: string): RequestInfo {
  const group = r.kind === 'UserExtra' || r.kind === 'UID' ? 'authentication.k8s.io' : '';
  const resource = { ServiceAccount: 'serviceaccounts', User: 'users', Group: 'groups', UserExtra: 'userextras', UID: 'uids' }[r.kind];
  return {
    isResourceRequest: true,
    path,
    verb: 'impersonate',
    apiPrefix: '',
    apiGroup: group,
    apiVersion: group ? 'v1' : '',
    namespace: r.namespace,
    resource,
    subresource: r.kind === 'UserExtra' ? r.fieldPath : '',
    name: r.name,
    parts: [],
  };
}

function stripHeaders(ctx: RequestContext): void {
  for (const h of Object.keys(ctx.req.headers)) if (h === USER || h === GROUP || h === UID || h.startsWith(EXTRA_PREFIX)) delete ctx.req.headers[h];
}

/** Go's http.Error sanitizer of `responsewriters.InternalError`. */
function sanitize(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Build the impersonation filter, asking `authorizer` for every impersonated attribute. */
export function withImpersonation(authorizer: Authorizer): Filter {
  return (next) => async (ctx) => {
    const requests = buildRequests(ctx);
    if (typeof requests === 'string') {
      ctx.log.debug({ err: requests }, 'impersonation refused');
      await writeText(ctx, 500, `${sanitize(`Internal Server Error: ${JSON.stringify(ctx.req.url ?? '')}: ${requests}`)}\n`);
      return;
    }
    if (requests.length === 0) return next(ctx);
    const requestor: UserInfo = ctx.user ?? { name: ANONYMOUS, groups: [UNAUTHENTICATED], extra: {} };
    // Groups given are the authority; otherwise a ServiceAccount's groups follow from its namespace.
    const groupsSpecified = values(ctx, GROUP).length > 0;
    let username = '';
    let uid = '';
    let groups: string[] = [];
    const extra: Record<string, string[]> = {};
    for (const r of requests) {
      switch (r.kind) {
        case 'ServiceAccount':
          username = makeUsername(r.namespace, r.name);
          if (!groupsSpecified) groups = makeGroupNames(r.namespace);
          break;
        case 'User':
          username = r.name;
          break;
        case 'Group':
          groups.push(r.name);
          break;
        case 'UserExtra':
          (extra[r.fieldPath] ??= []).push(r.name);
          break;
        case 'UID':
          uid = r.name;
          break;
      }
      const attrs = attributesOf(r, ctx.info.path);
      const decision = await authorizer(requestor, attrs);
      if (!decision.allowed) {
        const message = forbiddenMessage(requestor.name, attrs);
        throw forbidden({ group: attrs.apiGroup, resource: attrs.resource }, attrs.name, decision.reason ? `${message}: ${decision.reason}` : message);
      }
    }
    // An impersonated user is authenticated unless it names itself unauthenticated; anonymous is unauthenticated.
    if (username !== ANONYMOUS) {
      if (!groups.includes(AUTHENTICATED) && !groups.includes(UNAUTHENTICATED)) groups.push(AUTHENTICATED);
    } else if (!groups.includes(UNAUTHENTICATED)) {
      groups.push(UNAUTHENTICATED);
    }
    const user: UserInfo = { name: username, groups, extra };
    if (uid) user.uid = uid;
    ctx.log.debug({ user: requestor.name, as: username }, 'impersonating');
    ctx.user = user;
    stripHeaders(ctx);
    await next(ctx);
  };
}
