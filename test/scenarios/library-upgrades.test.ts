/**
 * The library's upgrade scenarios pass.
 */
import t from 'tap';
import { LIBRARY_GROUPS, LIBRARY_TIMEOUT_MS, runGroup } from './library.js';

t.setTimeout(LIBRARY_TIMEOUT_MS);

t.test('the upgrades scenarios pass', async (t) => {
  await runGroup(t, LIBRARY_GROUPS.upgrades!);
});
