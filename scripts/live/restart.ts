/** `kube-skew restart SERVER [--minor X]`: stop a server gracefully and start it again, at another minor when given, and wait until it is ready. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Options of `restart`. */
export interface RestartOptions extends LiveOptions {
  /** `--minor`: the minor to start it at (default: the one it runs). */
  minor?: string;
}

/** Run `restart` with its positional arguments (the server's name); resolves with the exit code. */
export async function runRestart(args: readonly string[], opts: RestartOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'restart');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'restart', server, ...(opts.minor ? { minor: opts.minor } : {}) }, out);
}
