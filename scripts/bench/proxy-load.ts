/**
 * One GET load phase of `kube-skew bench proxy`: load.ts's runPhase with a GET, reporting the median
 * and the CPU time per request of the process the client talks to (which other work on the machine
 * skews far less than latency), after every process on the request's path has gone idle.
 */
import { runPhase, type ClientTLS, type PhaseLength, type PhaseResult } from './load.js';

/** What one GET phase sends and how hard. */
export interface GetPhase {
  /** The base URL of the process the client talks to. */
  url: string;
  /** The path GET is sent to. */
  path: string;
  /** Every process the request passes through, the one the client talks to first. */
  pids: number[];
  tls: ClientTLS;
  connections: number;
  warmup: PhaseLength;
  measure: PhaseLength;
}

/** The figures of one measured GET run. */
export type GetFigures = PhaseResult;

/** Runs the phase's warm-up and then its measured run; throws when any request failed or was not 2xx. */
export function runGetPhase(phase: GetPhase): Promise<GetFigures> {
  return runPhase({
    url: phase.url,
    pid: phase.pids[0]!,
    pids: phase.pids,
    tls: phase.tls,
    request: { method: 'GET', path: phase.path, headers: { accept: 'application/json' } },
    connections: phase.connections,
    warmup: phase.warmup,
    measure: phase.measure,
  });
}
