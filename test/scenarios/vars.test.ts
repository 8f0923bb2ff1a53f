/** Scenario variables: uses found anywhere in a step, substituted everywhere, captures read from JSON answers. */
import t from 'tap';
import { applyCaptures, substitute, valueAt, variablesUsed } from '../../scenarios/engine/vars.js';

t.test('uses are found in nested strings', async (t) => {
  t.same(variablesUsed({ path: '/x/${a}', body: { metadata: { ownerReferences: [{ uid: '${b}' }] } }, n: 1 }), ['a', 'b']);
  t.same(variablesUsed({ path: '/x/$a/{b}' }), [], 'only ${name} counts');
});

t.test('substitution replaces every use and refuses an unknown variable', async (t) => {
  const vars = new Map([['uid', 'u-1']]);
  t.same(substitute({ path: '/p/${uid}', body: ['${uid}', 3, { k: 'x${uid}y' }] }, vars), { path: '/p/u-1', body: ['u-1', 3, { k: 'xu-1y' }] });
  t.throws(() => substitute({ path: '${nope}' }, vars), /variable \$\{nope\} has no value/);
});

t.test('captures read dotted paths of the answer', async (t) => {
  const json = { metadata: { uid: 'abc', generation: 2 }, items: [{ name: 'first' }] };
  t.equal(valueAt(json, 'metadata.uid'), 'abc');
  t.equal(valueAt(json, 'metadata.generation'), '2');
  t.equal(valueAt(json, 'items.0.name'), 'first');
  t.equal(valueAt(json, 'metadata'), undefined, 'objects are not values');
  const vars = new Map<string, string>();
  t.same(applyCaptures({ uid: 'metadata.uid', missing: 'spec.x' }, json, vars), ['capture missing: the answer has no value at spec.x']);
  t.equal(vars.get('uid'), 'abc');
});
