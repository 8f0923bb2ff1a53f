/**
 * The TokenRequest subresource (`POST …/serviceaccounts/<name>/token`), as upstream's
 * pkg/registry/core/serviceaccount/storage/token.go: the body's name and namespace must match the
 * URL's, the ServiceAccount must exist, audiences default to the API audiences and
 * `expirationSeconds` to one hour (at least 10 minutes, at most 2^32 seconds), a bound object (Pod,
 * Secret, or Node where the minor allows it) must exist with the uid given, the
 * `--service-account-max-token-expiration` cap shortens a longer request with a warning, and a pod
 * token asked for 3607 s for the API audiences is extended to a year with `warnafter` (the safe
 * rollout of bound tokens). The answer is 201 with the token and its expiration time. Every object
 * is read through the registry.
 */
import type { RequestContext } from '../http/context.js';
import { readObjectBody } from '../http/body.js';
import { badRequest, conflict, invalid, isStatusError, methodNotSupported, type FieldError } from '../errors/status.js';
import { formatTime, type KubeObject } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType, ResourceTypes } from '../registry/resource-type.js';
import type { Clock } from '../clock.js';
import type { ServiceAccountTokenFacts } from '../../versions/authentication.js';
import { DEFAULT_TOKEN_EXPIRATION_SECONDS, EXPIRATION_EXTENSION_SECONDS, WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, type TokenIssuer } from '../serviceaccount/issuer.js';
import type { ObjectRef } from '../serviceaccount/claims.js';
import { addWarning } from './warnings.js';
import { chooseOutput, writeObject } from './output.js';
import { writeNotFoundText } from './resources.js';

/** What the TokenRequest handler needs. */
export interface TokenRequestDeps {
  registry: Registry;
  types: ResourceTypes;
  clock: Clock;
  /** The server's issuer; absent when it has no `--service-account-issuer` (no token subresource). */
  issuer?: TokenIssuer;
  facts: ServiceAccountTokenFacts;
}

const GK = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
const API_VERSION = 'authentication.k8s.io/v1';
/** ValidateTokenRequest's bounds. */
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

async function getObject(deps: TokenRequestDeps, resource: string, namespace: string, name: string): Promise<KubeObject> {
  const type = deps.types.lookup('', 'v1', resource)!;
  return deps.registry.get(type, namespace, name);
}

function refOf(obj: KubeObject): ObjectRef {
  return { name: str(obj.metadata?.name), uid: str(obj.metadata?.uid) };
}

