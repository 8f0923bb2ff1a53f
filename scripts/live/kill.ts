/** `kube-skew kill SERVER`: kill one server with SIGKILL, as a crash: no graceful shutdown, and `up` does not start it again. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Run `kill` with its positional arguments (the server's name); resolves with the exit code. */
export async function runKill(args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'kill');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'kill', server }, out);
}
