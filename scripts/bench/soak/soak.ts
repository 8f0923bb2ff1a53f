/**
 * `kube-skew bench soak`: a mixed-minor cluster with the Mixed Version Proxy under steady mixed
 * traffic through the front door and misbehaving clients beside it (requests cut short, slow
 * readers, connection storms) while it is upgraded, servers are SIGKILLed and one is paused; then
 * the checks a person relies on: no false 404, no lost write, no watch event missed or duplicated
 * across reconnects, no 5xx outside the fault windows, no server process that exits unasked,
 * `/readyz` within a second, and a sound SQLite file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Cluster } from '../../../server/cluster/cluster.js';
import { seededRandom } from '../../../server/random.js';
import { openSqliteStore } from '../../../storage/sqlite/store.js';
import { isLive, servedBy, servingAt, type RunContext } from '../../../scenarios/engine/context.js';
import { runServerStep } from '../../../scenarios/engine/steps/servers.js';
import { ApiClient } from '../client.js';
import { NEWEST_API, newestApiObject } from '../newest-api.js';
import type { ClientTLS } from '../load.js';
import { TRACE_HEADER } from '../../../server/filters/served-by.js';
import { machineInfo } from '../core.js';
import type { MachineInfo } from '../report.js';
import { Chaos, type FaultWindow } from './chaos.js';
import { describeExit, ExitWatch } from './exits.js';
import { CUT_PREFIX, Misbehaving, type MisbehavingStats } from './misbehaving.js';
import { READYZ_BOUND_MS, ReadyzProbers, type ReadyzFigures } from './readyz.js';
import { Traffic, type TrafficStats } from './traffic.js';
import { auditSpans, WatchStream } from './watchers.js';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  durationSeconds: number;
  /** Requests per second through the front door. */
  rate: number;
  /** The servers' minors at the start; they are upgraded to the newest of them. */
  minors: string[];
  killEverySeconds: number;
  watchers: number;
  /** Requests per second that misbehaving clients cut short (0: none, and no slow readers or storms). */
  cutRate: number;
  seed: number;
  mvp: boolean;
  /** How long after a fault's recovery 5xx still count as the fault's (the peers' endpoint lease TTL and a margin). */
  graceSeconds: number;
  /** The bound on one `/readyz` probe, in ms (default 1000). */
  readyzBoundMs?: number;
  progress?: (line: string) => void;
}

/** What a soak run measured. */
export interface SoakReport {
  machine: MachineInfo;
  settings: Omit<SoakOptions, 'progress'>;
  elapsedSeconds: number;
  requests: number;
  requestsPerSecond: number;
  /** `op status` → count. */
  outcomes: Record<string, number>;
  shed: number;
  falseNotFound: number;
  acknowledgedWrites: number;
  lostWrites: number;
  /** Objects whose last write got no answer, left out of the lost-write check. */
  uncertainObjects: number;
  watch: { streams: number; reconnects: number; relists: number; expected: number; missed: number; duplicated: number; outOfOrder: number };
  fiveXX: { total: number; outsideFaultWindows: number };
  transportErrors: { total: number; outsideFaultWindows: number };
  faults: FaultWindow[];
  misbehaving: MisbehavingStats;
  /** Creates cut short in the middle of their body that were stored all the same. */
  cutWritesStored: number;
  /** Server processes that exited while the chaos was not stopping or killing them. */
  unaskedExits: number;
  /** Exits the chaos caused (its SIGKILLs, its stops for upgrades). */
  askedExits: number;
  readyz: ReadyzFigures;
  integrityCheck: string;
  examples: string[];
}

const NAMESPACE = 'soak';
/** The collection only the newest minors serve: the probe for false 404s. */
const PROBE = NEWEST_API.path;
/** Keep-alive clients the traffic spreads over, so that the front door spreads it over the servers. */
const CLIENTS = 8;

/** The probe's group/version/resource, as servedBy names it. */
const PROBE_GVR = NEWEST_API.gvr;
/** Large objects of the probe's collection, so that a proxied list is long enough to be cut mid-body or read slowly. */
const BULK_OBJECTS = 20;
const BULK_FILLER = 10_000;
/** After a struck server is back, /readyz probes still belong to its restart this long. */
const READYZ_MARGIN_MS = 1000;

