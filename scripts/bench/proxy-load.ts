/**
 * One GET load phase of `kube-skew bench proxy`: as load.ts's runPhase (a warm-up run, then the
 * measured run, latencies at full resolution from every response, throughput up to the last
 * response), but also reporting the median and the CPU time per request of the process the client
 * talks to (which other work on the machine skews far less than latency), and waiting before each
 * run until every process on the request's path (the hop and the server behind it) has gone idle.
 */
import { readFile } from 'node:fs/promises';
import autocannon, { type AutocannonOptions } from 'autocannon';
import type { ClientTLS, PhaseLength } from './load.js';
import { waitUntilIdle } from './proc.js';
import { percentile } from './stats.js';

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
export interface GetFigures {
  /** Completed requests per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** How many requests completed. */
  requests: number;
  /** CPU time (user + system) of the first process of `pids` per completed request, in microseconds; NaN where /proc cannot tell. */
  cpuUsPerRequest: number;
}

/** Runs the phase's warm-up and then its measured run; throws when any request failed or was not 2xx. */
export async function runGetPhase(phase: GetPhase): Promise<GetFigures> {
  await run(phase, phase.warmup);
  return run(phase, phase.measure);
}

async function run(phase: GetPhase, length: PhaseLength): Promise<GetFigures> {
  await Promise.all(phase.pids.map((pid) => waitUntilIdle(pid)));
  const options: AutocannonOptions = {
    url: phase.url,
    connections: 'requests' in length ? Math.min(phase.connections, length.requests) : phase.connections,
    timeout: 120,
    sampleInt: 100,
    tlsOptions: phase.tls,
    requests: [{ method: 'GET', path: phase.path, headers: { accept: 'application/json' } }],
    ...('requests' in length ? { amount: length.requests } : { duration: length.seconds }),
  };
  const latencies: number[] = [];
  const ticksBefore = await cpuTicks(phase.pids[0]!);
  const started = performance.now();
  let lastResponse = started;
  const instance = autocannon(options);
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    lastResponse = performance.now();
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  const ticks = (await cpuTicks(phase.pids[0]!)) - ticksBefore;
  if (result.errors > 0 || result.non2xx > 0 || latencies.length === 0) {
    const codes = Object.entries(result.statusCodeStats).map(([code, s]) => `${code}×${s.count}`).join(', ');
    throw new Error(`GET ${phase.url}${phase.path}: ${result.errors} errors, ${result.timeouts} timeouts, status codes ${codes || 'none'}`);
  }
  return {
    rps: latencies.length / ((lastResponse - started) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
    // Linux clock ticks are 10 ms.
    cpuUsPerRequest: (ticks * 10_000) / latencies.length,
  };
}

/** The CPU time process `pid` has used (utime + stime, in clock ticks), or NaN where /proc cannot tell. */
async function cpuTicks(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}
