/**
 * The runner's requests through the front door each open a connection of their own, so a
 * round-robin front door spreads them over the servers as it spreads clients. Node's global agent
 * keeps connections alive; reusing one would pin a whole load run to one server.
 */
import t from 'tap';
import { startCluster } from '../fixtures/cluster.js';
import { send } from '../../scenarios/engine/http.js';

t.test('sequential requests through the front door go round the servers', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.33' },
    { name: 'b', minor: '1.33' },
    { name: 'c', minor: '1.33' },
  ]);
  const servedBy: string[] = [];
  for (let i = 0; i < 9; i++) servedBy.push((await send({ cluster }, undefined, 'GET', '/version')).servedBy ?? 'unknown');
  const counts = Object.fromEntries(['a', 'b', 'c'].map((s) => [s, servedBy.filter((x) => x === s).length]));
  t.same(counts, { a: 3, b: 3, c: 3 }, `each server answers a third (${servedBy.join(' ')})`);
});
