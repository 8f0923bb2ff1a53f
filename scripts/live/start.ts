/** `kube-skew start SERVER`: start a stopped, killed or exited server again at its minor, on its port, and wait until it is ready. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Run `start` with its positional arguments (the server's name); resolves with the exit code. */
export async function runStart(args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'start');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'start', server }, out);
}
