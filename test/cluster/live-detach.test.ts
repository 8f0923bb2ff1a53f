/**
 * `kube-skew up --detach` returns once the cluster is ready and `down` leaves no process behind;
 * `--lb-policy pinned=<unknown>` is refused at start.
 */
import t from 'tap';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { httpsRequest } from '../../server/cluster/https-client.js';
import type { ClusterStatus } from '../../server/cluster/control/protocol.js';
import { alive } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';
import { cli } from '../fixtures/live.js';

t.test('up --detach returns once ready; down leaves no process behind', async (t) => {
  const dir = await tempDir(t);
  const state = await tempDir(t, 'kube-skew-state-');
  const env = { XDG_STATE_HOME: state };
  const pids: number[] = [];
  t.teardown(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const detach = await cli(t, env, ['up', '--detach', '--servers', 'a=1.33,b=1.34', '--data-dir', dir]);
  t.equal(detach.code, 0, `up --detach exits 0 (${detach.stderr.slice(-500)})`);
  t.equal(detach.stdout, `export KUBECONFIG=${join(dir, 'kubeconfig')}\n`, 'stdout is the export line alone, for eval');
  t.match(detach.stderr, /ready: 2 server\(s\)/);
  t.equal((await stat(dir)).mode & 0o777, 0o700, 'the data directory is the owner\'s only');
  t.equal((await stat(join(dir, 'up.log'))).mode & 0o777, 0o600, 'so is up.log');
  const run = await cli(t, env, ['status', '-o', 'json']);
  t.equal(run.code, 0, `status finds the detached cluster without --data-dir (${run.stderr})`);
  const s = JSON.parse(run.stdout) as ClusterStatus;
  pids.push(s.pid, ...s.servers.map((x) => x.pid));
  t.equal(s.dataDir, dir);
  t.ok(pids.every(alive), 'the background up and its servers run after up --detach returned');
  const kubectlLike = await httpsRequest(`${s.frontDoor.url}/version`, {
    tls: { ca: await readFile(join(dir, 'pki', 'ca.crt'), 'utf8') },
  });
  t.equal(kubectlLike.status, 200, 'the front door answers');

  const down = await cli(t, env, ['down']);
  t.equal(down.code, 0, down.stderr);
  t.same(pids.filter(alive), [], 'down leaves no process behind');
  t.match(await readFile(join(dir, 'up.log'), 'utf8'), /down requested: stopping the cluster/);
});

t.test('up --lb-policy pinned=<unknown> fails at start, naming the servers', async (t) => {
  const dir = await tempDir(t);
  const state = await tempDir(t, 'kube-skew-state-');
  const run = await cli(t, { XDG_STATE_HOME: state }, ['up', '--servers', 'a=1.33,b=1.34', '--lb-policy', 'pinned=c', '--data-dir', dir]);
  t.equal(run.code, 1);
  t.match(run.stderr, 'Error: --lb-policy pinned=c: no server named "c" (servers: a, b)');
  t.notOk(existsSync(join(dir, 'pki')), 'nothing was started or written');
});
