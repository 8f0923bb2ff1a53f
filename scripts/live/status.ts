/** `kube-skew status [-o json]`: each server of a running cluster (minor, pid, state, readiness, identity, URL, proxy gate, front door rotation) and the front door. */
import { formatStatus } from '../../server/cluster/control/status.js';
import { sendRequest, type LiveOptions, type Output } from './request.js';

/** Options of `status`. */
export interface StatusOptions extends LiveOptions {
  /** `-o`: `table` (default) or `json`. */
  output?: string;
}

/** The output formats `status -o` takes. */
const FORMATS = ['table', 'json'];

/** Run `status`; resolves with the exit code. */
export async function runStatus(_args: readonly string[], opts: StatusOptions, out: Output = process): Promise<number> {
  const format = opts.output ?? 'table';
  if (!FORMATS.includes(format)) {
    out.stderr.write(`Error: -o ${format}: expected one of ${FORMATS.join(', ')}\n`);
    return 1;
  }
  const answer = await sendRequest(opts, { verb: 'status' }, out);
  if (!answer?.res.status) return 1;
  out.stdout.write(format === 'json' ? `${JSON.stringify(answer.res.status, null, 2)}\n` : formatStatus(answer.res.status));
  return 0;
}
