/**
 * The shared shape of the live-cluster commands: find the cluster (`--data-dir`, else the one `up`
 * made last), send one request on its control channel, print the answer's message on stdout or its
 * error on stderr, and return the exit code (0 on success, 1 otherwise).
 */
import { callControl } from '../../server/cluster/control/client.js';
import { resolveDataDir } from '../../server/cluster/control/last-cluster.js';
import type { ControlRequest, ControlResponse } from '../../server/cluster/control/protocol.js';

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

/** The one server argument of a command, or an error message. */
export function serverArg(args: readonly string[], verb: string): string {
  const [server] = args;
  if (!server) throw new Error(`${verb}: name the server, e.g. kube-skew ${verb} s1`);
  return server;
}
