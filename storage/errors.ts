/**
 * Errors a Store raises. Each has a stable `code`; the API layer maps codes to Status objects in
 * one place (server/errors/storage.ts), so nothing else needs to know backend details.
 */

/** The stable codes of {@link StorageError}. */
export type StorageErrorCode =
  /** The key has no value. */
  | 'KeyNotFound'
  /** A create found the key already present. */
  | 'KeyExists'
  /** A precondition (uid or revision) did not hold. */
  | 'Conflict'
  /** The requested revision has been compacted away. */
  | 'Expired'
  /** The requested revision is in the future. */
  | 'TooLargeRevision'
  /** The backend failed (busy past its timeout, disk error, closed). */
  | 'Internal';

/** A storage failure with a stable code, the key it concerns and, for Expired, the revisions. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string;
  /** For `Expired`: the revision asked for. For `Conflict`: the current revision. */
  readonly rev?: number;
  /** For `Expired`: the compacted revision. */
  readonly compactedRev?: number;

  constructor(code: StorageErrorCode, key: string, message: string, extra: { rev?: number; compactedRev?: number } = {}) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    if (extra.rev !== undefined) this.rev = extra.rev;
    if (extra.compactedRev !== undefined) this.compactedRev = extra.compactedRev;
  }

  /** The key has no value. */
  static notFound(key: string): StorageError {
    return new StorageError('KeyNotFound', key, `key not found: ${key}`);
  }

  /** The key already has a value. */
  static exists(key: string): StorageError {
    return new StorageError('KeyExists', key, `key exists: ${key}`);
  }

  /** A precondition failed; `detail` says which, in upstream's words. */
  static conflict(key: string, detail: string, rev?: number): StorageError {
    return new StorageError('Conflict', key, detail, rev === undefined ? {} : { rev });
  }

  /** `rev` is older than the compacted revision. */
  static expired(key: string, rev: number, compactedRev: number): StorageError {
    return new StorageError('Expired', key, `required revision ${rev} has been compacted (compacted revision ${compactedRev})`, {
      rev,
      compactedRev,
    });
  }

  /** `rev` is newer than the current revision. */
  static tooLarge(key: string, rev: number, current: number): StorageError {
    return new StorageError('TooLargeRevision', key, `too large resource version: ${rev}, current: ${current}`, { rev, compactedRev: current });
  }

  /** The backend failed. */
  static internal(key: string, message: string): StorageError {
    return new StorageError('Internal', key, message);
  }
}

/** True when `err` is a {@link StorageError} with `code`. */
export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
