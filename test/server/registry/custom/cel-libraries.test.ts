/**
 * CRD CEL rules as upstream compiles them, unit by unit: the type checker over the schema's
 * declared type (undefined fields, overloads, bool results, string messageExpressions, escaped
 * names, formats), the libraries each minor declares for new and stored expressions, Kubernetes'
 * libraries at run time (lists, regex, URL, quantity, IP/CIDR, format, sets), and the estimated
 * cost with upstream's messages.
 */
import t from 'tap';
import { compileRule } from '../../../../server/registry/custom/cel/compile.js';
import { costErrorMessage, validateSchemaRules } from '../../../../server/registry/custom/cel/crd-rules.js';
import { validateRules } from '../../../../server/registry/custom/cel/validate.js';
import { declTypeOf } from '../../../../server/registry/custom/cel/types.js';
import { fieldErrorString } from '../../../../server/errors/status.js';
import { NEWEST_CEL_LIBRARIES, celEnvironmentFacts } from '../../../../versions/cel.js';
import type { JsonSchemaProps } from '../../../../server/registry/custom/structural.js';

const SPEC: JsonSchemaProps = {
  type: 'object',
  properties: {
    replicas: { type: 'integer' },
    name: { type: 'string' },
    ratio: { type: 'number' },
    'max-surge': { type: 'integer' },
    port: { 'x-kubernetes-int-or-string': true },
    tags: { type: 'array', items: { type: 'string' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    when: { type: 'string', format: 'date-time' },
    every: { type: 'string', format: 'duration' },
  },
};
const NEWEST = { rule: NEWEST_CEL_LIBRARIES, message: NEWEST_CEL_LIBRARIES };
const at = (minor: string, which: 'newExpressions' | 'storedExpressions') => ({ rule: celEnvironmentFacts(minor)[which], message: celEnvironmentFacts(minor)[which] });
const compile = (rule: string, libs = NEWEST, extra: Record<string, unknown> = {}) => compileRule({ rule, ...extra }, declTypeOf(SPEC, false)!, libs);

t.test('rules are type-checked against the schema', async (t) => {
  t.equal(compile('self.foo == 1').error, "compilation failed: ERROR: <input>:1:5: undefined field 'foo'\n | self.foo == 1\n | ....^");
  t.equal(compile("self.replicas > 'a'").error, "compilation failed: ERROR: <input>:1:15: found no matching overload for '_>_' applied to '(int, string)'\n | self.replicas > 'a'\n | ..............^");
  t.equal(compile('self.name.contains(1)').error, "compilation failed: ERROR: <input>:1:19: found no matching overload for 'contains' applied to 'string.(int)'\n | self.name.contains(1)\n | ..................^", 'a member call is placed at its parenthesis');
  t.equal(compile('has(self.foo)').error, "compilation failed: ERROR: <input>:1:4: undefined field 'foo'\n | has(self.foo)\n | ...^");
  t.equal(compile('self.replicas').error, 'cel expression must evaluate to a bool');
  t.equal(compile('self.port').error, 'cel expression must evaluate to a bool', 'int-or-string is dyn, and dyn is not bool');
  t.equal(compile('true', NEWEST, { messageExpression: 'self.replicas' }).messageError, 'messageExpression must evaluate to a string');
  t.match(compile('true', NEWEST, { messageExpression: 'self.nope' }).messageError, /^messageExpression compilation failed: ERROR: <input>:1:5: undefined field 'nope'/);
  t.equal(compile('[1, "a"].size() > 0').error, "compilation failed: ERROR: <input>:1:5: expected type 'int' but found 'string'\n | [1, \"a\"].size() > 0\n | ....^", 'list literals are homogeneous');
  for (const ok of [
    'has(self.name) && self.max__dash__surge >= 0',
    "type(self.port) == int || self.port.matches('^[0-9]+%$')",
    "self.when < timestamp('2030-01-01T00:00:00Z') && self.every > duration('1m')",
    "self.tags.all(x, x.size() < 10) && self.labels.exists(k, self.labels[k] == 'v')",
    "self.tags.map(x, x.size()).all(n, n > 0)",
    'self == oldSelf',
  ]) {
    t.equal(compile(ok).error, undefined, ok);
  }
  const compiled = compile('self.replicas == oldSelf.replicas');
  t.ok(compiled.usesOldSelf, 'a transition rule');
  t.equal(compileRule({ rule: 'oldSelf.hasValue()', optionalOldSelf: true }, declTypeOf(SPEC, false)!, NEWEST).error, undefined, 'optionalOldSelf makes oldSelf optional');
  t.match(compileRule({ rule: 'oldSelf.hasValue()' }, declTypeOf(SPEC, false)!, NEWEST).error, /found no matching overload for 'hasValue'/);
  const root = compileRule({ rule: "self.metadata.name.startsWith('a') && self.kind == 'K' && self.apiVersion != ''" }, declTypeOf({ type: 'object', properties: {} }, true)!, NEWEST);
  t.equal(root.error, undefined, 'a resource root always has apiVersion, kind and metadata.name');
});

t.test('the libraries of new and stored expressions follow the minor', async (t) => {
  const quantity = "quantity('1Gi').isLessThan(quantity('2Gi'))";
  t.match(compile(quantity, at('1.28', 'newExpressions')).error, /undeclared reference to 'quantity' \(in container ''\)/, '1.28 compiles new rules at 1.27');
  t.equal(compile(quantity, at('1.28', 'storedExpressions')).error, undefined, 'a stored rule may use 1.28 libraries');
  t.equal(compile(quantity, at('1.29', 'newExpressions')).error, undefined);
  t.match(compile('self.ratio < 2', at('1.28', 'newExpressions')).error, /found no matching overload for '_<_' applied to '\(double, int\)'/, 'no cross-type numeric comparisons before 1.28');
  t.equal(compile('self.ratio < 2', at('1.29', 'newExpressions')).error, undefined);
  t.match(compile("sets.contains(self.tags, ['a'])", at('1.29', 'newExpressions')).error, /undeclared reference to 'sets'/);
  t.equal(compile("sets.contains(self.tags, ['a'])", at('1.30', 'newExpressions')).error, undefined);
  t.match(compile('isIP(self.name)', at('1.30', 'newExpressions')).error, /undeclared reference to 'isIP'/);
  t.equal(compile('isIP(self.name)', at('1.30', 'storedExpressions')).error, undefined);
  t.match(compile('format.dns1123Label().validate(self.name).hasValue()', at('1.31', 'newExpressions')).error, /undeclared reference to 'format'/);
  t.equal(compile('format.dns1123Label().validate(self.name).hasValue()', at('1.32', 'newExpressions')).error, undefined);
  t.equal(compile("self.name.find('a') == 'a' && self.tags.isSorted() && isURL(self.name)", at('1.25', 'newExpressions')).error, undefined, 'regex, lists and URLs are there from the start');
  t.match(compile("'%s'.format(['a']) == 'a'", at('1.28', 'storedExpressions')).error, /undeclared reference to 'format'/, 'strings version 0 has no format()');
  t.equal(compile("'%s'.format(['a']) == 'a'", at('1.29', 'storedExpressions')).error, undefined);
});

const run = (rule: string, props: Record<string, JsonSchemaProps>, spec: Record<string, unknown>) =>
  validateRules({ type: 'object', properties: { spec: { type: 'object', properties: props, 'x-kubernetes-validations': [{ rule }] } } }, { spec }, undefined, { optionalOldSelf: false }).map(fieldErrorString);
const STR = { type: 'string' };
const INTS = { type: 'array', items: { type: 'integer' } };

t.test("Kubernetes' libraries at run time", async (t) => {
  const pass: [string, Record<string, JsonSchemaProps>, Record<string, unknown>][] = [
    ['self.xs.isSorted() && self.xs.sum() == 6 && self.xs.min() == 1 && self.xs.max() == 3 && self.xs.indexOf(2) == 1 && self.xs.lastIndexOf(9) == -1', { xs: INTS }, { xs: [1, 2, 3] }],
    ["self.s.find('[0-9]+') == '12' && self.s.findAll('[0-9]+') == ['12', '34'] && self.s.findAll('[0-9]+', 1) == ['12']", { s: STR }, { s: 'a12b34' }],
    [
      "url(self.s).getScheme() == 'https' && url(self.s).getHost() == 'example.com:8443' && url(self.s).getHostname() == 'example.com' && url(self.s).getPort() == '8443' && url(self.s).getEscapedPath() == '/a/b' && url(self.s).getQuery()['x'] == ['1', '2'] && isURL(self.s) && !isURL('example.com')",
      { s: STR },
      { s: 'https://example.com:8443/a/b?x=1&x=2' },
    ],
    [
      "quantity(self.s).isGreaterThan(quantity('1Gi')) && quantity(self.s).compareTo(quantity('2048Mi')) == 0 && quantity('1k') == quantity('1000') && !quantity('1.5').isInteger() && quantity('2k').asInteger() == 2000 && quantity('500m').asApproximateFloat() == 0.5 && quantity('1').add(quantity('500m')) == quantity('1500m') && quantity('1').sub(1).sign() == 0 && isQuantity('1Ki') && !isQuantity('x')",
      { s: STR },
      { s: '2Gi' },
    ],
    [
      "ip(self.s).family() == 6 && ip(self.s).isLoopback() && string(ip('2001:DB8::1')) == '2001:db8::1' && ip.isCanonical('10.0.0.1') && !ip.isCanonical('2001:DB8::1') && isIP('1.2.3.4') && !isIP('01.2.3.4') && ip('169.254.1.1').isLinkLocalUnicast() && ip('8.8.8.8').isGlobalUnicast() && ip('0.0.0.0').isUnspecified() && ip('224.0.0.1').isLinkLocalMulticast()",
      { s: STR },
      { s: '::1' },
    ],
    [
      "cidr('10.0.0.0/8').containsIP(self.s) && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1')) && cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && cidr('10.1.2.3/8').prefixLength() == 8 && cidr('10.1.2.3/8').ip() == ip('10.1.2.3') && string(cidr('10.1.2.3/8')) == '10.1.2.3/8' && isCIDR('::/0')",
      { s: STR },
      { s: '10.1.2.3' },
    ],
    ["!format.dns1123Label().validate(self.s).hasValue() && format.named('dns1123Label').hasValue() && !format.named('nope').hasValue()", { s: STR }, { s: 'good-name' }],
    ['sets.contains(self.xs, [1]) && sets.equivalent([1, 2], [2, 1, 1]) && sets.intersects(self.xs, [3, 9]) && !sets.intersects([1], [2])', { xs: INTS }, { xs: [1, 2, 3] }],
    ["'%s-%s'.format(['a', 'b']) == 'a-b' && strings.quote('a') == '\"a\"'", {}, {}],
    ["self.when < timestamp('2030-01-01T00:00:00Z') && self.every > duration('1m')", { when: { type: 'string', format: 'date-time' }, every: { type: 'string', format: 'duration' } }, { when: '2024-01-01T00:00:00Z', every: '1h' }],
  ];
  for (const [rule, props, spec] of pass) t.same(run(rule, props, spec), [], rule);
  t.same(run("quantity(self.s).isLessThan(quantity('1Gi'))", { s: STR }, { s: 'lots' }), [
    "spec: Invalid value: \"object\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' evaluating rule: quantity(self.s).isLessThan(quantity('1Gi'))",
  ]);
  t.match(run('url(self.s).getHost() == ""', { s: STR }, { s: 'example.com' })[0], /URL parse error during conversion from string: parse "example.com": invalid URI for request evaluating rule/);
  t.same(run('format.dns1123Label().validate(self.s).value() == ["x"]', { s: STR }, { s: 'Bad_Name' }), ["spec: Invalid value: \"object\": failed rule: format.dns1123Label().validate(self.s).value() == [\"x\"]"]);
  t.same(run('self.xs.min() == 0', { xs: INTS }, { xs: [] }), ['spec: Invalid value: "object": min called on empty list evaluating rule: self.xs.min() == 0']);
});

t.test('the estimated cost refuses rules as upstream does', async (t) => {
  t.equal(costErrorMessage('estimated rule cost', 12_000_000, 10_000_000), 'estimated rule cost exceeds budget by factor of 1.200000x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)');
  t.match(costErrorMessage('estimated rule cost', 25_000_000, 10_000_000), /factor of 2\.5x/);
  t.match(costErrorMessage('estimated rule cost', 2_000_000_000, 10_000_000), /factor of more than 100x/);
  const schema = (items: JsonSchemaProps, list: Partial<JsonSchemaProps> = {}): JsonSchemaProps => ({
    type: 'object',
    properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: "self.names.all(n, n.matches('^[a-z]+$'))" }], properties: { names: { type: 'array', items, ...list } } } },
  });
  const P = 'openAPIV3Schema';
  const R = `${P}.properties[spec].x-kubernetes-validations[0].rule`;
  t.same(validateSchemaRules(schema({ type: 'string' }), P).map(fieldErrorString), [
    `${R}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
    `${R}: Forbidden: contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema`,
    `${P}: Forbidden: x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
  ]);
  t.same(validateSchemaRules(schema({ type: 'string', maxLength: 64 }, { maxItems: 100 }), P), [], 'bounded list of bounded strings: accepted');
  // A rule on the strings themselves is multiplied by how often they can occur.
  const perItem = (list: Partial<JsonSchemaProps>): JsonSchemaProps => ({
    type: 'object',
    properties: { spec: { type: 'object', properties: { names: { type: 'array', ...list, items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.matches('^[a-z]+$')" }] } } } } },
  });
  t.match(validateSchemaRules(perItem({}), P).map(fieldErrorString)[0], /items\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x/);
  t.same(validateSchemaRules(perItem({ maxItems: 10 }), P).map(fieldErrorString), [], 'an unbounded string checked once per item of a bounded list: under the limit');
});
