/**
 * The shared shape of the live-cluster commands: find the cluster (`--data-dir`, else the one `up`
 * made last), send one request on its control channel, print the answer's message on stdout or its
 * error on stderr, and return the exit code (0 on success, 1 otherwise).
 */
import { callControl } from '../../server/cluster/control/client.js';
import { resolveDataDir } from '../../server/cluster/control/last-cluster.js';
import type { ControlRequest, ControlResponse, ServerVerb } from '../../server/cluster/control/protocol.js';

/** Options every live-cluster command takes. */
export interface LiveOptions {
  /** `--data-dir`: the cluster's data directory (default: the cluster `up` made last). */
  dataDir?: string;
}

/** Where a command writes. */
export interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Send `req` to the cluster `opts` names; resolves with the answer and its data directory, or undefined after printing the error. */
export async function sendRequest(opts: LiveOptions, req: ControlRequest, out: Output = process): Promise<{ res: Extract<ControlResponse, { ok: true }>; dataDir: string } | undefined> {
  try {
    const dataDir = await resolveDataDir(opts.dataDir);
    const res = await callControl(dataDir, req);
    if (!res.ok) {
      out.stderr.write(`Error: ${res.error}\n`);
      return undefined;
    }
    return { res, dataDir };
  } catch (err) {
    out.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  }
}

/** Send `req`, print the answer's message; resolves with the exit code. */
export async function runRequest(opts: LiveOptions, req: ControlRequest, out: Output = process): Promise<number> {
  const answer = await sendRequest(opts, req, out);
  if (!answer) return 1;
  if (answer.res.message) out.stdout.write(`${answer.res.message}\n`);
  return 0;
}

/**
 * Run a command on one server: `stop`, `start`, `kill`, `pause`, `resume`, `restart [--minor X]`,
 * or, with `direction`, `upgrade`/`downgrade SERVER MINOR` (refused, changing nothing, when MINOR is
 * not newer, or not older, than the minor the server runs); resolves with the exit code.
 */
export async function runServerCommand(
  verb: ServerVerb,
  args: readonly string[],
  opts: LiveOptions & { minor?: string; direction?: 'upgrade' | 'downgrade' },
  out: Output = process,
): Promise<number> {
  const [server, minorArg] = args;
  const minor = opts.direction ? minorArg : opts.minor;
  const example = opts.direction ? `kube-skew ${opts.direction} s1 1.37` : `kube-skew ${verb} s1`;
  if (!server || (opts.direction && !minor)) {
    out.stderr.write(`Error: ${opts.direction ?? verb}: name the server${opts.direction ? ' and the minor' : ''}, e.g. ${example}\n`);
    return 1;
  }
  const req: ControlRequest =
    verb === 'restart' ? { verb, server, ...(minor ? { minor } : {}), ...(opts.direction ? { direction: opts.direction } : {}) } : { verb, server };
  return runRequest(opts, req, out);
}
