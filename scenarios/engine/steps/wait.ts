/** The wait step: a time, a server ready, a request whose expectations hold, a lease gone. */
import { setTimeout as sleep } from 'node:timers/promises';
import { probe } from '../../../server/cluster/server-process.js';
import { PEER_LEASE_PREFIX } from '../../../server/peers/endpoint-lease.js';
import { storagePrefixOf } from '../../../server/registry/resource-type.js';
import type { WaitStep } from '../format.js';
import { parseDuration } from '../format.js';
import type { RunContext } from '../context.js';
import { send } from '../http.js';
import { observedOf, requestFailures } from './request.js';
import { applyCaptures } from '../vars.js';
import { outcome, passed, type Observed, type StepOutcome } from './outcome.js';

/** How often a wait looks again. */
export const POLL_MS = 100;
/** How long a wait lasts without a timeout. */
export const DEFAULT_TIMEOUT = '30s';

function identity(ctx: RunContext, server: string): string {
  const id = ctx.cluster.servers.get(server)?.info?.id;
  if (!id) throw new Error(`server ${server} has never started, so it has no identity`);
  return id;
}

/** Run a wait step. */
export async function runWait(ctx: RunContext, step: WaitStep): Promise<StepOutcome> {
  if (step.duration) {
    await sleep(parseDuration(step.duration));
    return passed();
  }
  const deadline = Date.now() + parseDuration(step.timeout ?? DEFAULT_TIMEOUT);
  let last: { failures: string[]; observed?: Observed } = { failures: ['the condition was never checked'] };
  const check = async (): Promise<boolean> => {
    if (step.ready) {
      const info = ctx.cluster.servers.get(step.ready)?.info;
      const res = info ? await probe(`${info.url}/readyz`, ctx.cluster.tls).catch(() => undefined) : undefined;
      last = { failures: [`server ${step.ready} is not ready (readyz ${res?.status ?? 'unreachable'})`] };
      return res?.status === 200;
    }
    if (step.request) {
      const req = step.request;
      const res = await send(ctx, req.via, req.method ?? 'GET', req.path, req.body, req.headers ?? {}, { timeoutMs: 10_000 }).catch((err: Error) => err);
      if (res instanceof Error) {
        last = { failures: [`no answer: ${res.message}`] };
        return false;
      }
      last = { failures: requestFailures(req, res), observed: observedOf(res) };
      if (last.failures.length === 0) last.failures.push(...applyCaptures(req.capture, res.json, ctx.vars));
      return last.failures.length === 0;
    }
    if (step.leaseGone) {
      const id = identity(ctx, step.leaseGone);
      const present = await ctx.store.get(`${storagePrefixOf('coordination.k8s.io', 'leases')}kube-system/${id}`);
      last = { failures: [`the identity lease ${id} of ${step.leaseGone} still exists`] };
      return present === undefined;
    }
    if (step.endpointGone) {
      const id = identity(ctx, step.endpointGone);
      const present = await ctx.store.getTtl(`${PEER_LEASE_PREFIX}${id}`);
      last = { failures: [`the peer endpoint lease of ${step.endpointGone} has not expired`] };
      return present === undefined;
    }
    throw new Error('not a wait step');
  };
  const started = Date.now();
  for (;;) {
    if (await check()) return passed(`after ${Date.now() - started} ms`);
    if (Date.now() > deadline) return outcome([`timed out after ${step.timeout ?? DEFAULT_TIMEOUT}: ${last.failures.join('; ')}`], last.observed);
    await sleep(POLL_MS);
  }
}
