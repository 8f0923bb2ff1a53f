/**
 * The error catalogue of the version layer. Every failure to build a VersionProfile is a
 * ProfileError with a stable `code`, and a message that is the text kube-apiserver itself prints
 * for the same input where kube-apiserver has one.
 */

/** Stable codes of ProfileError, one per kind of failure. */
export type ProfileErrorCode =
  /** The minor is not one kube-skew simulates. */
  | 'ERR_UNSUPPORTED_MINOR'
  /** A manifest file is missing or does not match its minor. */
  | 'ERR_MANIFEST'
  /** `--feature-gates` could not be parsed or names an unknown gate, or sets a locked one. */
  | 'ERR_FEATURE_GATES'
  /** `--runtime-config` is rejected by kube-apiserver's option validation. */
  | 'ERR_RUNTIME_CONFIG'
  /** The combination of feature gates is rejected at startup (e.g. MVP without StorageVersionAPI). */
  | 'ERR_FEATURE_DEPENDENCY';

/**
 * Creates an error with a stable code; `flag` names the command-line flag at fault (without dashes)
 * and `details` holds each individual message when kube-apiserver would print several at once.
 */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  readonly code: ProfileErrorCode;
  readonly flag: string | undefined;
  readonly details: readonly string[];

  constructor(code: ProfileErrorCode, message: string, options: { flag?: string; details?: readonly string[] } = {}) {
    super(message);
    this.code = code;
    this.flag = options.flag;
    this.details = options.details ?? [message];
  }
}

/**
 * Joins several messages the way apimachinery's `utilerrors.NewAggregate(errs).Error()` does: the
 * single message as is, more than one as `[a, b]` (duplicates removed, first occurrence kept).
 */
export function aggregateMessage(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0] as string;
  return `[${unique.join(', ')}]`;
}
