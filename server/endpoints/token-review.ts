/**
 * TokenReview (`POST /apis/authentication.k8s.io/v1/tokenreviews`), as upstream's
 * pkg/registry/authentication/tokenreview: create-only and never stored; the token is asked of the
 * same bearer-token authenticators a request with `Authorization: Bearer <token>` meets, for the
 * review's audiences (the API audiences when it names none). The status says whether it
 * authenticated, the user (with `system:authenticated`), the audiences it was accepted for, and the
 * authenticator's error.
 */
import type { RequestContext } from '../http/context.js';
import { readObjectBody } from '../http/body.js';
import { badRequest, internalError } from '../errors/status.js';
import type { KubeObject } from '../registry/object.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { TokenAuthenticator } from '../serviceaccount/authenticator.js';
import { authenticateBearer } from '../filters/authentication.js';
import { metadataOf } from './reviews.js';
import { chooseOutput, writeObject } from './output.js';

/** What the TokenReview handler needs. */
export interface TokenReviewDeps {
  tokenAuthenticator?: TokenAuthenticator;
  apiAudiences: string[];
  /** Up to 1.33 an unset creationTimestamp is written as null (MinorInfo.writesNullCreationTimestamp). */
  writesNullCreationTimestamp: boolean;
}

/** True for the TokenReview resource. */
export function isTokenReview(type: ResourceType): boolean {
  return type.group === 'authentication.k8s.io' && type.resource === 'tokenreviews';
}

/** Answer a TokenReview create with 201 and its status. */
export async function serveTokenReview(ctx: RequestContext, deps: TokenReviewDeps, type: ResourceType): Promise<void> {
  const output = chooseOutput(ctx.req.headers.accept);
  const body = (await readObjectBody(ctx)) as KubeObject;
  if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== type.groupVersion) throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${type.groupVersion})`);
  if (body.kind !== undefined && body.kind !== '' && body.kind !== type.kind) throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`);
  const spec = ((body.spec as Record<string, unknown> | undefined) ?? {}) as Record<string, unknown>;
  const token = typeof spec.token === 'string' ? spec.token : '';
  if (token === '') throw badRequest('token is required for TokenReview in authentication');
  const given = Array.isArray(spec.audiences) ? (spec.audiences as unknown[]).filter((a): a is string => typeof a === 'string') : [];
  const audiences = given.length > 0 ? given : deps.apiAudiences;
  const result = await authenticateBearer(deps.tokenAuthenticator, token, audiences.length > 0 ? audiences : undefined);
  const status: Record<string, unknown> = {};
  if (result.ok) {
    // An authenticator that answers for none of the asked audiences is a server fault upstream.
    if (audiences.length > 0 && !result.response.audiences.some((a) => audiences.includes(a))) throw internalError('error validating audiences');
    const user = result.response.user;
    status.authenticated = true;
    const userInfo: Record<string, unknown> = { username: user.name };
    if (user.uid) userInfo.uid = user.uid;
    if (user.groups.length > 0) userInfo.groups = [...user.groups];
    if (Object.keys(user.extra).length > 0) userInfo.extra = user.extra;
    status.user = userInfo;
    status.audiences = result.response.audiences;
  } else {
    status.user = {};
    status.error = result.error;
  }
  const out: KubeObject = { kind: type.kind, apiVersion: type.groupVersion, metadata: metadataOf(body, deps.writesNullCreationTimestamp) as KubeObject['metadata'], spec, status };
  await writeObject(ctx, 201, out, output.as === 'object' ? output.format : 'json');
}
