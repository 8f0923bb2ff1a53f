/** `kube-skew resume SERVER`: thaw a paused server with SIGCONT; the front door puts it back, if its health check took it out, once the check passes again. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Run `resume` with its positional arguments (the server's name); resolves with the exit code. */
export async function runResume(args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'resume');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'resume', server }, out);
}
