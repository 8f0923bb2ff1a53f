/**
 * The library's failure scenarios (crash, shutdown, discovery) pass.
 */
import t from 'tap';
import { LIBRARY_GROUPS, LIBRARY_TIMEOUT_MS, runGroup } from './library.js';

t.setTimeout(LIBRARY_TIMEOUT_MS);

t.test('the failures scenarios pass', async (t) => {
  await runGroup(t, LIBRARY_GROUPS.failures!);
});
