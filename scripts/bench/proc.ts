/**
 * What procfs tells about a server process: its resident set size, and whether it is still busy
 * (a server keeps working on requests whose clients have gone, so a phase waits for the previous
 * one's backlog to drain before it starts).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** The resident set size (VmRSS) of process `pid` in MiB, or undefined where /proc cannot tell (not Linux, or gone). */
export async function rssMiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The CPU time process `pid` has used (user + system, in clock ticks), or undefined where /proc cannot tell. */
export async function cpuTicks(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Resolves once process `pid` uses under 10% of a core over a 200 ms window, or after `timeoutMs`
 * (a benchmark must not hang on a server that never settles). Where /proc cannot tell, waits one second.
 */
export async function waitUntilIdle(pid: number, timeoutMs = 60_000): Promise<void> {
  const windowMs = 200;
  const deadline = Date.now() + timeoutMs;
  let before = await cpuTicks(pid);
  if (before === undefined) return sleep(1000);
  while (Date.now() < deadline) {
    await sleep(windowMs);
    const after = await cpuTicks(pid);
    if (after === undefined) return;
    // Clock ticks are 10 ms on Linux: 2 ticks in 200 ms is 10% of a core.
    if (after - before <= 2) return;
    before = after;
  }
}
