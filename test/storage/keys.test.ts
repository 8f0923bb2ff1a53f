import t from 'tap';
import { matchesPrefix, prefixEnd } from '../../storage/keys.js';

t.test('a prefix ending with / selects the keys below it; anything else selects one key', async (t) => {
  t.ok(matchesPrefix('/registry/core/pods/', '/registry/core/pods/ns/a'));
  t.notOk(matchesPrefix('/registry/core/pods/', '/registry/core/podsx/ns/a'));
  t.ok(matchesPrefix('/registry/core/pods/ns/a', '/registry/core/pods/ns/a'));
  t.notOk(matchesPrefix('/registry/core/pods/ns/a', '/registry/core/pods/ns/ab'));
});

t.test('prefixEnd is the exclusive upper bound of the prefix range', async (t) => {
  t.equal(prefixEnd('/registry/core/pods/'), '/registry/core/pods0');
  t.ok('/registry/core/pods/\u{10ffff}' < prefixEnd('/registry/core/pods/'));
  t.throws(() => prefixEnd(''), RangeError);
  t.throws(() => prefixEnd('a\uffff'), RangeError);
});
