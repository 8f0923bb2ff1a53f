/**
 * A benchmark phase whose requests are slower than its timed window (a LIST of 10,000 objects on a
 * busy machine) is measured again by count instead of failing with no responses.
 */
import t from 'tap';
import { createServer } from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createCA, signCert } from '../../server/cluster/pki.js';
import { runPhase } from '../../scripts/bench/load.js';

t.test('a timed run too short for any answer is measured by count', async (t) => {
  const ca = await createCA('bench-test-ca');
  const serving = await signCert(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const client = await signCert(ca, { commonName: 'bench', usage: 'client' });
  const server = createServer({ cert: serving.cert, key: serving.key, ca: ca.cert, requestCert: true }, (_req, res) => {
    setTimeout(() => res.end('{}'), 1_500);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const result = await runPhase({
    url: `https://127.0.0.1:${port}`,
    pid: process.pid,
    tls: { ca: ca.cert, cert: client.cert, key: client.key },
    request: { method: 'GET', path: '/slow' },
    connections: 2,
    warmup: { requests: 2 },
    measure: { seconds: 1 },
  });
  t.equal(result.requests, 4, 'two requests per connection');
  t.ok(result.rps > 0 && result.p50Ms >= 1_400, `figures from the answers (${result.rps.toFixed(2)} req/s, p50 ${result.p50Ms.toFixed(0)} ms)`);
});
