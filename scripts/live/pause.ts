/** `kube-skew pause SERVER`: freeze one server with SIGSTOP: it keeps its connections and answers nothing; the front door's health check takes it out. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Run `pause` with its positional arguments (the server's name); resolves with the exit code. */
export async function runPause(args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'pause');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'pause', server }, out);
}
