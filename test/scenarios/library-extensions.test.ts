/**
 * The library's extension scenarios pass: a CRD installed mid-upgrade, an aggregated API server
 * going down, Local APIServices across minors, and custom resources under each MVP generation.
 */
import t from 'tap';
import { LIBRARY_GROUPS, LIBRARY_TIMEOUT_MS, runGroup } from './library.js';

t.setTimeout(LIBRARY_TIMEOUT_MS);

t.test('the extensions scenarios pass', async (t) => {
  await runGroup(t, LIBRARY_GROUPS.extensions!);
});
