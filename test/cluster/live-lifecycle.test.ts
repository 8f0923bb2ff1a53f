/**
 * The life of one server of a live cluster through the CLI: stop, start, kill, restart at another
 * minor, downgrade, and a server killed behind up's back, which up reports; then down.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from '../fixtures/cli.js';
import { cli, serverIn as server, startLiveUp, until } from '../fixtures/live.js';

t.test('stop, start, kill, restart, downgrade and an unasked exit against a running up', async (t) => {
  const live = await startLiveUp(t, 'a=1.36,b=1.37');
  if (!live) return;
  const { dir, env, up, err, pids, status } = live;
  let s = await status();

  // stop, start, kill, restart.
  const bPid = server(s, 'b').pid;
  t.ok(alive(bPid), 'b runs');
  const stopped = await cli(t, env, ['stop', 'b', '--data-dir', dir]);
  t.equal(stopped.code, 0);
  t.notOk(alive(bPid), 'stop: the process is gone');
  s = await status();
  t.same([server(s, 'b').state, server(s, 'b').inRotation], ['stopped', false]);
  t.equal((await cli(t, env, ['stop', 'b', '--data-dir', dir])).stderr.trim(), 'Error: server b is not running');
  const started = await cli(t, env, ['start', 'b', '--data-dir', dir]);
  t.equal(started.code, 0, started.stderr);
  t.match(started.stdout, /^started b at 1\.37 \(pid \d+\)$/m);
  s = await status();
  t.same([server(s, 'b').state, server(s, 'b').ready], ['running', true]);
  const killed = await cli(t, env, ['kill', 'b', '--data-dir', dir]);
  t.equal(killed.code, 0);
  s = await status();
  t.equal(server(s, 'b').state, 'killed');
  t.notMatch(err(), /server b \(pid \d+\) exited unasked/, 'a kill asked for is not news');
  const restarted = await cli(t, env, ['restart', 'b', '--minor', '1.36', '--data-dir', dir]);
  t.equal(restarted.code, 0, restarted.stderr);
  t.match(restarted.stdout, /^restarted b: 1\.37 → 1\.36 \(pid \d+\)$/m);
  s = await status();
  t.same([server(s, 'b').minor, server(s, 'b').state], ['1.36', 'running']);
  const downgraded = await cli(t, env, ['downgrade', 'a', '1.35', '--data-dir', dir]);
  t.equal(downgraded.code, 0, downgraded.stderr);
  t.match(downgraded.stdout, /^downgraded a: 1\.36 → 1\.35 \(pid \d+\)$/m);

  // A server that dies unasked is news.
  s = await status();
  const victim = server(s, 'b').pid;
  process.kill(victim, 'SIGKILL');
  t.ok(await until(() => err().includes(`server b (pid ${victim}) exited unasked: signal SIGKILL`), 10_000), 'up says which server exited, with its pid and signal');
  s = await status();
  t.same([server(s, 'b').state, server(s, 'b').exit], ['exited', { code: null, signal: 'SIGKILL' }]);

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
