/** `kube-skew down`: stop a running cluster (every server, then `up` itself) and wait until no process of it is left. */
import { setTimeout as sleep } from 'node:timers/promises';
import { sendRequest, type LiveOptions, type Output } from './request.js';

/** How long `down` waits for `up` to exit once its servers have stopped. */
const EXIT_WAIT_MS = 30_000;

/** True while process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run `down`; resolves with the exit code. */
export async function runDown(_args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  const answer = await sendRequest(opts, { verb: 'down' }, out);
  if (!answer) return 1;
  const pid = answer.res.pid;
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (pid && alive(pid) && Date.now() < deadline) await sleep(50);
  if (pid && alive(pid)) {
    out.stderr.write(`Error: the servers stopped, but kube-skew up (pid ${pid}) still runs after ${EXIT_WAIT_MS} ms\n`);
    return 1;
  }
  out.stdout.write(`${answer.res.message}\n`);
  return 0;
}
