/**
 * The one layer where storage errors become Status errors, as upstream's
 * k8s.io/apiserver/pkg/storage/errors (InterpretGetError, InterpretListError, InterpretWatchError and
 * friends): nothing above the registry sees a {@link StorageError}, so a second store backend
 * changes nothing there.
 */
import { isStorageError } from '../../storage/errors.js';
import {
  alreadyExists,
  conflict,
  internalError,
  isStatusError,
  notFound,
  resourceExpired,
  StatusError,
  timeout,
  unclassifiedError,
} from '../errors/status.js';
import { continueExpired, listExpired } from './continue.js';
import { isConversionError } from './custom/conversion/converter.js';
import type { ResourceType } from './resource-type.js';

/**
 * Translates a failure while serving `name` of `type` (a get, create, update or delete) into the
 * Status error upstream returns: KeyNotFound → 404, KeyExists → 409 AlreadyExists, Conflict → 409
 * Conflict with the precondition's message, Expired → 410, TooLargeRevision → 504 with Retry-After,
 * anything else from the store → 500. Status errors pass through; a failed conversion is an
 * unclassified 500; other errors are returned unchanged.
 */
export function interpretStorageError(err: unknown, type: ResourceType, name: string): unknown {
  if (isStatusError(err)) return err;
  // A failed conversion is an unclassified error to upstream's handler: 500, its text as the message.
  if (isConversionError(err)) return unclassifiedError(err.message);
  if (!isStorageError(err)) return err;
  switch (err.code) {
    case 'KeyNotFound':
      return notFound(type.gr, name);
    case 'KeyExists':
      return alreadyExists(type.gr, name);
    case 'Conflict':
      return conflict(type.gr, name, err.message);
    case 'Expired':
      return expiredWatch(err.rev, err.compactedRev);
    case 'TooLargeRevision':
      return timeout(`Too large resource version: ${err.rev}, current: ${err.compactedRev}`, 1);
    default:
      return internalError(err.message);
  }
}

/**
 * Translates a list failure: an expired revision is upstream's paging 410 (with a continue token
 * from `afterKey` when the list was a continuation) or its plain "too old" list 410; the rest as
 * {@link interpretStorageError}.
 */
export function interpretListError(err: unknown, type: ResourceType, prefix: string, afterKey: string | undefined): unknown {
  if (isStorageError(err, 'Expired')) return afterKey !== undefined ? continueExpired(prefix, afterKey) : listExpired();
  return interpretStorageError(err, type, '');
}

/**
 * Translates the error that ended a watch into a Status error: a compacted start revision is 410
 * Expired with the cacher's "too old resource version: <asked> (<compacted>)"; a store that failed or
 * closed is a 500.
 */
export function interpretWatchError(err: unknown, type: ResourceType): StatusError {
  const translated = interpretStorageError(err, type, '');
  if (translated instanceof StatusError) return translated;
  return internalError(translated instanceof Error ? translated.message : String(translated));
}

/** True when `err` is the 410 a watch ends with once its revision was compacted away. */
export function isExpiredWatch(err: unknown): boolean {
  return err instanceof StatusError && err.status.code === 410;
}

function expiredWatch(rev: number | undefined, compactedRev: number | undefined): StatusError {
  return resourceExpired(`too old resource version: ${rev} (${compactedRev})`);
}
