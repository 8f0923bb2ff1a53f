/**
 * The fuzz loop against one running server: cases from the seeded generators, sent in batches over
 * a fixed number of connections; every answer judged; after each batch the store compared with the
 * one before it. A transport failure while the server process is gone is a crash and ends the run.
 */
import { CATEGORIES, FUZZ_NAMESPACE, isWrite, type Category, type FuzzCase } from './case.js';
import { cleanUp, seed, untilProxied } from './fixture.js';
import { nextCase } from './generators/index.js';
import type { ParsedResponse } from './http-parse.js';
import type { FuzzReport, Finding } from './report.js';
import { Rng } from './rng.js';
import { keyName, keyNamespace, StoreProbe } from './store-probe.js';
import { Transport, type ClientTLS, type Outcome } from './transport.js';
import { judge, PLAIN_TEXT_CASES, UPSTREAM_500S, upstreamInternalError, type PlainTextCase, type Upstream500 } from './verdict.js';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** `https://127.0.0.1:<port>` of the server under test. */
  url: string;
  /** The admin's client TLS material. */
  tls: ClientTLS;
  /** The server's SQLite file, read read-only between batches. */
  storagePath: string;
  /** Whether every server process still runs; one that exited is a crash. */
  isAlive: () => boolean;
  /** Which server exited and the error it wrote, for the crash's finding. */
  whyExited?: () => string;
  /** A server of an older minor that must proxy the newest API to `url`: cut cases marked `proxied` go there. */
  proxying?: { url: string; minor: string };
  /** The minor of the server, for the report. */
  minor: string;
  requests: number;
  seed: number;
  /** Concurrent requests (default 8). */
  connections?: number;
  /** Requests between two store comparisons (default 500). */
  batchSize?: number;
  /** How long a request may go unanswered before it counts as a hang (default 20 s). */
  timeoutMs?: number;
  /** Findings kept per kind (default 5). */
  samplesPerKind?: number;
  progress?: (line: string) => void;
}

/** The request of a case, trimmed for a finding. */
function describe(c: FuzzCase): string {
  const text = c.raw ? c.raw.toString('latin1') : `${c.method} ${c.path}${Object.keys(c.headers).length ? ` ${JSON.stringify(c.headers)}` : ''}${c.body ? ` body=${c.body.toString('latin1')}` : ''}`;
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

/** The parts of a JSON answer the engine reads. */
interface Answer {
  kind?: string;
  metadata?: { name?: string };
  items?: Array<{ metadata?: { name?: string } }>;
  details?: { name?: string };
}

function parsed(body: Buffer): Answer | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as Answer) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A write upstream carries out before it fails: the output transform to PartialObjectMetadataList
 * runs on the written object and refuses a single object with a 406, after the write.
 */
function writtenDespiteError(c: FuzzCase, r: ParsedResponse): boolean {
  if (r.status !== 406 || !isWrite(c.method)) return false;
  return /^you requested PartialObjectMetadataList, but the requested object is not a list/.test(String((parsed(r.body) as { message?: unknown } | undefined)?.message ?? ''));
}

/** The object name a write's body or path gives. */
function requestNames(c: FuzzCase): string[] {
  const fromBody = c.raw ? undefined : parsed(c.body ?? Buffer.alloc(0))?.metadata?.name;
  const fromPath = c.path.split('?')[0]!.split('/').pop();
  return [fromBody, fromPath].filter((n): n is string => typeof n === 'string' && n !== '');
}

/** The object names an answer names (an object, a list's items, a Status's details). */
function namesIn(answer: Answer | undefined): string[] {
  if (!answer) return [];
  const names = [answer.metadata?.name, answer.details?.name, ...(answer.items ?? []).map((i) => i.metadata?.name)];
  return names.filter((n): n is string => typeof n === 'string' && n !== '');
}

