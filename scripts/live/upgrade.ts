/** `kube-skew upgrade SERVER MINOR`: restart a server at a newer minor (refused, changing nothing, when MINOR is not newer than the one it runs) and wait until it is ready. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Run `upgrade` with its positional arguments (the server's name and the minor); resolves with the exit code. */
export async function runUpgrade(args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'upgrade');
    if (!args[1]) throw new Error('upgrade: give the minor, e.g. kube-skew upgrade ' + server + ' 1.37');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'restart', server, minor: args[1], direction: 'upgrade' }, out);
}
