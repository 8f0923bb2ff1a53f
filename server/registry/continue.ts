/**
 * List continue tokens in upstream's format: raw URL-safe base64 of
 * `{"v":"meta.k8s.io/v1","rv":<list revision>,"start":"<key after the prefix>\u0000"}`.
 */
import { badRequest, expiredWithContinue, resourceExpired } from '../errors/status.js';

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

/**
 * The revision a token minted after compaction carries: resume at the latest revision (upstream
 * uses -1 because 0 marks a bad token).
 */
export const LATEST_REVISION = -1;

/** Encode the token that resumes a list of `prefix` after `lastKey`, read at `rev`. */
export function encodeContinue(prefix: string, lastKey: string, rev: number): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv: rev, start: `${lastKey.slice(prefix.length)}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/**
 * Decode a token into the key to resume after and the revision to read at (undefined: the latest,
 * for a token of {@link LATEST_REVISION}); 400 when invalid.
 */
export function decodeContinue(token: string, prefix: string): { afterKey: string; rev: number | undefined } {
  let parsed: ContinueToken;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new Error('illegal base64 data');
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
  } catch {
    throw badRequest('invalid continue token: continue key is not valid: illegal base64 data at input byte 0');
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.v !== 'meta.k8s.io/v1') {
    throw badRequest('invalid continue token: continue key is not valid: server does not recognize this encoded key');
  }
  if (typeof parsed.rv !== 'number' || !Number.isSafeInteger(parsed.rv) || parsed.rv === 0) {
    throw badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof parsed.start !== 'string' || parsed.start.length === 0) {
    throw badRequest('invalid continue token: continue key is not valid: encoded start key empty');
  }
  const start = parsed.start.endsWith('\u0000') ? parsed.start.slice(0, -1) : parsed.start;
  if (start.split('/').some((seg) => seg === '..' || seg === '.')) {
    throw badRequest('invalid continue token: continue key is not valid: path traversal attempt detected');
  }
  return { afterKey: prefix + start, rev: parsed.rv > 0 ? parsed.rv : undefined };
}

/**
 * The 410 a continue token older than the compacted revision gets. Like upstream it carries a
 * fresh token for the same key at the latest revision, which a client may use to finish the
 * list inconsistently, or ignore to start again.
 */
export function continueExpired(prefix: string, afterKey: string): Error {
  return expiredWithContinue(
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    encodeContinue(prefix, afterKey, LATEST_REVISION),
  );
}

/** The 410 of a list read at an exact revision that was compacted away (upstream's etcd3 `expired`). */
export function listExpired(): Error {
  return resourceExpired('The resourceVersion for the provided list is too old.');
}
