/**
 * Driving a live cluster: `kube-skew up` as a user runs it, and the live-cluster commands against it
 * through its control socket: status (JSON and table, and without --data-dir), mistakes refused with
 * clear messages, `upgrade` while traffic flows through the front door, `pause` taking a server out
 * of the front door and `resume` putting it back, and `down` leaving no process behind.
 */
import t from 'tap';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpsRequest } from '../../server/cluster/https-client.js';
import { RECEIVED_BY_HEADER, SERVED_BY_HEADER, TRACE_HEADER } from '../../server/filters/served-by.js';
import { alive } from '../fixtures/cli.js';
import { cli, serverIn as server, startLiveUp, until } from '../fixtures/live.js';

t.test('status, mistakes, upgrade under traffic, pause and down against a running up', async (t) => {
  const live = await startLiveUp(t, 'a=1.36,b=1.37');
  if (!live) return;
  const { dir, env, up, err, pids, status } = live;

  // status, as JSON and as a table; the socket is the owner's only.
  let s = await status();
  t.equal(s.pid, up.pid, 'status names the pid of up');
  t.same(s.servers.map((x) => [x.name, x.minor, x.state, x.ready, x.proxyGate, x.inRotation]), [
    ['a', '1.36', 'running', true, 'on', true],
    ['b', '1.37', 'running', true, 'on', true],
  ]);
  for (const x of s.servers) {
    t.match(x.identity, /^apiserver-[a-z0-9]+_[0-9a-f-]{36}$/, `${x.name}: the identity lease's holder identity`);
    t.match(x.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    t.ok(alive(x.pid), `${x.name}: its pid runs`);
  }
  t.same(s.frontDoor.healthCheck, { path: '/readyz', intervalMs: 2000, timeoutMs: 2000, fall: 3, rise: 2 });
  t.equal((await stat(join(dir, 'control.sock'))).mode & 0o777, 0o600, 'the control socket is the owner\'s only');
  const table = await cli(t, env, ['status', '--data-dir', dir]);
  t.equal(table.code, 0);
  t.match(table.stdout, /^SERVER\s+MINOR\s+PID\s+STATE\s+READY\s+FRONT-DOOR\s+PROXY-GATE\s+IDENTITY\s+URL$/m);
  t.match(table.stdout, /^a\s+1\.36\s+\d+\s+running\s+yes\s+in\s+on\s+apiserver-/m);
  t.match(table.stdout, /front door: https:\/\/127\.0\.0\.1:\d+ \(round-robin; health check GET \/readyz every 2000 ms/);
  const byDefault = await cli(t, env, ['status']);
  t.equal(byDefault.code, 0, 'without --data-dir, status finds the cluster up made last');
  t.match(byDefault.stdout, new RegExp(`export KUBECONFIG=${join(dir, 'kubeconfig')}`));

  // Mistakes: clear messages, exit code 1, nothing changed.
  for (const [args, message] of [
    [['stop', 'zz'], 'Error: no server named "zz" (servers: a, b)'],
    [['upgrade', 'a', '1.35'], 'Error: cannot upgrade a to 1.35: it runs 1.36; an upgrade goes to a newer minor (use downgrade)'],
    [['upgrade', 'a', '1.36'], 'Error: cannot upgrade a to 1.36: it runs 1.36; an upgrade goes to a newer minor'],
    [['downgrade', 'b', '1.37'], 'Error: cannot downgrade b to 1.37: it runs 1.37; a downgrade goes to an older minor'],
    [['upgrade', 'a', '1.99'], 'Error: unsupported Kubernetes version "1.99": kube-skew simulates'],
    [['resume', 'a'], 'Error: server a is not paused'],
    [['start', 'a'], 'Error: server a is already running'],
    [['status', '-o', 'yaml'], 'Error: -o yaml: expected one of table, json'],
  ] as const) {
    const run = await cli(t, env, [...args, '--data-dir', dir]);
    t.equal(run.code, 1, `${args.join(' ')}: exit code 1`);
    t.ok(run.stderr.startsWith(message), `${args.join(' ')}: ${run.stderr.trim()}`);
  }
  const nowhere = await cli(t, env, ['status', '--data-dir', join(dir, 'nope')]);
  t.equal(nowhere.code, 1);
  t.match(nowhere.stderr, `Error: no cluster found at ${join(dir, 'nope')}`);
  s = await status();
  t.same(s.servers.map((x) => [x.minor, x.state]), [['1.36', 'running'], ['1.37', 'running']], 'the mistakes changed nothing');

  // Traffic through the front door, each request on a connection of its own (a new client each
  // time, so every request is a fresh pick of the front door), with the kube-skew trace.
  const ca = await readFile(join(dir, 'pki', 'ca.crt'), 'utf8');
  const tls = { ca, cert: await readFile(join(dir, 'pki', 'admin.crt'), 'utf8'), key: await readFile(join(dir, 'pki', 'admin.key'), 'utf8') };
  const front = s.frontDoor.url;
  const ask = async (): Promise<{ status: string; servedBy?: string; receivedBy?: string; body?: string }> => {
    try {
      const res = await httpsRequest(`${front}/api/v1/namespaces/default`, { tls, headers: { [TRACE_HEADER]: '1' }, freshConnection: true, timeoutMs: 15_000 });
      return { status: String(res.status), servedBy: res.headers[SERVED_BY_HEADER] as string | undefined, receivedBy: res.headers[RECEIVED_BY_HEADER] as string | undefined, body: res.text.slice(0, 200) };
    } catch (e) {
      return { status: 'error', body: (e as Error).message };
    }
  };

  // upgrade a 1.36 → 1.37 while two clients keep asking. The front door takes a out as its graceful
  // stop begins (the moment a real load balancer would, given kube-apiserver's
  // --shutdown-delay-duration) and puts the new process in once it is ready: no new connection goes
  // to a on its way out. What a health-checking load balancer cannot save is a request already on
  // a connection to a when its stop begins: at most one per client, and only ones a received.
  const counts = new Map<string, number>();
  const failures: Array<{ status: string; servedBy?: string; receivedBy?: string; body?: string }> = [];
  const servedBy = new Map<string, number>();
  let flowing = true;
  const clients = [0, 1].map(async () => {
    while (flowing) {
      const r = await ask();
      counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      if (r.status !== '200') failures.push(r);
      if (r.servedBy) servedBy.set(r.servedBy, (servedBy.get(r.servedBy) ?? 0) + 1);
    }
  });
  await sleep(1000);
  const upgrade = await cli(t, env, ['upgrade', 'a', '1.37', '--data-dir', dir]);
  t.equal(upgrade.code, 0, `upgrade exits 0 (${upgrade.stderr.trim()})`);
  t.match(upgrade.stdout, /^upgraded a: 1\.36 → 1\.37 \(pid \d+\)$/m);
  const servedBeforeAfter = servedBy.get('a') ?? 0;
  // Keep the traffic going until the upgraded a has answered some of it.
  await until(() => (servedBy.get('a') ?? 0) > servedBeforeAfter + 2, 30_000, 100);
  flowing = false;
  await Promise.all(clients);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  t.ok(total > 20, `traffic flowed during the upgrade (${total} requests: ${JSON.stringify(Object.fromEntries(counts))})`);
  t.ok(failures.length <= 2, `at most one failure per client, from the stop of a (${JSON.stringify(failures)})`);
  t.same(failures.filter((f) => f.status !== 'error' && f.receivedBy !== 'a'), [], 'every failed answer came from a connection to a, the server on its way out');
  t.ok((servedBy.get('a') ?? 0) > servedBeforeAfter, 'the upgraded a serves through the front door again');
  s = await status();
  t.same([server(s, 'a').minor, server(s, 'a').state, server(s, 'a').inRotation], ['1.37', 'running', true]);
  t.match(err(), /upgrade a: 1\.36 → 1\.37/, 'up says what it does');
  t.match(err(), /front door: took a out: its process is not running, not yet ready, or shutting down/);
  t.match(err(), /front door: put a back: its process is ready/);

  // pause b: the front door's health check takes it out after three checks without an answer, and
  // then every new connection goes to a; resume puts it back after two passing checks.
  const paused = await cli(t, env, ['pause', 'b', '--data-dir', dir]);
  t.equal(paused.code, 0);
  t.match(paused.stdout, /^paused b \(pid \d+\)$/m);
  t.ok(await until(async () => !server(await status(), 'b').inRotation, 30_000, 1000), 'the front door takes the paused b out');
  s = await status();
  t.same([server(s, 'b').state, server(s, 'b').ready], ['paused', false]);
  t.match(err(), /front door: took b out: \/readyz failed 3 times in a row \(last: no answer within 2000 ms\)/);
  const whilePaused = await Promise.all(Array.from({ length: 10 }, () => ask()));
  t.same(whilePaused.map((r) => [r.status, r.servedBy]), Array.from({ length: 10 }, () => ['200', 'a']), 'with b out, a answers every new connection');
  t.equal((await cli(t, env, ['resume', 'b', '--data-dir', dir])).code, 0);
  t.ok(await until(async () => server(await status(), 'b').inRotation, 30_000, 1000), 'the front door puts b back');
  t.match(err(), /front door: put b back: \/readyz answered 200 2 times in a row/);

  // down: every server, then up itself, gone.
  const down = await cli(t, env, ['down', '--data-dir', dir]);
  t.equal(down.code, 0, down.stderr);
  t.match(down.stdout, `stopped the cluster at ${dir}`);
  t.notOk(alive(up.pid!), 'up has exited when down returns');
  t.equal(up.exitCode, 0, 'up exits 0');
  t.same([...pids].filter(alive), [], 'no process of the cluster is left');
  t.notOk(existsSync(join(dir, 'control.sock')), 'the control socket is removed');
  const after = await cli(t, env, ['status', '--data-dir', dir]);
  t.equal(after.code, 1);
  t.match(after.stderr, `Error: no cluster found at ${dir}: no kube-skew up is running there`);
});

