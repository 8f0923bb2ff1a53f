/**
 * `kube-skew bench proxy`: what the Mixed Version Proxy hop costs, and how fast a cluster comes up.
 *
 * - GET of one object on a server `a` of the previous minor and a server `b` of the newest over one
 *   store: the object is of the newest-only API (newest-api.ts), so a GET to
 *   `b` is served directly and the same GET to `a` is forwarded by `a`'s peer proxy to `b`. A bare
 *   `@fastify/reply-from` hop in its own process, with the same TLS on both sides, forwards the same
 *   GET to `b` as the baseline of what one hop costs.
 * - Readiness (`Cluster.start` until every server is ready) of 3 and 10 servers, each start in a
 *   fresh directory, the median of several; the servers' RSS; and the `kube-skew up` command's time
 *   to its `ready` line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, type ClusterPKI } from '../../server/cluster/cluster.js';
import { ApiClient } from './client.js';
import { NEWEST_API, newestApiObject } from './newest-api.js';
import { NEWEST_MINOR, PREVIOUS_MINOR, SUPPORTED_MINORS } from '../../versions/manifest.js';
import { machineInfo } from './core.js';
import type { ClientTLS, PhaseLength } from './load.js';
import type { ProxyHopConfig } from './proxy-hop.js';
import { startProxyHop } from './proxy-hop-process.js';
import { runGetPhase, type GetFigures } from './proxy-load.js';
import { hopFigures, type GetComparison, type ProxyReport } from './proxy-report.js';
import { measureReadiness, measureUpCli } from './proxy-startup.js';

/** The object the GETs read. */
const OBJECT_NAME = 'bench-proxy';

/** The 3-server cluster measured, by minor: `up`'s default (the previous minor, twice the newest). */
export const THREE_SERVERS = [PREVIOUS_MINOR, NEWEST_MINOR, NEWEST_MINOR];
/** The 10-server cluster measured, by minor: the four newest minors, twice each and the newest four times. */
export const TEN_SERVERS = SUPPORTED_MINORS.slice(-4).flatMap((m) => (m === NEWEST_MINOR ? [m, m, m, m] : [m, m]));

/** Options of {@link runProxyBench}. */
export interface ProxyBenchOptions {
  /** Seconds per measured autocannon run (default 5). */
  durationSeconds?: number;
  /** Concurrent connections per run (default 10). */
  connections?: number;
  /** A tiny run for tests: 200 requests per GET run, one start of each cluster shape. */
  quick?: boolean;
  /** Receives one line per phase. */
  progress?: (line: string) => void;
}

/** Runs the whole benchmark and returns its figures; every process it starts is stopped, and its files removed, before it returns or throws. */
export async function runProxyBench(options: ProxyBenchOptions = {}): Promise<ProxyReport> {
  const durationSeconds = options.durationSeconds ?? 5;
  const connections = options.connections ?? 10;
  const quick = options.quick ?? false;
  const progress = options.progress ?? (() => undefined);
  const readinessRuns = quick ? 1 : 3;
  const loadAtStart = loadavg()[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-bench-proxy-'));
  try {
    const get = await benchGet(dir, { connections, warmup: quick ? { requests: 20 } : { seconds: 1 }, measure: quick ? { requests: 200 } : { seconds: durationSeconds } }, progress);
    progress(`readiness: ${readinessRuns} fresh start(s) of 3 servers (${THREE_SERVERS.join(',')})`);
    const three = await measureReadiness(dir, THREE_SERVERS, readinessRuns);
    progress(`readiness: ${readinessRuns} fresh start(s) of 10 servers (${TEN_SERVERS.join(',')})`);
    const ten = await measureReadiness(dir, TEN_SERVERS, readinessRuns);
    progress(`readiness: ${readinessRuns} run(s) of kube-skew up --servers ${THREE_SERVERS.join(',')}`);
    const upCli = await measureUpCli(dir, THREE_SERVERS, readinessRuns, (line) => progress(`warning: ${line}`));
    return {
      machine: await machineInfo(),
      settings: { durationSeconds, connections, quick, readinessRuns },
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
      get,
      hop: hopFigures(get),
      readiness: { three, ten, upCli },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How hard and how long each GET run is. */
interface Load {
  connections: number;
  warmup: PhaseLength;
  measure: PhaseLength;
}

/** The three GET runs on a fresh a=previous, b=newest cluster (and a bare hop to b), one after another. */
async function benchGet(dir: string, load: Load, progress: (line: string) => void): Promise<GetComparison> {
  progress(`get: starting a=${PREVIOUS_MINOR} and b=${NEWEST_MINOR} over one store`);
  const cluster = await Cluster.start({ dataDir: join(dir, 'pair'), servers: [{ name: 'a', minor: PREVIOUS_MINOR }, { name: 'b', minor: NEWEST_MINOR }], logLevel: 'error' });
  try {
    const a = cluster.server('a');
    const b = cluster.server('b');
    const tls: ClientTLS = { ca: cluster.pki.ca.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key };
    const path = `${NEWEST_API.path}/${OBJECT_NAME}`;
    await prepare(a.info!.url, b.info!.url, tls, path);
    progress('get: starting the bare reply-from hop to b');
    const hop = await startProxyHop(hopConfig(cluster.pki, b.info!.url));
    try {
      const phase = async (name: string, url: string, pids: number[]): Promise<GetFigures> => {
        progress(`get: ${name} (${'seconds' in load.measure ? `${load.measure.seconds} s` : `${load.measure.requests} requests`}, ${load.connections} connections)`);
        return runGetPhase({ url, path, pids, tls, ...load });
      };
      return {
        direct: await phase('direct to b', b.info!.url, [b.pid]),
        proxied: await phase('proxied by a to b', a.info!.url, [a.pid, b.pid]),
        bareHop: await phase('through the bare hop to b', hop.url, [hop.pid, b.pid]),
      };
    } finally {
      await hop.stop();
    }
  } finally {
    await cluster.stop();
  }
}

/** Creates the object through b, then waits until a forwards its GET (a routes locally until its first peer sync). */
async function prepare(aURL: string, bURL: string, tls: ClientTLS, path: string): Promise<void> {
  const [a, b] = [new ApiClient(aURL, tls), new ApiClient(bURL, tls)];
  try {
    await b.expect(201, 'POST', NEWEST_API.path, newestApiObject(OBJECT_NAME));
    const deadline = Date.now() + 30_000;
    for (let last = await a.call('GET', path); last.status !== 200; last = await a.call('GET', path)) {
      if (Date.now() > deadline) throw new Error(`a does not forward GET ${path} to b after 30 s: ${last.status} ${last.body.slice(0, 300)}`);
      await sleep(100);
    }
  } finally {
    a.close();
    b.close();
  }
}

/** The bare hop's TLS: listening as a kube-skew server, forwarding as its peer proxy does. */
function hopConfig(pki: ClusterPKI, upstream: string): ProxyHopConfig {
  return {
    certFile: pki.serving.certFile,
    keyFile: pki.serving.keyFile,
    caFiles: [pki.caFile, pki.frontProxyCAFile],
    upstream,
    upstreamCAFile: pki.caFile,
    proxyCertFile: pki.frontProxyClient.certFile,
    proxyKeyFile: pki.frontProxyClient.keyFile,
  };
}
