/**
 * The library's controller scenarios (namespace deletion, garbage collection) pass.
 */
import t from 'tap';
import { LIBRARY_GROUPS, LIBRARY_TIMEOUT_MS, runGroup } from './library.js';

t.setTimeout(LIBRARY_TIMEOUT_MS);

t.test('the controllers scenarios pass', async (t) => {
  await runGroup(t, LIBRARY_GROUPS.controllers!);
});
