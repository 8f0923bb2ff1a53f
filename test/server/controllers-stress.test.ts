/**
 * The in-server controllers under one client that writes as fast as it can: Deployments created,
 * edited (template and scale) and deleted at once, namespaces full of objects deleted, owners
 * deleted under their dependents. `/readyz` is probed every 100 ms throughout and must never take
 * more than 1 s; in the end every Deployment reaches its final state, every deleted namespace is
 * gone and every orphaned dependent collected.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { podTemplateHash } from '../../server/controllers/deployment.js';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';

const DEPLOYMENTS = 24;
const NAMESPACES = 6;

/**
 * Probe `/readyz` every 100 ms. A probe during which this test process itself stalled (its own
 * 20 ms heartbeat late by more than 250 ms: a loaded machine did not schedule it) says nothing about
 * the server and is counted apart.
 */
function readyzProber(probe: () => Promise<number>): { stop(): Promise<{ latencies: number[]; failed: number; stalled: number }> } {
  let running = true;
  const beats: number[] = [];
  const heartbeat = setInterval(() => beats.push(Date.now()), 20);
  const latencies: number[] = [];
  let failed = 0;
  let stalled = 0;
  const maxGap = (from: number, to: number): number => {
    let gap = 0;
    let prev = from;
    for (const b of beats) {
      if (b < from) continue;
      if (b > to) break;
      gap = Math.max(gap, b - prev);
      prev = b;
    }
    return Math.max(gap, to - prev);
  };
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const status = await probe().catch(() => 0);
      const ended = Date.now();
      if (maxGap(started, ended) > 250) stalled++;
      else if (status !== 200) failed++;
      else latencies.push(ended - started);
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      clearInterval(heartbeat);
      return { latencies, failed, stalled };
    },
  };
}

t.test('controllers keep up with a client that writes as fast as it can', async (t) => {
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.33' }]);
  const url = urlOf(cluster, 's1');
  const call = (method: string, path: string, body?: unknown, contentType?: string) =>
    api(cluster, url, method, path, { ...(body !== undefined ? { body } : {}), ...(contentType ? { headers: { 'content-type': contentType } } : {}) });
  const prober = readyzProber(async () => (await api(cluster, url, 'GET', '/readyz')).status);
  t.teardown(() => prober.stop());

  const deployments = '/apis/apps/v1/namespaces/default/deployments';
  const template = (image: string, app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image }] } });
  const wanted = new Map<string, { replicas: number; image: string } | 'deleted'>();
  const statuses: number[] = [];
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const name = `d${i}`;
    const spec = { replicas: 1, selector: { matchLabels: { app: name } }, ...(i % 3 === 0 ? { minReadySeconds: 1 } : {}), template: template('nginx:1', name) };
    statuses.push((await call('POST', deployments, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec })).status);
    // Half are edited the moment the controller has written their first status (a rollout under
    // way), half before it has looked at them at all.
    if (i % 2 === 0) {
      for (let tries = 0; tries < 200; tries++) {
        if ((await call('GET', `${deployments}/${name}`)).json?.status?.conditions) break;
        await sleep(10);
      }
    }
    // Edited twice, and scaled, before the rollout can finish.
    statuses.push((await call('PATCH', `${deployments}/${name}`, { spec: { template: template('nginx:2', name) } }, 'application/merge-patch+json')).status);
    statuses.push((await call('PATCH', `${deployments}/${name}`, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `nginx:3-${i}` }], 'application/json-patch+json')).status);
    statuses.push((await call('PATCH', `${deployments}/${name}/scale`, { spec: { replicas: 1 + (i % 4) } }, 'application/merge-patch+json')).status);
    if (i % 4 === 3) {
      statuses.push((await call('DELETE', `${deployments}/${name}`)).status);
      wanted.set(name, 'deleted');
    } else {
      wanted.set(name, { replicas: 1 + (i % 4), image: `nginx:3-${i}` });
    }
  }
  // Namespaces full of objects, deleted as soon as they are filled; owners deleted under their dependents.
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `stress-${n}`;
    statuses.push((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status);
    for (let j = 0; j < 5; j++) statuses.push((await call('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${j}` } })).status);
    statuses.push((await call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template('nginx:1', 'web') } })).status);
    statuses.push((await call('DELETE', `/api/v1/namespaces/${ns}`)).status);
  }
  const owners: string[] = [];
  for (let o = 0; o < 10; o++) {
    const owner = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `owner-${o}` } });
    statuses.push(owner.status);
    const ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: `owner-${o}`, uid: owner.json.metadata.uid }];
    statuses.push((await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `dependent-${o}`, ownerReferences } })).status);
    statuses.push((await call('DELETE', `/api/v1/namespaces/default/configmaps/owner-${o}`)).status);
    owners.push(`dependent-${o}`);
  }
  t.ok(statuses.every((s) => s >= 200 && s < 300), `every write succeeded (${[...new Set(statuses)].join(', ')})`);

  // Final states, polled for at most 60 s.
  const deadline = Date.now() + 60_000;
  const pending = (): Promise<string[]> =>
    Promise.all([
      ...[...wanted].map(async ([name, want]) => {
        const res = await call('GET', `${deployments}/${name}`);
        if (want === 'deleted') return res.status === 404 ? '' : `${name} still exists`;
        const d = res.json;
        const progressing = (d.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Progressing');
        const rs = `${name}-${podTemplateHash(d.spec.template)}`;
        const done =
          d.spec.template.spec.containers[0].image === want.image &&
          d.spec.replicas === want.replicas &&
          d.status?.observedGeneration === d.metadata.generation &&
          d.status?.availableReplicas === want.replicas &&
          progressing?.message === `ReplicaSet "${rs}" has successfully progressed.`;
        return done ? '' : `${name}: ${JSON.stringify(d.status)}`;
      }),
      ...Array.from({ length: NAMESPACES }, async (_, n) => ((await call('GET', `/api/v1/namespaces/stress-${n}`)).status === 404 ? '' : `namespace stress-${n} still exists`)),
      ...owners.map(async (name) => ((await call('GET', `/api/v1/namespaces/default/configmaps/${name}`)).status === 404 ? '' : `${name} was not collected`)),
    ]).then((all) => all.filter(Boolean));
  let left = await pending();
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(500);
    left = await pending();
  }
  t.same(left, [], 'every Deployment reached its final state, every namespace and orphan is gone');

  const { latencies, failed, stalled } = await prober.stop();
  const worst = Math.max(...latencies);
  t.ok(latencies.length >= 20, `${latencies.length} /readyz probes counted (${stalled} left out: this test process was not scheduled)`);
  t.ok(latencies.length > stalled, 'most probes count');
  t.equal(failed, 0, 'every /readyz probe answered 200');
  t.ok(worst <= 1000, `no /readyz probe took more than 1 s (slowest ${worst} ms)`);
});
