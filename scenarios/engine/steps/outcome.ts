/** What one step produced: whether its expectations held, what differed, and what came back. */

/** The answer a failing step shows: status, headers, the first bytes of the body, and who answered. */
export interface Observed {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  servedBy?: string;
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
}

/** The result of one step. */
export interface StepOutcome {
  ok: boolean;
  /** One sentence per expectation that did not hold. */
  failures: string[];
  observed?: Observed;
  /** A short note for the progress line (e.g. the load figures). */
  note?: string;
}

/** How many bytes of a body a report shows. */
export const BODY_PREVIEW_BYTES = 400;

/** A passing outcome. */
export function passed(note?: string, observed?: Observed): StepOutcome {
  return { ok: true, failures: [], ...(note ? { note } : {}), ...(observed ? { observed } : {}) };
}

/** An outcome from a list of failures (passing when empty). */
export function outcome(failures: string[], observed?: Observed, note?: string): StepOutcome {
  return { ok: failures.length === 0, failures, ...(observed ? { observed } : {}), ...(note ? { note } : {}) };
}
