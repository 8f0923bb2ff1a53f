/** `kube-skew stop SERVER`: stop one server gracefully (SIGTERM); the front door takes it out at once. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Run `stop` with its positional arguments (the server's name); resolves with the exit code. */
export async function runStop(args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'stop');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'stop', server }, out);
}
