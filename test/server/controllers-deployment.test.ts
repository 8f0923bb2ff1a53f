/**
 * The deployment status controller when a Deployment's template changes before its rollout has
 * finished, and the work queue that keeps any controller from spinning. Unit tests of the status
 * it computes and of the queue's rate limiting, then a real server: a Deployment created and edited
 * at once finishes its rollout on the newest template while `/readyz` keeps answering quickly.
 */
import t from 'tap';
import { pino } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeploymentController, podTemplateHash } from '../../server/controllers/deployment.js';
import { runWorkers, WorkQueue } from '../../server/controllers/workqueue.js';
import { scaledClock, type Clock } from '../../server/clock.js';
import type { ApiClient, ApiObject } from '../../server/controllers/client.js';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';

/** A clock that moves only when told to. */
function manualClock(start = Date.parse('2026-01-01T00:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start;
  const timers: Array<{ due: number; fn: () => void; cancelled: boolean }> = [];
  return {
    now: () => new Date(now),
    setTimeout(fn, ms) {
      const timer = { due: now + ms, fn, cancelled: false };
      timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
    setInterval() {
      throw new Error('not used');
    },
    advance(ms) {
      now += ms;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.due <= now) timer.fn();
        else timers.push(timer);
      }
    },
  };
}

function deployment(image: string, generation: number, status: unknown, minReadySeconds?: number): ApiObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', generation },
    spec: { replicas: 2, ...(minReadySeconds ? { minReadySeconds } : {}), template: { spec: { containers: [{ name: 'c', image }] } } },
    status,
  } as ApiObject;
}

const rsOf = (image: string): string => `web-${podTemplateHash({ spec: { containers: [{ name: 'c', image }] } })}`;
const progressingOf = (status: { conditions?: Array<{ type: string }> }) => status.conditions?.find((c) => c.type === 'Progressing') as Record<string, string> | undefined;

