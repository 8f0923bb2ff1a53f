/**
 * With the proxy off or never forwarding, the controller scenarios fail where the harm shows:
 * namespace content left behind, a live owner's dependent collected.
 */
import t from 'tap';
import { mutationEnv } from '../fixtures/proxy-mutation.js';
import { broken, LIBRARY_TIMEOUT_MS, mvpOff } from './library.js';

t.setTimeout(LIBRARY_TIMEOUT_MS);

t.test('with the proxy off, namespace deletion leaves content behind and never waits', async (t) => {
  const { result, failed } = await broken('namespace-deletion-mvp', { scenario: mvpOff });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('nothing is left behind in storage'), `the LeaseCandidate survives the namespace (${failed.join(', ')})`);
  t.ok(failed.includes('a namespace of the same name starts empty'), 'and reappears in a new namespace of the same name');
  t.ok(failed.includes("with b down the proxy answers 503, and the namespace stays Terminating with upstream's content failure"), 'without a 503 the namespace is not held');
});

t.test('a proxy that never forwards: the namespace controller takes the false 404 for an empty collection', async (t) => {
  const { result, failed } = await broken('namespace-deletion-mvp', { env: mutationEnv('no-proxy') });
  t.notOk(result.ok);
  t.notOk(failed.includes("a's discovery lists b's leasecandidates (peer-aggregated /apis)"), 'discovery still lists the type, so the deleter asks for it');
  t.ok(failed.includes('nothing is left behind in storage'), `the 404 made it finalize with content left (${failed.join(', ')})`);
  t.ok(failed.includes('and its content is gone'), 'the held namespace was removed with its content left too');
});

t.test('with the proxy off, the garbage collector deletes the dependent of a live owner', async (t) => {
  const { result, failed } = await broken('gc-false-404-mvp', { scenario: mvpOff });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('the dependent of the live owner stays'), `the dependent is collected (${failed.join(', ')})`);
  t.notOk(failed.includes('the owner exists'), 'while its owner exists');
});

t.test('a proxy that never forwards: the garbage collector trusts the false 404', async (t) => {
  const { result, failed } = await broken('gc-false-404-mvp', { env: mutationEnv('no-proxy') });
  t.notOk(result.ok);
  t.ok(failed.includes('the dependent of the live owner stays'), `the dependent is collected (${failed.join(', ')})`);
});