/** How long a fresh cluster may take until every server's Mixed Version Proxy knows its peers. */
const SETTLE_TIMEOUT_MS = 60_000;

/**
 * Resolves once every server answers `path` with a 200, itself or through a peer. A server is ready
 * before its proxy has read its peers' discovery (upstream's proxy, too, answers a local 404 until
 * its first peer sync), so a run that began at once would count a cold start, not the faults.
 */
async function untilEveryServerServes(cluster: Cluster, tls: ClientTLS, path: string): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (const name of cluster.specs.keys()) {
    const client = new ApiClient(cluster.server(name).info!.url, tls);
    try {
      for (;;) {
        const status = await client.call('GET', `${path}?limit=1`).then((r) => r.status, () => 0);
        if (status === 200) break;
        if (Date.now() > deadline) throw new Error(`server ${name} still answers ${status || 'nothing'} for ${path} ${SETTLE_TIMEOUT_MS / 1000} s after the cluster started`);
        await sleep(100);
      }
    } finally {
      client.close();
    }
  }
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const progress = opts.progress ?? (() => undefined);
  const dataDir = await mkdtemp(join(tmpdir(), 'kube-skew-soak-'));
  const servers = opts.minors.map((minor, i) => ({ name: String.fromCharCode(97 + i), minor }));
  const newest = [...opts.minors].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).at(-1)!;
  progress(`starting ${servers.map((s) => `${s.name}=${s.minor}`).join(', ')}${opts.mvp ? '' : ' without the Mixed Version Proxy'}`);
  const cluster = await Cluster.start({ dataDir, servers, mvp: opts.mvp, seed: opts.seed, logLevel: 'error' });
  const ctx: RunContext = {
    cluster,
    store: openSqliteStore(cluster.storagePath, { now: () => cluster.clock.now().getTime(), fileEvents: false }),
    random: seededRandom(opts.seed),
    paused: new Set(),
    readySince: new Map(servers.map((s) => [s.name, Date.now()])),
    backgroundLoads: new Map(),
    vars: new Map(),
  };
  const tls = { ca: cluster.pki.ca.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key };
  const clients = Array.from({ length: CLIENTS }, () => new ApiClient(cluster.frontDoorURL, tls, { [TRACE_HEADER]: '1' }));
  let nextClient = 0;
  const anyClient = (): ApiClient => clients[(nextClient = (nextClient + 1) % clients.length)]!;
  const watchers: WatchStream[] = [];
  let chaos: Chaos | undefined;
  let t0 = Date.now();
  // From the start, every server process is followed to its end: only the chaos may end one.
  const exits = new ExitWatch(cluster, () => t0, (server, at) => chaos?.struck(server, at, at) ?? false);
  let misbehaving: Misbehaving | undefined;
  let probers: ReadyzProbers | undefined;
  /** The URL of a server that serves the probe itself (the newest minor), for set-up and checks. */
  const newestURL = (): string => cluster.server(servers.find((s) => s.minor === newest)!.name).info!.url;
  try {
    await clients[0]!.expect(201, 'POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } });
    const collection = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
    for (let i = 0; i < opts.watchers; i++) {
      const w = new WatchStream(() => new ApiClient(cluster.frontDoorURL, tls), collection);
      await w.start();
      watchers.push(w);
    }
    if (opts.mvp) {
      progress('waiting until every server serves the probe, directly or through a peer');
      await untilEveryServerServes(cluster, tls, PROBE);
      for (const name of cluster.specs.keys()) ctx.readySince.set(name, Date.now());
    }
    const newestClient = new ApiClient(newestURL(), tls);
    try {
      for (let i = 0; i < BULK_OBJECTS; i++) await newestClient.expect(201, 'POST', PROBE, newestApiObject(`bulk-${i}`, BULK_FILLER));
    } finally {
      newestClient.close();
    }
    const servingNow = (path: string, at: number): string[] => servingAt(ctx, path, at);
    const describe = (server: string | undefined, at: number): string => {
      const since = server ? ctx.readySince.get(server) : undefined;
      return `${server ?? 'unknown server'}${since !== undefined ? ` (ready ${((at - since) / 1000).toFixed(1)} s before)` : ''} at +${((at - t0) / 1000).toFixed(1)} s`;
    };
    const traffic = new Traffic({ clients, random: seededRandom(opts.seed + 1), rate: opts.rate, namespace: NAMESPACE, probe: PROBE, servingNow, describe });
    chaos = new Chaos(ctx, { durationMs: opts.durationSeconds * 1000, killEveryMs: opts.killEverySeconds * 1000, pauseMs: 5000, graceMs: opts.graceSeconds * 1000, upgradeTo: newest }, progress);

    const struck = chaos;
    const servesProbe = new Map<string, boolean>();
    const proxying = (): string[] =>
      [...cluster.specs.entries()]
        .filter(([name, spec]) => {
          if (!servesProbe.has(spec.minor)) servesProbe.set(spec.minor, servedBy(ctx, name).has(PROBE_GVR));
          return !servesProbe.get(spec.minor) && isLive(ctx, name) && cluster.servers.get(name)?.ready;
        })
        .map(([name]) => cluster.server(name).info!.url);
    misbehaving = new Misbehaving({ frontDoor: cluster.frontDoorURL, proxying, tls, random: seededRandom(opts.seed + 2), rate: opts.cutRate, collection: PROBE, object: (name) => Buffer.from(JSON.stringify(newestApiObject(name, BULK_FILLER))) });

    t0 = Date.now();
    progress(`traffic at ${opts.rate} requests/s, ${opts.watchers} watches, ${opts.cutRate} cut requests/s with slow readers and connection storms, for ${opts.durationSeconds} s`);
    probers = new ReadyzProbers(cluster, tls, seededRandom(opts.seed + 3), () => t0, (server, from, to) => struck.struck(server, from, to, READYZ_MARGIN_MS) || struck.restarting(from, to, READYZ_MARGIN_MS), opts.readyzBoundMs);
    traffic.start();
    misbehaving.start();
    chaos.start(t0);
    const ticker = setInterval(() => progress(`${Math.round((Date.now() - t0) / 1000)} s: ${traffic.stats.requests} requests, ${traffic.stats.failures.length} 5xx/errors, ${traffic.stats.falseNotFound} false 404s`), 15_000);
    await sleep(opts.durationSeconds * 1000);
    await chaos.finished();
    clearInterval(ticker);
    await Promise.all([traffic.stop(), misbehaving.stop(), probers.stop()]);
    const elapsedSeconds = (Date.now() - t0) / 1000;

    // Bring every server back, let the watches catch up, then check.
    for (const name of cluster.specs.keys()) {
      if (ctx.paused.has(name)) await runServerStep(ctx, { resume: { server: name } });
      if (!cluster.servers.get(name)?.alive) await runServerStep(ctx, { start: { server: name } });
    }
    progress('traffic stopped; reading every acknowledged write back');
    const ledger = await auditLedger(traffic, anyClient, collection);
    const direct = new ApiClient(newestURL(), tls);
    const cutWritesStored = await countCutWrites(() => direct).finally(() => direct.close());
    await sleep(3000);
    for (const w of watchers) await w.stop();
    exits.stop();
    await cluster.stop();
    await ctx.store.close();

    const db = new Database(cluster.storagePath, { readonly: true });
    let watch;
    let integrityCheck: string;
    try {
      const revs = db.prepare<[number, number], number>("SELECT rev FROM log WHERE key LIKE '/registry/configmaps/" + NAMESPACE + "/%' AND rev > ? AND rev <= ? ORDER BY rev").pluck();
      const audits = watchers.map((w) => auditSpans(w.spans, (from, to) => revs.all(from, to)));
      watch = {
        streams: watchers.length,
        reconnects: sum(watchers.map((w) => w.reconnects)),
        relists: sum(watchers.map((w) => w.expired)),
        expected: sum(audits.map((a) => a.expected)),
        missed: sum(audits.map((a) => a.missed)),
        duplicated: sum(audits.map((a) => a.duplicated)),
        outOfOrder: sum(audits.map((a) => a.outOfOrder)),
      };
      integrityCheck = (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
    } finally {
      db.close();
    }
    return {
      machine: await machineInfo(),
      settings: { durationSeconds: opts.durationSeconds, rate: opts.rate, minors: opts.minors, killEverySeconds: opts.killEverySeconds, watchers: opts.watchers, cutRate: opts.cutRate, seed: opts.seed, mvp: opts.mvp, graceSeconds: opts.graceSeconds, readyzBoundMs: opts.readyzBoundMs ?? READYZ_BOUND_MS },
      elapsedSeconds,
      requests: traffic.stats.requests,
      requestsPerSecond: traffic.stats.requests / elapsedSeconds,
      outcomes: traffic.stats.outcomes,
      shed: traffic.stats.shed,
      falseNotFound: traffic.stats.falseNotFound,
      ...ledger,
      watch,
      ...failureFigures(traffic.stats, chaos),
      faults: chaos.windows,
      misbehaving: misbehaving.stats,
      cutWritesStored,
      unaskedExits: exits.unasked.length,
      askedExits: exits.asked,
      readyz: probers.figures,
      integrityCheck,
      examples: [...exits.unasked.map(describeExit), ...probers.figures.examples, ...traffic.stats.examples, ...chaos.log.filter((l) => l.includes('failed'))],
    };
  } finally {
    exits.stop();
    await chaos?.stop();
    await misbehaving?.stop();
    await probers?.stop();
    for (const w of watchers) await w.stop().catch(() => undefined);
    for (const c of clients) c.close();
    await cluster.stop().catch(() => undefined);
    await ctx.store.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Reads back every object whose last write was acknowledged: present ones with their last value, deleted ones gone. */
async function auditLedger(traffic: Traffic, client: () => ApiClient, collection: string): Promise<{ acknowledgedWrites: number; lostWrites: number; uncertainObjects: number }> {
  let acknowledgedWrites = 0;
  let lostWrites = 0;
  let uncertainObjects = 0;
  for (const [name, entry] of traffic.ledger) {
    if (entry.state === 'uncertain') {
      uncertainObjects++;
      continue;
    }
    acknowledgedWrites++;
    const res = await readBack(client, `${collection}/${name}`);
    const value = res.status === 200 ? (JSON.parse(res.body) as { data?: { value?: string } }).data?.value : undefined;
    const ok = entry.state === 'absent' ? res.status === 404 : res.status === 200 && value === String(entry.value);
    if (!ok) {
      lostWrites++;
      if (traffic.stats.examples.length < 10) traffic.stats.examples.push(`${name}: acknowledged as ${entry.state === 'absent' ? 'deleted' : `value ${entry.value}`}, read back ${res.status}${value !== undefined ? ` value ${value}` : ''}`);
    }
  }
  return { acknowledgedWrites, lostWrites, uncertainObjects };
}

/** How many of the creates the misbehaving clients cut short in the middle of their body were stored (none may be). */
async function countCutWrites(client: () => ApiClient): Promise<number> {
  const res = await readBack(client, PROBE);
  if (res.status !== 200) throw new Error(`GET ${PROBE}: ${res.status} ${res.body.slice(0, 200)}`);
  const list = JSON.parse(res.body) as { items: Array<{ metadata: { name: string } }> };
  return list.items.filter((i) => i.metadata.name.startsWith(CUT_PREFIX)).length;
}

/** A GET that retries transport failures and 5xx for a while (a server may still be starting). */
async function readBack(client: () => ApiClient, path: string): Promise<{ status: number; body: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await client().call('GET', path);
      if (res.status < 500 || attempt >= 20) return res;
    } catch (err) {
      if (attempt >= 20) throw err;
    }
    await sleep(250);
  }
}

function failureFigures(stats: TrafficStats, chaos: Chaos): Pick<SoakReport, 'fiveXX' | 'transportErrors'> {
  const out = { fiveXX: { total: 0, outsideFaultWindows: 0 }, transportErrors: { total: 0, outsideFaultWindows: 0 } };
  for (const f of stats.failures) {
    const bucket = f.status === 'error' ? out.transportErrors : out.fiveXX;
    bucket.total++;
    if (!chaos.inWindow(f.from, f.to)) {
      bucket.outsideFaultWindows++;
      if (stats.examples.length < 10) stats.examples.push(`${f.op} ${f.status} outside any fault window at +${f.from}`);
    }
  }
  return out;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