t.test('a template changed before the rollout finished rolls out the newest ReplicaSet', async (t) => {
  const clock = manualClock();
  const controller = new DeploymentController({ client: {} as ApiClient, clock, log: pino({ level: 'silent' }) });
  const first = controller.computeStatus(deployment('nginx:1', 1, {}));
  t.match(progressingOf(first.status), { reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsOf('nginx:1')}"` });
  clock.advance(1000);

  const edited = controller.computeStatus(deployment('nginx:2', 2, first.status));
  const progressing = progressingOf(edited.status)!;
  t.match(progressing, { status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsOf('nginx:2')}" is progressing.` }, 'the progress check names the newest ReplicaSet');
  t.equal(progressing.lastTransitionTime, progressingOf(first.status)!.lastTransitionTime, 'lastTransitionTime is kept while the condition stays True');
  t.not(progressing.lastUpdateTime, progressingOf(first.status)!.lastUpdateTime, 'lastUpdateTime moves');
  t.equal(edited.status.observedGeneration, 2);
  t.equal(edited.retryAfterMs, 0);

  const done = controller.computeStatus(deployment('nginx:2', 2, edited.status));
  t.match(progressingOf(done.status), { reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsOf('nginx:2')}" has successfully progressed.` });
  t.match(done.status, { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
  t.equal(done.retryAfterMs, undefined, 'nothing more to do');

  const twice = controller.computeStatus(deployment('nginx:3', 3, controller.computeStatus(deployment('nginx:3', 3, edited.status)).status));
  t.match(progressingOf(twice.status), { reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsOf('nginx:3')}" has successfully progressed.` }, 'a second edit mid-rollout names the third ReplicaSet');
});

t.test('with minReadySeconds an edited rollout becomes available after the wait', async (t) => {
  const clock = manualClock();
  const controller = new DeploymentController({ client: {} as ApiClient, clock, log: pino({ level: 'silent' }) });
  const first = controller.computeStatus(deployment('nginx:1', 1, {}, 3));
  // Condition times are whole seconds (RFC 3339), so the clock moves in whole seconds here.
  clock.advance(1000);
  const edited = controller.computeStatus(deployment('nginx:2', 2, first.status, 3));
  t.equal(edited.retryAfterMs, 3000);
  clock.advance(1000);
  const waiting = controller.computeStatus(deployment('nginx:2', 2, edited.status, 3));
  t.equal(waiting.status.availableReplicas, undefined, 'not available before minReadySeconds');
  t.equal(waiting.retryAfterMs, 2000);
  clock.advance(2000);
  const done = controller.computeStatus(deployment('nginx:2', 2, waiting.status, 3));
  t.match(done.status.conditions, [{ type: 'Available', status: 'True' }, { type: 'Progressing', reason: 'NewReplicaSetAvailable' }]);
});

t.test('the work queue never lets an item spin', async (t) => {
  t.test('an item that asks to be processed again at once backs off exponentially', async (t) => {
    const clock = manualClock();
    const queue = new WorkQueue<string>(clock);
    let runs = 0;
    void runWorkers(queue, 1, async (item) => {
      runs++;
      queue.addAfter(item, 0);
    });
    queue.add('x');
    await sleep(50);
    t.equal(runs, 1, 'no second run before the clock moves');
    // 5 ms, 10 ms, 20 ms, … : 1 s of clock time allows about 8 more runs, not thousands.
    for (let ms = 0; ms < 1000; ms += 5) {
      clock.advance(5);
      await sleep(0);
      await new Promise((r) => setImmediate(r));
    }
    t.ok(runs > 3 && runs <= 10, `runs in 1 s of clock time: ${runs}`);
    queue.shutdown();
  });

  t.test('the bucket holds many items to 10 a second after a burst of 100', async (t) => {
    const clock = manualClock();
    const queue = new WorkQueue<number>(clock);
    const seen: number[] = [];
    void runWorkers(queue, 4, async (item) => void seen.push(item));
    for (let i = 0; i < 150; i++) queue.addRateLimited(i);
    clock.advance(5);
    await sleep(100);
    t.equal(seen.length, 100, 'the burst');
    clock.advance(1000);
    await sleep(100);
    t.equal(seen.length, 110, 'then 10 a second');
    queue.shutdown();
  });

  t.test('workers yield to the event loop between items', async (t) => {
    const queue = new WorkQueue<number>(scaledClock(1));
    let processed = 0;
    void runWorkers(queue, 1, async (n) => {
      processed++;
      if (n < 100_000) queue.add(n + 1);
    });
    queue.add(0);
    const timer = await new Promise<number>((resolve) => setTimeout(() => resolve(processed), 1));
    t.ok(timer < 100_000, `a timer fired while the queue still had work (${timer} items processed by then)`);
    queue.shutdown();
  });
});

t.test('a Deployment edited right after its creation: no freeze, rollout on the newest template', async (t) => {
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.33' }]);
  const url = urlOf(cluster, 's1');
  const slowest: number[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const started = Date.now();
      const res = await api(cluster, url, 'GET', '/readyz').catch(() => ({ status: 0 }));
      slowest.push(res.status === 200 ? Date.now() - started : Infinity);
      await sleep(100);
    }
  })();
  t.teardown(() => void (probing = false));

  const path = '/apis/apps/v1/namespaces/default/deployments';
  for (const [name, minReadySeconds] of [['quick', 0], ['quick-min-ready', 3]] as const) {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: { replicas: 2, minReadySeconds, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
    };
    t.equal((await api(cluster, url, 'POST', path, { body: manifest })).status, 201, `${name} created`);
    const patch = await api(cluster, url, 'PATCH', `${path}/${name}`, {
      body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    t.equal(patch.status, 200, `${name} edited at once`);
  }
  for (const name of ['quick', 'quick-min-ready']) {
    let last: any;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      last = (await api(cluster, url, 'GET', `${path}/${name}`)).json;
      if (progressingOf(last.status ?? {})?.reason === 'NewReplicaSetAvailable' && last.status.observedGeneration === last.metadata.generation) break;
      await sleep(200);
    }
    const template = last.spec.template;
    t.match(last.status.conditions, [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }], `${name} becomes available`);
    t.equal(progressingOf(last.status)?.message, `ReplicaSet "${name}-${podTemplateHash(template)}" has successfully progressed.`, `${name} rolled out its newest template`);
  }
  probing = false;
  await prober;
  const worst = Math.max(...slowest);
  t.ok(slowest.length > 10, `${slowest.length} probes`);
  // A frozen event loop never answers; a busy machine (load 15+ on 2 cores) can take a second.
  t.ok(worst < 5000, `every /readyz probe answered within 5 s (slowest ${worst} ms)`);
});
