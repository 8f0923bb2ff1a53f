/**
 * The clock file: one JSON anchor (`{"wall":…,"time":…,"scale":…}`) that every server of a cluster
 * follows, so that a scenario can speed time up, slow it down or move it forward for all of them at
 * once. The cluster writes it; servers watch it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { anchorProblem, type ClockAnchor, type ScaledClock } from './clock.js';

/** How often a server looks at the clock file (wall ms). */
export const CLOCK_FILE_POLL_MS = 50;

/** Read and check a clock file; throws an Error naming the file and the problem. */
export function readClockFile(path: string): ClockAnchor {
  return parseClockFile(readText(path), path);
}

/** The text of the clock file at `path`; throws an Error naming the file when it cannot be read. */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`clock file ${path}: ${(err as Error).message}`);
  }
}

/** Check the clock file text read from `path`; throws an Error naming the file and the problem. */
function parseClockFile(text: string, path: string): ClockAnchor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`clock file ${path}: ${(err as Error).message}`);
  }
  const anchor = (parsed ?? {}) as Partial<ClockAnchor>;
  const problem = typeof parsed === 'object' && parsed !== null ? anchorProblem(anchor) : 'not a JSON object';
  if (problem) throw new Error(`clock file ${path}: ${problem}`);
  return { wall: anchor.wall!, time: anchor.time!, scale: anchor.scale! };
}

/** Replace the clock file in one step, so that no reader sees half of it. */
export function writeClockFile(path: string, anchor: ClockAnchor): void {
  const problem = anchorProblem(anchor);
  if (problem) throw new Error(`clock: ${problem}`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(anchor)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * Make `clock` follow the anchor in `path` from now on. A file that cannot be read keeps the clock
 * where it is and is reported once per change. Returns a function that stops following.
 *
 * The file's text is compared, not its `stat`: the cluster replaces it by rename, the new file can
 * get the inode the old one had, the same size and (file times come from a coarse kernel clock) the
 * same mtime, so two quick writes can look like none. The first look also applies a change made
 * between the caller's read and this call.
 */
export function followClockFile(clock: ScaledClock, path: string, onError: (err: Error) => void): () => void {
  // The text last looked at, or the message of the last read failure: each is acted on once.
  let seen: string | undefined;
  const look = (): void => {
    let text: string;
    try {
      text = readText(path);
    } catch (err) {
      if ((err as Error).message !== seen) onError(err as Error);
      seen = (err as Error).message;
      return;
    }
    if (text === seen) return;
    seen = text;
    try {
      const anchor = parseClockFile(text, path);
      const now = clock.anchor;
      if (anchor.wall !== now.wall || anchor.time !== now.time || anchor.scale !== now.scale) clock.adjust(anchor);
    } catch (err) {
      onError(err as Error);
    }
  };
  const timer = setInterval(look, CLOCK_FILE_POLL_MS);
  timer.unref();
  look();
  return () => clearInterval(timer);
}
