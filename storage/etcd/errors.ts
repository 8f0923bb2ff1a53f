/**
 * The one place where etcd client failures become {@link StorageError}s.
 */
import { StorageError } from '../errors.js';

/** etcd's mvcc.ErrCompacted text. */
const COMPACTED = 'required revision has been compacted';
/** etcd's mvcc.ErrFutureRev text. */
const FUTURE = 'required revision is a future revision';

/** True when `err` is etcd's "required revision has been compacted". */
export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes(COMPACTED);
}

/** True when `err` is etcd's "required revision is a future revision". */
export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && err.message.includes(FUTURE);
}

/**
 * Maps an error thrown while serving `key`: StorageErrors and errors thrown by caller callbacks
 * pass through; anything the etcd client raised (unreachable, closed, deadline) becomes `Internal`
 * naming etcd's message.
 */
export function translateError(err: unknown, key: string, fromClient: boolean): unknown {
  if (err instanceof StorageError || !fromClient) return err;
  return StorageError.internal(key, `etcd: ${err instanceof Error ? err.message : String(err)}`);
}
