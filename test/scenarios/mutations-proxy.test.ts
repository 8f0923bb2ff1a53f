/**
 * With the proxy broken on purpose (off, never forwarding, the KEP's header name instead of
 * x-kubernetes-peer-proxied, a retry on another peer) the scenarios that cover that behaviour fail,
 * at the step that checks it.
 */
import t from 'tap';
import { mutationEnv } from '../fixtures/proxy-mutation.js';
import { broken, LIBRARY_TIMEOUT_MS, mvpOff } from './library.js';

t.setTimeout(LIBRARY_TIMEOUT_MS);

t.test('with the proxy off the rolling upgrade fails on false 404s', async (t) => {
  const { result, failed } = await broken('rolling-upgrade-mvp', { scenario: mvpOff });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('b (1.35) proxies the 1.36-only API to a'), `the proxied request fails (${failed.join(', ')})`);
  t.ok(failed.includes('no false 404 and no lost write'), 'the load counts false 404s');
});

t.test('a proxy that never forwards fails the same way', async (t) => {
  const { result, failed } = await broken('rolling-upgrade-mvp', { env: mutationEnv('no-proxy') });
  t.notOk(result.ok);
  t.ok(failed.includes('no false 404 and no lost write'), `false 404s are caught (${failed.join(', ')})`);
});

t.test("a proxy that marks requests with the KEP's header name instead of x-kubernetes-peer-proxied fails", async (t) => {
  const { result, failed } = await broken('peer-crash-no-retry', { env: mutationEnv('wrong-header') });
  t.notOk(result.ok);
  t.ok(failed.includes('a proxies to a 1.36 peer'), `the destination did not see the request as proxied (${failed.join(', ')})`);
});

t.test('a proxy that retries another peer fails the no-retry scenario', async (t) => {
  const { result, failed } = await broken('peer-crash-no-retry', { env: mutationEnv('retry-other-peer') });
  t.notOk(result.ok);
  t.ok(failed.includes('some 503s from the dead peer, the rest from the live one, never a retry'), `the missing 503s are caught (${failed.join(', ')})`);
});

t.test('the StorageVersion scenario fails without the proxy', async (t) => {
  const { result, failed } = await broken('flowcontrol-v1beta3-removal', { env: mutationEnv('no-proxy') });
  t.notOk(result.ok);
  t.ok(failed.includes('the 1.32 server proxies v1beta3 to the 1.31 server by StorageVersion'), failed.join(', '));
});
