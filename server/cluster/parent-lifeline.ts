/**
 * `up`'s lifeline to the process that started it. A wrapper that does not pass signals on (`npx`,
 * `npm run`, many test harnesses) leaves its child running when it is itself killed: the child is
 * re-parented to init or a subreaper, and so are the servers below it. `up` notices that its parent
 * has changed and stops its cluster as it does on SIGTERM. (Servers have a lifeline of their own,
 * their standard input, which closes when `up` dies.)
 */

/** How often the parent is checked, in milliseconds. */
export const PARENT_CHECK_INTERVAL_MS = 500;

/** Call `onGone` once when this process's parent changes; returns a function that stops watching. */
export function watchParent(onGone: () => void, intervalMs = PARENT_CHECK_INTERVAL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
