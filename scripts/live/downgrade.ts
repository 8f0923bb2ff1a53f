/** `kube-skew downgrade SERVER MINOR`: restart a server at a older minor (refused, changing nothing, when MINOR is not older than the one it runs) and wait until it is ready. */
import { runRequest, serverArg, type LiveOptions, type Output } from './request.js';

/** Run `downgrade` with its positional arguments (the server's name and the minor); resolves with the exit code. */
export async function runDowngrade(args: readonly string[], opts: LiveOptions, out: Output = process): Promise<number> {
  let server: string;
  try {
    server = serverArg(args, 'downgrade');
    if (!args[1]) throw new Error('downgrade: give the minor, e.g. kube-skew downgrade ' + server + ' 1.37');
  } catch (err) {
    out.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  return runRequest(opts, { verb: 'restart', server, minor: args[1], direction: 'downgrade' }, out);
}
