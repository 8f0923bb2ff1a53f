/**
 * The library test files together run every scenario of the library, so a new scenario cannot be
 * left out of CI.
 */
import t from 'tap';
import { libraryFiles } from '../../scenarios/engine/library.js';
import { readScenarioFile } from '../../scenarios/engine/scenario-file.js';
import { LIBRARY_GROUPS } from './library.js';

t.test('every library scenario belongs to one test group', async (t) => {
  const names = libraryFiles().map((f) => readScenarioFile(f).metadata.name).sort();
  const grouped = Object.values(LIBRARY_GROUPS).flat().sort();
  t.ok(names.length >= 9, `the library has at least 9 scenarios (${names.length})`);
  t.same(grouped, names, 'the groups list each library scenario exactly once');
});
