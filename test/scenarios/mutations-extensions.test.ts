/**
 * With a proxy that never forwards, the custom-resource scenarios of the discovery generations fail
 * where the generation shows: 1.34 no longer hands its own custom resources to the peer whose
 * discovery lists them (so a peer crash no longer turns them into 503s), and 1.36 no longer routes a
 * deleted kind by the stale peer data its exclusion manager lets back after the grace period.
 */
import t from 'tap';
import { mutationEnv } from '../fixtures/proxy-mutation.js';
import { broken, LIBRARY_TIMEOUT_MS } from './library.js';

t.setTimeout(LIBRARY_TIMEOUT_MS);

t.test('1.34: without forwarding, custom resources are never proxied by stale discovery', async (t) => {
  const { result, failed } = await broken('crd-mvp-1.34', { env: mutationEnv('no-proxy') });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('a proxies its own custom resources to b'), `the custom resource is served locally (${failed.join(', ')})`);
  t.ok(failed.includes("a answers its custom resources with the dead peer's 503"), 'and survives the peer crash');
  t.notOk(failed.includes('a serves widgets from its own informer'), 'what does not depend on the proxy still passes');
});

t.test('1.36: without forwarding, the deleted kind is not routed by stale peer data', async (t) => {
  const { result, failed } = await broken('crd-mvp-1.36', { env: mutationEnv('no-proxy') });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('and a routes the deleted kind to b, which answers 404'), `the request is answered locally (${failed.join(', ')})`);
  t.notOk(failed.includes('a serves its custom resources itself, the kind excluded from peer data'), 'the exclusion itself does not need the proxy');
});
