/**
 * The printer of custom resources: the JSONPath subset printer columns use (fields, indexes, `[*]`,
 * filters) and the cells of each column type, as apiextensions-apiserver's tableconvertor fills them.
 */
import { minorInfo } from '../../../versions/minors.js';
import t from 'tap';
import { customResourcePrinter, jsonPathResults, simpleJsonPath } from '../../../server/endpoints/custom-table.js';

const obj = {
  metadata: { name: 'c1', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { size: 3, ratio: 1.5, on: true, tags: ['a', 'b'], selector: { b: 1, a: 2 } },
  status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True', reason: 'Up' }] },
};

t.test('JSONPath results', async (t) => {
  t.same(jsonPathResults(obj, '.spec.size'), [3]);
  t.same(jsonPathResults(obj, '{.spec.tags[1]}'), ['b'], 'braces and an index');
  t.same(jsonPathResults(obj, '.spec.tags[*]'), ['a', 'b']);
  t.same(jsonPathResults(obj, '.status.conditions[?(@.type=="Ready")].status'), ['True'], 'a filter');
  t.same(jsonPathResults(obj, ".status.conditions[?(@.type!='Ready')].type"), ['Synced']);
  t.same(jsonPathResults(obj, '.status.conditions[?(@.reason)].reason'), ['Up'], 'an existence filter');
  t.same(jsonPathResults(obj, '.spec.missing'), []);
  t.same(jsonPathResults(obj, '.spec.tags[5]'), []);
  t.same(jsonPathResults(obj, 'spec..size'), [], 'outside the subset: nothing');
  t.equal(simpleJsonPath(obj, '.status.conditions[0].type'), 'Synced');
});

t.test('cells by column type', async (t) => {
  const printer = customResourcePrinter([
    { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
    { name: 'Ratio', type: 'integer', jsonPath: '.spec.ratio' },
    { name: 'RatioN', type: 'number', jsonPath: '.spec.ratio' },
    { name: 'On', type: 'boolean', jsonPath: '.spec.on' },
    { name: 'Sel', type: 'string', jsonPath: '.spec.selector' },
    { name: 'Num', type: 'string', jsonPath: '.spec.size' },
    { name: 'Bad', type: 'boolean', jsonPath: '.spec.size' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'None', type: 'string', jsonPath: '.spec.none' },
  ]);
  const names = printer.columns(minorInfo('1.33').printers).map((c) => c.name);
  t.same(names, ['Name', 'Size', 'Ratio', 'RatioN', 'On', 'Sel', 'Num', 'Bad', 'Age', 'None']);
  const row = printer.row(obj, new Date("2026-01-01T00:05:00Z"), minorInfo('1.33').printers);
  t.same(row.cells, ['c1', 3, 1, 1.5, true, '{"a":2,"b":1}', '3', null, '5m', null], 'maps as Go writes them, wrong types and misses as null');
});
