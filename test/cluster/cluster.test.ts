/**
 * The cluster library drives server processes while the others run: pause (SIGSTOP) freezes a
 * server and resume brings it back; restart at another minor changes what it reports; kill is a
 * crash. Every process is stopped in teardown.
 */
import t from 'tap';
import { probe } from '../../server/cluster/server-process.js';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { startWaves } from '../../server/cluster/cluster.js';
import { SERVED_BY_HEADER, TRACE_HEADER } from '../../server/filters/served-by.js';

t.test('pause, resume, restart at another minor, kill', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.32' },
    { name: 'b', minor: '1.33' },
  ]);
  const version = async (name: string): Promise<string> => JSON.parse((await probe(`${urlOf(cluster, name)}/version`, cluster.tls)).body).gitVersion;
  t.equal(await version('a'), 'v1.32.0');

  cluster.pauseServer('a');
  await t.rejects(probe(`${urlOf(cluster, 'a')}/version`, cluster.tls, 500), /no answer within 500 ms/, 'a paused server does not answer');
  t.equal(await version('b'), 'v1.33.0', 'the other server keeps serving');
  cluster.resumeServer('a');
  t.equal(await version('a'), 'v1.32.0', 'resumed, it answers again');

  await cluster.restartServer('a', { minor: '1.33' });
  t.equal(await version('a'), 'v1.33.0', 'restarted as 1.33');
  t.equal(cluster.specs.get('a')?.minor, '1.33');

  const pid = cluster.server('b').pid;
  await cluster.killServer('b');
  t.notOk(cluster.server('b').alive, 'killed');
  t.throws(() => process.kill(pid, 0), 'the process is gone');
  await t.rejects(probe(`${urlOf(cluster, 'b')}/version`, cluster.tls, 500), 'a killed server refuses connections');
});

t.test('the front door only sends connections to servers that have answered /readyz', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.33' },
    { name: 'b', minor: '1.33' },
  ]);
  const servedBy = async (): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await api(cluster, cluster.frontDoorURL, 'GET', '/version', { headers: { [TRACE_HEADER]: '1', connection: 'close' } });
      out.push(String(res.headers[SERVED_BY_HEADER]));
    }
    return out;
  };
  t.same(new Set(await servedBy()), new Set(['a', 'b']), 'both ready servers take connections');
  // As while a restarted server is listening but not yet ready.
  cluster.server('b').ready = false;
  t.same(new Set(await servedBy()), new Set(['a']), 'a server that is not ready gets none');
  cluster.server('b').ready = true;
  t.same(new Set(await servedBy()), new Set(['a', 'b']));
});

t.test('a server on its way out gets no new connections from the front door', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.33' },
    { name: 'b', minor: '1.33' },
  ]);
  const stopping = cluster.stopServer('b');
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await api(cluster, cluster.frontDoorURL, 'GET', '/version', { headers: { [TRACE_HEADER]: '1', connection: 'close' } }).catch((err: Error) => ({ status: 0, headers: { [SERVED_BY_HEADER]: `error: ${err.message}` } }));
    answers.push(`${res.status} ${String(res.headers[SERVED_BY_HEADER])}`);
  }
  t.same(answers, Array(6).fill('200 a'), `every connection goes to the server that stays (${answers.join(', ')})`);
  await stopping;
});

t.test('servers that serve different APIs start one wave after another', async (t) => {
  const waves = startWaves([
    { name: 'a', minor: '1.29' },
    { name: 'b', minor: '1.32' },
    { name: 'c', minor: '1.29' },
    { name: 'd', minor: '1.32', runtimeConfig: 'batch/v1=false' },
  ]);
  t.same(
    waves.map((w) => w.map((s) => s.name)),
    [['a', 'c'], ['b'], ['d']],
    'same minor and settings together, in the order they first appear',
  );
});