/** Runs the fuzz loop and returns its report. The caller owns the server. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const connections = opts.connections ?? 8;
  const batchSize = opts.batchSize ?? 500;
  const samples = opts.samplesPerKind ?? 5;
  const progress = opts.progress ?? (() => undefined);
  const rng = new Rng(opts.seed);
  const transport = new Transport(opts.url, opts.tls, connections, opts.timeoutMs ?? 20_000, opts.proxying?.url);
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, { requests: 0, classes: {} as Record<string, number> }])) as FuzzReport['byCategory'];
  const report: FuzzReport = {
    settings: { requests: opts.requests, seed: opts.seed, connections, minor: opts.minor, ...(opts.proxying ? { proxyingMinor: opts.proxying.minor } : {}) },
    sent: 0,
    durationSeconds: 0,
    requestsPerSecond: 0,
    byCategory,
    byClass: {},
    crashes: 0,
    hangs: 0,
    noAnswer: 0,
    nonStatusErrors: 0,
    internalErrors: 0,
    storeChanges: 0,
    plainText: Object.fromEntries(Object.keys(PLAIN_TEXT_CASES).map((k) => [k, 0])) as Record<PlainTextCase, number>,
    upstream500s: Object.fromEntries(Object.keys(UPSTREAM_500S).map((k) => [k, 0])) as Record<Upstream500, number>,
    acceptedWrites: 0,
    explainedChanges: { byWrites: 0, byControllers: 0 },
    storeChecks: 0,
    notSent: 0,
    cuts: { sent: 0, proxied: 0, cut: 0, answeredFirst: 0, failed: 0 },
    healthyAfter: false,
    findings: [],
  };
  const found = new Map<string, number>();
  const addFinding = (f: Finding): void => {
    const n = found.get(f.kind) ?? 0;
    found.set(f.kind, n + 1);
    if (n < samples) {
      report.findings.push(f);
      progress(`${f.kind} [${f.category}/${f.variant}] ${f.detail.slice(0, 300)} ← ${f.request.slice(0, 200)}`);
    }
  };
  const count = (category: Category, cls: string): void => {
    byCategory[category].classes[cls] = (byCategory[category].classes[cls] ?? 0) + 1;
    report.byClass[cls] = (report.byClass[cls] ?? 0) + 1;
  };

  await seed(transport);
  if (opts.proxying) await untilProxied(new Transport(opts.proxying.url, opts.tls, 1));
  const probe = new StoreProbe(opts.storagePath);
  /** Names of every object an accepted create made, over the whole run (controllers and cleanup act on them later). */
  const created = new Set<string>();
  /** Namespaces accepted creates made, for the cleanup. */
  const namespaces = new Set<string>();
  let crashed = false;
  /** A server process is gone: a crash, named after the last case that ended before it was seen. */
  const exited = (c: FuzzCase | undefined): void => {
    crashed = true;
    report.crashes++;
    addFinding({ kind: 'crash', category: c?.category ?? 'store', variant: c?.variant ?? 'after the run', request: c ? describe(c) : '', detail: `server exited${opts.whyExited ? `: ${opts.whyExited()}` : ''} (seen after this case ended)` });
  };
  const started = process.hrtime.bigint();
  try {
    let sent = 0;
    while (sent < opts.requests && !crashed) {
      const batchLength = Math.min(batchSize, opts.requests - sent);
      /** Accepted writes of this batch, by object name. */
      const budget = new Map<string, number>();
      /** Rejected writes of this batch, by the names they carried, for findings. */
      const rejected: FuzzCase[] = [];
      const record = (c: FuzzCase, outcome: Outcome): void => {
        byCategory[c.category].requests++;
        report.sent++;
        switch (outcome.kind) {
          case 'not-sent':
            report.notSent++;
            count(c.category, 'none');
            addFinding({ kind: 'not-sent', category: c.category, variant: c.variant, request: describe(c), detail: outcome.error });
            return;
          case 'timeout':
            report.hangs++;
            count(c.category, 'none');
            addFinding({ kind: 'hang', category: c.category, variant: c.variant, request: describe(c), detail: 'no answer in time' });
            return;
          case 'no-answer':
            count(c.category, 'none');
            if (!opts.isAlive()) {
              crashed = true;
              report.crashes++;
              addFinding({ kind: 'crash', category: c.category, variant: c.variant, request: describe(c), detail: outcome.error });
            } else {
              report.noAnswer++;
              addFinding({ kind: 'no-answer', category: c.category, variant: c.variant, request: describe(c), detail: outcome.error });
            }
            return;
          case 'cut':
            count(c.category, 'cut');
            report.cuts.sent++;
            if (c.proxied && opts.proxying) report.cuts.proxied++;
            report.cuts[outcome.result === 'cut' ? 'cut' : outcome.result === 'answered-first' ? 'answeredFirst' : 'failed']++;
            return;
          case 'answered':
            break;
        }
        const first = outcome.responses[0]!;
        count(c.category, `${Math.floor(first.status / 100)}xx`);
        outcome.responses.forEach((r: ParsedResponse, i: number) => {
          const method = i === 0 ? c.method : 'GET';
          const v = judge(r, method);
          if (v.plainText) report.plainText[v.plainText]++;
          const detail = `${r.status} ${r.headers['content-type'] ?? ''} ${JSON.stringify(r.body.subarray(0, 300).toString('utf8'))}`;
          if (v.nonStatusError) {
            report.nonStatusErrors++;
            addFinding({ kind: 'non-status-error', category: c.category, variant: c.variant, request: describe(c), detail });
          }
          if (r.status === 500) {
            const upstream = upstreamInternalError(r);
            if (upstream) report.upstream500s[upstream]++;
            else {
              report.internalErrors++;
              addFinding({ kind: 'internal-error', category: c.category, variant: c.variant, request: describe(c), detail });
            }
          }
          if (i === 0 && writtenDespiteError(c, r)) {
            report.acceptedWrites++;
            const name = parsed(c.body ?? Buffer.alloc(0))?.metadata?.name;
            if (name) {
              budget.set(name, (budget.get(name) ?? 0) + 1);
              // Controllers act on it as on any created object (a Deployment's status, its ReplicaSet).
              if (c.method === 'POST') created.add(name);
            }
          }
          if (r.status >= 200 && r.status < 300 && isWrite(method)) {
            report.acceptedWrites++;
            const answer = parsed(r.body);
            // The names the answer gives, or (a protobuf or Table answer) the one the request gave.
            const names = new Set([...namesIn(answer), ...requestNames(c)]);
            for (const name of names) budget.set(name, (budget.get(name) ?? 0) + 1);
            if (method === 'POST') {
              // The answer may not name it (a protobuf or Table answer): the request's name counts too.
              for (const name of names) if (name !== c.path.split('?')[0]!.split('/').pop()) created.add(name);
              if (answer?.metadata?.name) created.add(answer.metadata.name);
              if (answer?.kind === 'Namespace' && answer.metadata?.name) namespaces.add(answer.metadata.name);
              else if (c.path.split('?')[0] === '/api/v1/namespaces') for (const name of requestNames(c)) if (name !== 'namespaces') namespaces.add(name);
            }
          }
        });
        if (first.status >= 300 && isWrite(c.method)) rejected.push(c);
      };
      let next = 0;
      const worker = async (): Promise<void> => {
        // Cases are drawn one at a time as workers free up (in one fixed order, so a seed still names
        // one sequence): drawing a whole batch up front would stall every connection meanwhile.
        while (next < batchLength && !crashed) {
          next++;
          const c = nextCase(rng);
          record(c, await transport.send(c));
          if (!crashed && !opts.isAlive()) exited(c);
        }
      };
      await Promise.all(Array.from({ length: connections }, worker));
      sent += batchLength;

      // Compare the store with the previous batch's.
      if (!crashed) {
        const delta = probe.delta();
        report.storeChecks++;
        for (const row of delta.rows) {
          const name = keyName(row.key);
          const left = budget.get(name) ?? 0;
          if (left > 0) {
            budget.set(name, left - 1);
            report.explainedChanges.byWrites++;
          } else if (created.has(name) || [...created].some((n) => name.startsWith(`${n}-`)) || created.has(keyNamespace(row.key) ?? '')) {
            // Controllers acting on what an accepted create made: the garbage collector removing an
            // object whose owner does not exist, the deployment controller creating and updating a
            // ReplicaSet, the namespace controller finalizing a namespace the cleanup deleted, the
            // root CA publisher and the serviceaccount controller filling a namespace it created.
            report.explainedChanges.byControllers++;
          } else {
            report.storeChanges++;
            const suspects = rejected.filter((c) => c.path.includes(name) || c.body?.includes(name)).slice(0, 3);
            addFinding({ kind: 'store-change', category: 'store', variant: row.type, request: suspects.map(describe).join(' | ') || '(no rejected write names it)', detail: `${row.type} ${row.key} at revision ${row.rev}` });
          }
        }
        if (delta.unloggedChange) {
          report.storeChanges++;
          addFinding({ kind: 'store-change', category: 'store', variant: 'unlogged', request: '', detail: 'the current table changed without a log row' });
        }
        // Remove what the batch's accepted writes created, outside any batch, and forget those changes.
        await cleanUp(transport, namespaces);
        namespaces.clear();
        probe.delta();
      }
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      progress(`${sent.toLocaleString('en-US')}/${opts.requests.toLocaleString('en-US')} requests, ${Math.round(sent / elapsed)} req/s, defects so far: ${report.crashes + report.hangs + report.noAnswer + report.nonStatusErrors + report.internalErrors + report.storeChanges}`);
    }
    // A server that dies of the last cases dies within moments.
    await new Promise((r) => setTimeout(r, 500));
    if (!crashed && !opts.isAlive()) exited(undefined);
    report.durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    report.requestsPerSecond = report.sent / report.durationSeconds;
    if (!crashed) {
      const after = await transport.send({ category: 'paths', variant: 'health', method: 'GET', path: `/api/v1/namespaces/${FUZZ_NAMESPACE}`, headers: {} });
      report.healthyAfter = after.kind === 'answered' && after.responses[0]!.status === 200 && namesIn(parsed(after.responses[0]!.body)).includes(FUZZ_NAMESPACE);
    }
  } finally {
    probe.close();
    transport.close();
  }
  return report;
}
