import t from 'tap';
import { isStatusError, type StatusError } from '../../../server/errors/status.js';
import {
  escapeFieldValue,
  fieldSelectorMatcher,
  fieldSelectorString,
  formatLabelSelector,
  formatLabels,
  labelSelectorFromObject,
  labelSelectorIsEmpty,
  labelSelectorString,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  requiresExactMatch,
} from '../../../server/registry/selectors.js';

/** Runs `fn`, which must throw a 400 BadRequest StatusError, and returns its message. */
function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (!isStatusError(err)) throw err;
    const status = (err as StatusError).status;
    if (status.code !== 400 || status.reason !== 'BadRequest') return `unexpected ${status.code} ${status.reason}: ${status.message}`;
    return status.message ?? '';
  }
  return '<no error>';
}

t.test('label selector: every operator', async (t) => {
  const labels = { app: 'web', tier: 'front', n: '5', empty: '' };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['   ', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app notin (web)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['n>4', true],
    ['n>5', false],
    ['n<6', true],
    ['missing>1', false],
    ['app>1', false],
    ['empty=', true],
    ['empty in ()', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    [' app = web , tier in ( front , back ) ', true],
    ['in=x', false],
    ['app in (in,notin,web)', true],
  ];
  for (const [text, want] of cases) t.equal(matchesLabels(parseLabelSelector(text), labels), want, JSON.stringify(text));
  t.ok(labelSelectorIsEmpty(parseLabelSelector('')));
  t.notOk(matchesLabels(parseLabelSelector('a=b'), undefined));
});

t.test('label selector: canonical string and sorting', async (t) => {
  t.equal(labelSelectorString(parseLabelSelector('z=1,a in (c,b),!m,k')), 'a in (b,c),k,!m,z=1');
  t.equal(labelSelectorString(parseLabelSelector('x>3,y<2,w==v,u!=t')), 'u!=t,w==v,x>3,y<2');
  t.same(parseLabelSelector('x in (b,a,b)').requirements, [{ key: 'x', operator: 'in', values: ['a', 'b'] }]);
  t.same(parseLabelSelector('x in (a,,b)').requirements[0]!.values, ['', 'a', 'b']);
});

t.test('label selector: syntax errors carry upstream text', async (t) => {
  const cases: Array<[string, string]> = [
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a>=1', "unable to parse requirement: found '=', expected: identifier"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    ['! =a', "unable to parse requirement: found '=', expected: identifier"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    [
      'a>b',
      `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'a/b/c=d',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      '-a=b',
      `unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
    [
      'a=-b',
      `unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [
      `a=${'x'.repeat(64)}`,
      `unable to parse requirement: values[0][a]: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`,
    ],
    [
      'a>-1x',
      `unable to parse requirement: [values[0]: Invalid value: "-1x": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "-1x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]`,
    ],
  ];
  for (const [text, message] of cases) t.equal(badRequestMessage(() => parseLabelSelector(text)), message, JSON.stringify(text));
});

t.test('label selector from metav1.LabelSelector', async (t) => {
  t.notOk(matchesLabels(labelSelectorFromObject(null), { a: 'b' }), 'nil selects nothing');
  t.ok(matchesLabels(labelSelectorFromObject({}), { a: 'b' }), 'empty selects everything');
  const sel = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'edge'] },
      { key: 'legacy', operator: 'DoesNotExist' },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'team', operator: 'Exists' },
    ],
  });
  t.ok(matchesLabels(sel, { app: 'web', tier: 'edge', team: 'x' }));
  t.notOk(matchesLabels(sel, { app: 'web', tier: 'edge', team: 'x', legacy: '1' }));
  t.notOk(matchesLabels(sel, { app: 'web', tier: 'edge', team: 'x', env: 'prod' }));
  t.equal(labelSelectorString(sel), 'app=web,env notin (prod),!legacy,team,tier in (edge,front)');
  t.equal(badRequestMessage(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })), '"Gt" is not a valid label selector operator');
  t.equal(
    badRequestMessage(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })),
    "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
  );
  t.equal(formatLabelSelector({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  t.equal(formatLabelSelector({}), '<none>');
  t.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' }] }), '<error>');
  t.equal(formatLabels({ z: '1', a: '2' }), 'a=2,z=1');
  t.equal(formatLabels({}), '<none>');
});

t.test('field selector: operators and escaping', async (t) => {
  t.same(parseFieldSelector('').requirements, []);
  t.same(parseFieldSelector('a=b').requirements, [{ field: 'a', operator: '=', value: 'b' }]);
  t.same(parseFieldSelector('a==b').requirements, [{ field: 'a', operator: '==', value: 'b' }]);
  t.same(parseFieldSelector('a!=b').requirements, [{ field: 'a', operator: '!=', value: 'b' }]);
  t.same(parseFieldSelector('a=').requirements, [{ field: 'a', operator: '=', value: '' }]);
  t.same(parseFieldSelector('a=x\\,y\\=z\\\\w').requirements, [{ field: 'a', operator: '=', value: 'x,y=z\\w' }]);
  t.same(parseFieldSelector('b=2,,a=1').requirements, [
    { field: 'a', operator: '=', value: '1' },
    { field: 'b', operator: '=', value: '2' },
  ]);
  t.equal(escapeFieldValue('x,y=z\\w'), 'x\\,y\\=z\\\\w');
  const sel = parseFieldSelector(`metadata.name=${escapeFieldValue('a,b')}`);
  t.equal(requiresExactMatch(sel, 'metadata.name'), 'a,b');
  t.equal(requiresExactMatch(parseFieldSelector('metadata.name!=x'), 'metadata.name'), undefined);
  t.equal(fieldSelectorString(parseFieldSelector('b!=2,a==1')), 'a=1,b!=2');
});

t.test('field selector: syntax errors carry upstream text', async (t) => {
  t.equal(badRequestMessage(() => parseFieldSelector('a')), "invalid selector: 'a'; can't understand 'a'");
  t.equal(badRequestMessage(() => parseFieldSelector('x=1,a')), "invalid selector: 'x=1,a'; can't understand 'a'");
  t.equal(badRequestMessage(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: 61');
  t.equal(badRequestMessage(() => parseFieldSelector('a=b\\n')), 'invalid field selector: invalid escape sequence: \\n');
  t.equal(badRequestMessage(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
});

t.test('field selector: events involvedObject.* in any order', async (t) => {
  const event = {
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{c}' },
    reason: 'Started',
    type: 'Normal',
    source: { component: 'kubelet' },
    reportingComponent: 'kubelet',
  };
  const a = fieldSelectorMatcher('events', parseFieldSelector('involvedObject.name=web-1,involvedObject.kind=Pod,involvedObject.uid=u1'));
  const b = fieldSelectorMatcher('events', parseFieldSelector('involvedObject.uid=u1,involvedObject.name=web-1,involvedObject.kind=Pod'));
  t.ok(a.matches(event));
  t.ok(b.matches(event));
  t.same(a.selector, b.selector, 'the same canonical selector whatever the order');
  t.ok(fieldSelectorMatcher('events', parseFieldSelector('involvedObject.namespace=default,involvedObject.apiVersion=v1,involvedObject.resourceVersion=7,involvedObject.fieldPath=spec.containers{c}')).matches(event));
  t.ok(fieldSelectorMatcher('events', parseFieldSelector('reason=Started,type=Normal,source=kubelet,reportingComponent=kubelet')).matches(event));
  t.notOk(fieldSelectorMatcher('events', parseFieldSelector('involvedObject.kind=Node')).matches(event));
  t.ok(fieldSelectorMatcher('events', parseFieldSelector('source=ctrl')).matches({ reportingComponent: 'ctrl' }), 'source falls back to reportingComponent');
});

t.test('field selector: per-resource fields', async (t) => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
    status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }] },
  };
  t.ok(fieldSelectorMatcher('pods', parseFieldSelector('spec.nodeName=n1,status.phase=Running,status.podIP=10.0.0.1')).matches(pod));
  t.ok(fieldSelectorMatcher('pods', parseFieldSelector('spec.host=n1')).matches(pod), 'spec.host aliases spec.nodeName');
  t.equal(fieldSelectorMatcher('pods', parseFieldSelector('spec.host=n1')).selector.requirements[0]!.field, 'spec.nodeName');
  t.ok(fieldSelectorMatcher('pods', parseFieldSelector('spec.hostNetwork=true')).matches(pod));
  t.ok(fieldSelectorMatcher('pods', parseFieldSelector('status.nominatedNodeName=')).matches(pod), 'unset reads as empty');
  t.notOk(fieldSelectorMatcher('pods', parseFieldSelector('status.podIPs=10.0.0.1')).matches(pod), 'accepted but never set upstream');
  t.ok(fieldSelectorMatcher('pods', parseFieldSelector('metadata.name=p,metadata.namespace=ns')).matches(pod));
  t.ok(fieldSelectorMatcher('pods', parseFieldSelector('metadata.name!=q')).matches(pod));
  t.equal(
    badRequestMessage(() => fieldSelectorMatcher('pods', parseFieldSelector('spec.hostNetwork=true'), { minor: 27 })),
    'field label not supported: spec.hostNetwork',
  );
  t.ok(fieldSelectorMatcher('secrets', parseFieldSelector('type=Opaque')).matches({ type: 'Opaque' }));
  t.ok(fieldSelectorMatcher('namespaces', parseFieldSelector('status.phase=Active')).matches({ status: { phase: 'Active' } }));
  t.ok(fieldSelectorMatcher('nodes', parseFieldSelector('spec.unschedulable=false')).matches({ spec: {} }));
  t.ok(fieldSelectorMatcher('replicationcontrollers', parseFieldSelector('status.replicas=0')).matches({ status: {} }));
  t.ok(fieldSelectorMatcher('jobs.batch', parseFieldSelector('status.successful=2')).matches({ status: { succeeded: 2 } }));
  t.ok(fieldSelectorMatcher({ group: 'batch', resource: 'jobs' }, parseFieldSelector('status.successful=0')).matches({}));
  t.ok(fieldSelectorMatcher('services', parseFieldSelector('spec.clusterIP!=None')).matches({ spec: { clusterIP: '10.96.0.1' } }));
  t.ok(fieldSelectorMatcher('deployments.apps', parseFieldSelector('metadata.name=d')).matches({ metadata: { name: 'd' } }));
});

t.test('field selector: unsupported field labels', async (t) => {
  t.equal(badRequestMessage(() => fieldSelectorMatcher('pods', parseFieldSelector('spec.foo=x'))), 'field label not supported: spec.foo');
  t.equal(badRequestMessage(() => fieldSelectorMatcher('nodes', parseFieldSelector('metadata.namespace=x'))), 'field label not supported: metadata.namespace');
  t.equal(
    badRequestMessage(() => fieldSelectorMatcher('jobs.batch', parseFieldSelector('status.active=1'))),
    'field label "status.active" not supported for Job',
  );
  t.equal(
    badRequestMessage(() => fieldSelectorMatcher('replicasets.apps', parseFieldSelector('status.replicas=1'))),
    '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  t.equal(
    badRequestMessage(() => fieldSelectorMatcher('services', parseFieldSelector('spec.type=ClusterIP'), { minor: 30 })),
    'field label not supported: spec.type',
  );
  t.equal(
    badRequestMessage(() => fieldSelectorMatcher('pods', parseFieldSelector('zzz=1,bad=1'))),
    'field label not supported: bad',
    'the first unsupported label in sorted term order',
  );
});
