/**
 * The precondition check every backend runs before a write or delete, with upstream's messages
 * (k8s.io/apiserver pkg/storage/interfaces.go, `Preconditions.Check`).
 */
import { StorageError } from './errors.js';
import type { Preconditions, StoredObject } from './store.js';

/**
 * Throws a `Conflict` {@link StorageError} when `preconditions` do not hold for `current`, else
 * returns. The uid is compared with `metadata.uid` (an absent uid reads as empty, as in Go) before
 * the revision, and the message is upstream's word for word.
 */
export function checkPreconditions(current: StoredObject, preconditions: Preconditions | undefined): void {
  if (preconditions === undefined) return;
  if (preconditions.uid !== undefined) {
    const uid = uidOf(current.value);
    if (preconditions.uid !== uid) {
      throw StorageError.conflict(
        current.key,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${uid}`,
        current.rev,
      );
    }
  }
  if (preconditions.rev !== undefined && preconditions.rev !== current.rev) {
    throw StorageError.conflict(
      current.key,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.rev}, ResourceVersion in object meta: ${current.rev}`,
      current.rev,
    );
  }
}

function uidOf(value: Record<string, unknown>): string {
  const metadata = value['metadata'];
  if (typeof metadata !== 'object' || metadata === null) return '';
  const uid = (metadata as Record<string, unknown>)['uid'];
  return typeof uid === 'string' ? uid : '';
}
