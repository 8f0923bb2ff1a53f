/**
 * The nesting limits and the guarded YAML decoder, without a server: exact limits, brackets inside
 * strings not counted, block and flow YAML measured alike, and go-yaml's texts for a
 * self-referencing anchor and for excessive aliasing, while an anchor reused properly still works.
 */
import t from 'tap';
import { jsonNestingExceeds, MAX_NESTING_DEPTH, yamlNestingExceeds } from '../../../server/http/nesting.js';
import { decodeYaml, YamlDecodeError } from '../../../server/http/yaml.js';

const arrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);

t.test('JSON nesting', async (t) => {
  t.notOk(jsonNestingExceeds(arrays(MAX_NESTING_DEPTH)), 'at the limit');
  t.ok(jsonNestingExceeds(arrays(MAX_NESTING_DEPTH + 1)), 'one past it');
  t.ok(jsonNestingExceeds(`{"a":${'{"b":'.repeat(MAX_NESTING_DEPTH)}1${'}'.repeat(MAX_NESTING_DEPTH)}}`), 'objects count as arrays do');
  t.notOk(jsonNestingExceeds(`{"a":"${'['.repeat(10_000)}","b":"\\"{{{{"}`), 'brackets inside strings (and escaped quotes) do not count');
  t.ok(jsonNestingExceeds(arrays(1_000_000)), 'a million levels, without recursing');
});

t.test('YAML nesting', async (t) => {
  t.notOk(yamlNestingExceeds(`a: ${arrays(MAX_NESTING_DEPTH - 1)}\n`), 'the map and its flow sequences at the limit');
  t.ok(yamlNestingExceeds(`a: ${arrays(MAX_NESTING_DEPTH)}\n`), 'one past it');
  t.ok(yamlNestingExceeds(`${'- '.repeat(MAX_NESTING_DEPTH + 1)}x\n`), 'compact block sequences');
  t.ok(yamlNestingExceeds(Array.from({ length: MAX_NESTING_DEPTH + 1 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' v\n'), 'indented block maps');
  t.notOk(yamlNestingExceeds('a: "[[[[[[[["\nb: \'{{{{\'\n'), 'brackets inside quoted scalars do not count');
});

t.test('decodeYaml', async (t) => {
  const error = (text: string): string => {
    try {
      decodeYaml(text, { uniqueKeys: false });
    } catch (err) {
      if (err instanceof YamlDecodeError) return err.message;
      throw err;
    }
    return 'no error';
  };
  t.equal(error('a: &a [*a]\n'), "yaml: anchor 'a' value contains itself");
  t.equal(error('a: &x\n  b: [1, {c: *x}]\n'), "yaml: anchor 'x' value contains itself", 'deeper inside');
  t.same(decodeYaml('a: &x [ &x 1, *x ]\nb: *x\n', { uniqueKeys: false }), { a: [1, 1], b: 1 }, 'an alias refers to the latest anchor of its name');
  t.same(decodeYaml('base: &b {x: 1}\nc: *b\n', { uniqueKeys: false }), { base: { x: 1 }, c: { x: 1 } }, 'a plain alias');
  const laughs = ['a0: &a0 [lol]', ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(8).fill(`*a${i}`).join(', ')}]`)].join('\n');
  t.equal(error(laughs), 'yaml: document contains excessive aliasing', 'billion laughs');
  t.equal(error(`a: ${arrays(5000)}\n`), 'exceeded max depth');
  t.ok((() => {
    try {
      decodeYaml(`a: ${arrays(5000)}\n`, { uniqueKeys: false });
    } catch (err) {
      return err instanceof YamlDecodeError && err.tooDeep;
    }
    return false;
  })(), 'too deep is flagged for the callers');
  t.match(error('a: [\n'), /^Flow sequence|^Missing|Expected|flow/i, "the YAML library's own message for a syntax error");
});