/** Serve `POST …/serviceaccounts/<name>/token`. */
export async function serveTokenRequest(ctx: RequestContext, deps: TokenRequestDeps, type: ResourceType, namespace: string, name: string): Promise<void> {
  if (!deps.issuer) return writeNotFoundText(ctx);
  if (ctx.info.verb !== 'create') throw methodNotSupported(type.gr, ctx.info.verb);
  const issuer = deps.issuer;
  const output = chooseOutput(ctx.req.headers.accept);
  const body = (await readObjectBody(ctx)) as KubeObject;
  if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== API_VERSION) throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${API_VERSION})`);
  if (body.kind !== undefined && body.kind !== '' && body.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (TokenRequest)`);
  const meta = { ...(body.metadata ?? {}) } as Record<string, unknown>;
  if (str(meta.name) !== '' && meta.name !== name) throw invalid(GK, name, [{ type: 'FieldValueInvalid', field: 'metadata.name', value: meta.name, detail: 'must match the service account name if specified' }]);
  if (str(meta.namespace) !== '' && meta.namespace !== namespace) throw invalid(GK, name, [{ type: 'FieldValueInvalid', field: 'metadata.namespace', value: meta.namespace, detail: 'must match the service account namespace if specified' }]);

  const sa = await getObject(deps, 'serviceaccounts', namespace, name);
  const spec = { ...((body.spec as Record<string, unknown> | undefined) ?? {}) };
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? (spec.audiences as unknown[]).map(String) : [...issuer.opts.apiAudiences];
  let expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : DEFAULT_TOKEN_EXPIRATION_SECONDS;
  // The time is taken before the token is built, so the reported expiry is never after the token's.
  const now = deps.clock.now();
  meta.name = name;
  meta.namespace = namespace;
  meta.creationTimestamp = formatTime(now);

  const errors: FieldError[] = [];
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) errors.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: expirationSeconds, detail: 'may not specify a duration less than 10 minutes' });
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) errors.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: expirationSeconds, detail: 'may not specify a duration larger than 2^32 seconds' });
  if (errors.length > 0) throw invalid(GK, '', errors);

  let pod: ObjectRef | undefined;
  let secret: ObjectRef | undefined;
  let node: ObjectRef | undefined;
  const bound = spec.boundObjectRef as Record<string, unknown> | null | undefined;
  if (bound) {
    const apiVersion = str(bound.apiVersion);
    const slash = apiVersion.lastIndexOf('/');
    const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
    const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
    const kind = str(bound.kind);
    const refName = str(bound.name);
    let uid = '';
    if (group === '' && kind === 'Pod') {
      const p = await getObject(deps, 'pods', namespace, refName);
      const podSpec = (p.spec ?? {}) as Record<string, unknown>;
      // kube-skew has no ServiceAccount admission plugin, which would have set "default" on the pod.
      if (name !== (str(podSpec.serviceAccountName) || 'default')) throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
      pod = refOf(p);
      uid = pod.uid;
      const nodeName = str(podSpec.nodeName);
      if (deps.facts.podNodeInfo && nodeName !== '') {
        try {
          node = refOf(await getObject(deps, 'nodes', '', nodeName));
        } catch (err) {
          // A missing Node still leaves its name in the claims.
          if (!(isStatusError(err) && err.code === 404)) throw err;
          node = { name: nodeName, uid: '' };
        }
      }
    } else if (group === '' && kind === 'Node' && deps.facts.nodeBindingKnown) {
      if (!deps.facts.nodeBinding) throw badRequest('cannot bind token to a Node object as the "ServiceAccountTokenNodeBinding" feature-gate is disabled');
      node = refOf(await getObject(deps, 'nodes', '', refName));
      uid = node.uid;
    } else if (group === '' && kind === 'Secret') {
      secret = refOf(await getObject(deps, 'secrets', namespace, refName));
      uid = secret.uid;
    } else {
      // Go's GroupVersionKind.String().
      throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
    }
    const wantUID = str(bound.uid);
    if (wantUID !== '' && wantUID !== uid) {
      throw conflict({ group, resource: kind }, refName, `the UID in the bound object reference (${wantUID}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }

  const max = issuer.opts.maxExpirationSeconds;
  if (max > 0 && expirationSeconds > max) {
    addWarning(ctx, `requested expiration of ${expirationSeconds} seconds shortened to ${max} seconds`);
    expirationSeconds = max;
  }
  // Pod tokens of the bound-token rollout only warn after their hour and fail after a year.
  let lifetime = expirationSeconds;
  let warnAfter = 0;
  if (issuer.opts.extendExpiration && pod && expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && issuer.isKubeAudiences(audiences)) {
    warnAfter = expirationSeconds;
    lifetime = EXPIRATION_EXTENSION_SECONDS;
  }
  const { token } = issuer.issue({
    namespace,
    serviceAccount: refOf(sa),
    ...(pod ? { pod } : {}),
    ...(secret ? { secret } : {}),
    ...(node ? { node } : {}),
    audiences,
    expirationSeconds: lifetime,
    warnAfterSeconds: warnAfter,
    now,
  });
  const out: KubeObject = {
    kind: 'TokenRequest',
    apiVersion: API_VERSION,
    metadata: meta as KubeObject['metadata'],
    spec: { audiences, expirationSeconds, boundObjectRef: bound ?? null },
    status: { token, expirationTimestamp: formatTime(new Date(now.getTime() + expirationSeconds * 1000)) },
  };
  await writeObject(ctx, 201, out, output.as === 'object' ? output.format : 'json');
}
