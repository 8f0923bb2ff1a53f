/**
 * Clients that go away in the middle of a proxied request must never take the proxying server down
 * or leave the hop open. A 1.35 server `a` proxies the 1.36-only MutatingAdmissionPolicies to `b`;
 * clients of `a` cancel at every point: while `a` waits for `b` (storms of concurrent GETs destroyed
 * 1–8 ms after they were sent, and others while a slow hop holds them at `a`), after the headers of a
 * proxied create before its body, in the middle of the body, in the middle of a proxied watch, and
 * while not reading a large proxied list. After each, `a` is alive, ready, still proxies, and `b`
 * holds no watch the client left.
 */
import t, { type Test } from 'tap';
import { request } from 'node:https';
import type { ClientRequest } from 'node:http';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { alive } from '../fixtures/cli.js';
import { faultKey } from '../../server/peers/faults.js';
import { MAP_PATH, metricsOf, metricSum, mutatingAdmissionPolicy, poll } from './helpers.js';
import type { Cluster } from '../../server/cluster/cluster.js';

/** Send a request to `url` as the admin; `onRequest` writes it and decides when to cancel it. */
function send(cluster: Cluster, url: string, method: string, path: string, headers: Record<string, string>, onRequest: (req: ClientRequest) => void): Promise<void> {
  const tls = cluster.tls;
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, { method, headers: { accept: 'application/json', ...headers }, ca: tls.ca, cert: tls.cert, key: tls.key }, (res) => {
      res.resume();
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    onRequest(req);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Watches b serves (its gauge has only the verb): its own controllers' and those proxied from a. */
const WATCHES_AT_B = { verb: 'WATCH' };

t.test('cancelled proxied requests', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35' },
    { name: 'b', minor: '1.36' },
  ]);
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');
  const pidA = cluster.server('a').info!.pid;
  const proxying = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 30_000);
  t.ok(proxying.ok, 'a proxies to b');
  const stillServing = async (t: Test, what: string): Promise<void> => {
    t.ok(alive(pidA), `a is alive after ${what}`);
    const ready = await api(cluster, a, 'GET', '/readyz');
    t.equal(ready.status, 200, `a is ready after ${what}`);
    const res = await api(cluster, a, 'GET', `${MAP_PATH}?limit=1`);
    t.equal(res.status, 200, `a still proxies after ${what}`);
  };

  t.test('storms of GETs destroyed while a waits for b', async (t) => {
    for (let round = 0; round < 40; round++) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          send(cluster, a, 'GET', MAP_PATH, {}, (req) => {
            req.end();
            setTimeout(() => req.destroy(), 1 + Math.floor(Math.random() * 8));
          }),
        ),
      );
    }
    await stillServing(t, '800 cancelled GETs');
  });

  t.test('GETs destroyed while a waits out a slow hop to b', async (t) => {
    // 300 ms of latency on the hop: every request below is still waiting at a when its client leaves.
    const store = cluster.openStore(Date.now);
    const key = faultKey(cluster.server('a').info!.id, `127.0.0.1:${cluster.server('b').info!.port}`);
    await store.setTtl(key, { kind: 'latency', delayMs: 300 }, 3600);
    t.teardown(async () => {
      await store.deleteTtl(key);
      await store.close();
    });
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          send(cluster, a, 'GET', MAP_PATH, {}, (req) => {
            req.end();
            req.on('finish', () => setTimeout(() => req.destroy(), 30 + Math.floor(Math.random() * 100)));
          }),
        ),
      );
    }
    await store.deleteTtl(key);
    await stillServing(t, '100 GETs cancelled over a slow hop');
  });

  t.test('a create cancelled after its headers, and in the middle of its body', async (t) => {
    const body = JSON.stringify(mutatingAdmissionPolicy('cut-short'));
    for (let i = 0; i < 20; i++) {
      const half = i % 2 === 1;
      await send(cluster, a, 'POST', MAP_PATH, { 'content-type': 'application/json', 'content-length': String(body.length) }, (req) => {
        req.flushHeaders();
        if (half) req.write(body.slice(0, body.length >> 1));
        setTimeout(() => req.destroy(), 20 + i * 5);
      });
    }
    await stillServing(t, 'cut-short creates');
    const created = await api(cluster, b, 'GET', `${MAP_PATH}/cut-short`);
    t.equal(created.status, 404, 'no half-sent create was stored');
  });

  t.test('proxied watches cancelled mid-stream are closed at b', async (t) => {
    const open = async (): Promise<number> => metricSum(await metricsOf(cluster, b), 'apiserver_longrunning_requests', WATCHES_AT_B);
    // Each watch from resourceVersion 0 starts with this object's ADDED event: the client leaves mid-stream.
    t.equal((await api(cluster, a, 'POST', MAP_PATH, { body: mutatingAdmissionPolicy('watched') })).status, 201);
    const before = await open();
    const watches: ClientRequest[] = [];
    const streaming: Promise<void>[] = [];
    const closed = Array.from({ length: 10 }, () =>
      send(cluster, a, 'GET', `${MAP_PATH}?watch=true&resourceVersion=0`, {}, (req) => {
        watches.push(req);
        streaming.push(new Promise((resolve) => req.on('response', (res) => res.once('data', () => resolve()))));
        req.end();
      }),
    );
    await Promise.all(streaming);
    const during = await poll(open, (n) => n >= before + 10, 20_000);
    t.ok(during.ok, `b serves the 10 proxied watches (${during.value} open, ${before} before)`);
    watches.forEach((req, i) => setTimeout(() => req.destroy(), i * 10));
    await Promise.all(closed);
    const drained = await poll(open, (n) => n <= before, 20_000);
    t.ok(drained.ok, `b's proxied watches end when their clients leave (${drained.value} open, ${before} before)`);
    await stillServing(t, 'cancelled watches');
  });

  t.test('slow readers of a large proxied list that give up', async (t) => {
    // A list large enough that a client that does not read holds the hop's back-pressure.
    for (let i = 0; i < 40; i++) {
      const big = mutatingAdmissionPolicy(`big-${i}`) as { metadata: { annotations?: Record<string, string> } };
      big.metadata.annotations = { filler: 'x'.repeat(20_000) };
      t.equal((await api(cluster, a, 'POST', MAP_PATH, { body: big })).status, 201, `big-${i} created through a`);
    }
    await Promise.all(
      Array.from({ length: 10 }, () =>
        send(cluster, a, 'GET', MAP_PATH, {}, (req) => {
          req.end();
          req.on('response', (res) => {
            res.pause();
            setTimeout(() => req.destroy(), 300);
          });
        }),
      ),
    );
    await sleep(100);
    await stillServing(t, 'slow readers');
  });
});
