/**
 * Hostile YAML bodies (`application/yaml` creates and updates, `application/apply-patch+yaml`
 * patches): syntax errors, alias bombs (billion laughs) and self-referencing anchors, undefined
 * aliases, several documents, unknown and exotic tags, deep flow and block nesting, binary garbage.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { TARGET_PATH, writeEndpoint } from './targets.js';

/** The billion-laughs bomb with `levels` levels of `fan` aliases each. */
export function billionLaughs(levels: number, fan: number): string {
  const lines = ['a0: &a0 ["lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n${lines.join('\n')}\n`;
}

const SYNTAX_ERRORS = [
  'apiVersion: v1\nkind: ConfigMap\nmetadata: [\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabs\n',
  'apiVersion: v1\nkind: : ConfigMap\n',
  'apiVersion: "v1\nkind: ConfigMap\n',
  "apiVersion: 'v1\n",
  'apiVersion: v1\n  kind: ConfigMap\n bad: indent\n',
  '- a\nb: c\n',
  '{a: 1, b}',
  '[a, b',
  'a: b: c',
  'a: |\n  x\n y\n',
  '? complex\n: key\n',
  '&anchor',
  '*alias',
  'a: *undefined',
  'a: &x 1\nb: &x 2\nc: *x\n',
  '%YAML 9.9\n---\na: 1\n',
  '%TAG ! tag:evil.com,2000:\n---\na: !x 1\n',
  '---\n...\n---\n',
  'key: "\\xZZ"',
  'key: "\\uD800"',
  '@reserved: 1',
  '`backtick: 1',
  'a: !!binary "not base64 !!!"',
  'a: !!int "nope"',
  'a: !!float "x"',
  'a: !!timestamp "2020-99-99"',
  'a: !!python/object:os.system "ls"',
  'a: !custom {x: 1}',
  'a: !!set {x, y}',
  'a: !!omap [x, y]',
  'a: !!map [1, 2]',
  'a: !!seq {x: 1}',
  'a: .nan\nb: .inf\nc: -.inf\n',
  'a: 0x_ff\nb: 1_000\nc: 0o17\nd: 0b101\n',
  '<<: *nope\n',
  'base: &b {x: 1}\n<<: [*b, *b, 5]\n',
];

const MULTI_DOCS = [
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n',
  '---\n---\n---\n',
  'a: 1\n---\n[\n',
  '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n...\ngarbage after end\n',
];

/** Generate one hostile-YAML case. */
export function yamlCase(rng: Rng): FuzzCase {
  const variant = rng.weighted([
    [4, 'syntax'],
    [3, 'billion-laughs'],
    [2, 'self-reference'],
    [2, 'multi-document'],
    [2, 'deep-flow'],
    [1, 'deep-block'],
    [2, 'binary'],
    [1, 'many-aliases'],
  ] as const);
  let { method, path } = writeEndpoint(rng);
  let contentType = 'application/yaml';
  if (rng.chance(0.2)) {
    method = 'PATCH';
    path = TARGET_PATH;
    contentType = 'application/apply-patch+yaml';
  }
  let body: string | Buffer;
  switch (variant) {
    case 'syntax':
      body = rng.pick(SYNTAX_ERRORS);
      break;
    case 'billion-laughs':
      body = billionLaughs(rng.int(3, 12), rng.int(5, 10));
      break;
    case 'self-reference':
      body = rng.pick([
        'a: &a [*a]\n',
        'a: &a {b: *a}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: x\n  labels: *m\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: x\n  annotations:\n    self: *m\n',
        '&a [*a, *a]',
        'a: &a\n  - *a\n',
        'a: &a {<<: *a}\n',
      ]);
      break;
    case 'multi-document':
      body = rng.pick(MULTI_DOCS);
      break;
    case 'deep-flow': {
      const depth = rng.pick([100, 1000, 5000, 10_001, 50_000]);
      body = rng.chance(0.5) ? `a: ${'['.repeat(depth)}${']'.repeat(depth)}\n` : `a: ${'{b: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
      break;
    }
    case 'deep-block': {
      const depth = rng.pick([100, 1000, 3000]);
      body = Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' v\n';
      break;
    }
    case 'binary':
      body = rng.bytes(rng.size(4096) + 1);
      break;
    case 'many-aliases': {
      const n = rng.pick([101, 1000, 10_000]);
      body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nx: &x v\ndata:\n${Array.from({ length: n }, (_, i) => `  k${i}: *x`).join('\n')}\n`;
      break;
    }
  }
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { category: 'yaml', variant: `yaml-${variant}`, method, path, headers: { 'content-type': contentType }, body: buf };
}
