// Feature gates: versioned stages per minor and kube-apiserver's --feature-gates parsing.
import t from 'tap';
import { ALL_ALPHA, ALL_BETA, featureEnabled, gatesFor, parseFeatureGates } from '../../versions/features.js';
import { SUPPORTED_MINORS } from '../../versions/manifest.js';

const MVP = 'UnknownVersionInteroperabilityProxy';

t.test('UnknownVersionInteroperabilityProxy: absent ≤1.27, alpha off 1.28–1.35, beta on 1.36', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    const spec = gatesFor(minor).get(MVP);
    const n = Number(minor.split('.')[1]);
    if (n <= 27) t.equal(spec, undefined, `${minor}: absent`);
    else if (n <= 35) t.same(spec, { name: MVP, stage: 'ALPHA', default: false, lockToDefault: false }, minor);
    else t.same(spec, { name: MVP, stage: 'BETA', default: true, lockToDefault: false }, minor);
  }
});

t.test('StorageVersionAPI is alpha and off in every minor; APIServerIdentity beta and on since 1.26', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    t.same(gatesFor(minor).get('StorageVersionAPI'), { name: 'StorageVersionAPI', stage: 'ALPHA', default: false, lockToDefault: false }, minor);
    const identity = minor === '1.25' ? { stage: 'ALPHA', default: false } : { stage: 'BETA', default: true };
    t.match(gatesFor(minor).get('APIServerIdentity'), identity, minor);
  }
});

t.test('AggregatedDiscoveryEndpoint: alpha 1.26, beta 1.27, GA locked 1.30, removed 1.33', async (t) => {
  const at = (m: string) => gatesFor(m).get('AggregatedDiscoveryEndpoint');
  t.equal(at('1.25'), undefined);
  t.match(at('1.26'), { stage: 'ALPHA', default: false });
  t.match(at('1.27'), { stage: 'BETA', default: true, lockToDefault: false });
  t.match(at('1.30'), { stage: 'GA', default: true, lockToDefault: true });
  t.match(at('1.32'), { stage: 'GA', lockToDefault: true });
  t.equal(at('1.33'), undefined);
  t.equal(gatesFor('1.32').get('AggregatedDiscoveryRemoveBetaType'), undefined);
  t.match(gatesFor('1.33').get('AggregatedDiscoveryRemoveBetaType'), { stage: 'DEPRECATED', default: true, lockToDefault: false });
  t.match(gatesFor('1.35').get('AggregatedDiscoveryRemoveBetaType'), { stage: 'DEPRECATED', default: true, lockToDefault: true });
});

t.test('other tracked gates', async (t) => {
  t.match(gatesFor('1.31').get('ServerSideApply'), { stage: 'GA', default: true, lockToDefault: true });
  t.equal(gatesFor('1.32').get('ServerSideApply'), undefined, 'removed in 1.32');
  t.match(gatesFor('1.31').get('WatchList'), { stage: 'ALPHA', default: false });
  t.match(gatesFor('1.32').get('WatchList'), { stage: 'BETA', default: true });
  t.match(gatesFor('1.33').get('WatchList'), { stage: 'BETA', default: false });
  t.match(gatesFor('1.34').get('WatchList'), { stage: 'BETA', default: true });
  t.equal(gatesFor('1.29').get('MutatingAdmissionPolicy'), undefined);
  t.match(gatesFor('1.32').get('MutatingAdmissionPolicy'), { stage: 'ALPHA', default: false });
  t.match(gatesFor('1.34').get('MutatingAdmissionPolicy'), { stage: 'BETA', default: false });
  t.match(gatesFor('1.36').get('MutatingAdmissionPolicy'), { stage: 'GA', default: true });
  t.same([...gatesFor('1.30').keys()], [...gatesFor('1.30').keys()].sort(), 'alphabetical');
  t.ok(gatesFor('1.25').has(ALL_ALPHA) && gatesFor('1.36').has(ALL_BETA), 'pseudo-gates everywhere');
});

t.test('defaults without a flag', async (t) => {
  const { values, explicit, warnings } = parseFeatureGates(undefined, '1.30');
  t.equal(values.get(MVP), false);
  t.equal(values.get('APIServerIdentity'), true);
  t.equal(values.get(ALL_ALPHA), false);
  t.equal(explicit.size, 0);
  t.same(warnings, []);
  t.equal(parseFeatureGates('', '1.36').values.get(MVP), true);
});

t.test('explicit values, spacing and Go booleans', async (t) => {
  const { values, explicit } = parseFeatureGates(' UnknownVersionInteroperabilityProxy = true ,StorageVersionAPI=1,,WatchList=F', '1.30');
  t.equal(values.get(MVP), true);
  t.equal(values.get('StorageVersionAPI'), true);
  t.equal(values.get('WatchList'), false);
  t.same([...explicit.keys()], [MVP, 'StorageVersionAPI', 'WatchList']);
});

t.test('AllAlpha / AllBeta set every unset gate of their stage; explicit entries win', async (t) => {
  const alpha = parseFeatureGates('StorageVersionAPI=false,AllAlpha=true', '1.30').values;
  t.equal(alpha.get(ALL_ALPHA), true);
  t.equal(alpha.get(MVP), true, 'alpha gate switched on');
  t.equal(alpha.get('StorageVersionAPI'), false, 'explicit false wins even when written first');
  t.equal(alpha.get('APIServerIdentity'), true, 'beta gate untouched');

  const beta = parseFeatureGates('AllBeta=false,WatchList=true', '1.32').values;
  t.equal(beta.get('APIServerIdentity'), false, 'beta gates switched off');
  t.equal(beta.get('WatchList'), true, 'explicit beta value wins');
  t.equal(beta.get(MVP), false, 'alpha gate untouched');
  t.equal(beta.get('AuthorizeWithSelectors'), false);
  t.equal(beta.get('RetryGenerateName'), true, 'GA gate untouched');

  const both = parseFeatureGates('AllAlpha=true,AllBeta=true', '1.36').values;
  t.equal(both.get(MVP), true);
  t.equal(both.get('AggregatedDiscoveryRemoveBetaType'), true, 'deprecated gates keep their default');
});

t.test('1.25–1.30: pflag wraps the first error', async (t) => {
  t.throws(() => parseFeatureGates('Foo=true', '1.30'), {
    name: 'ProfileError',
    code: 'ERR_FEATURE_GATES',
    flag: 'feature-gates',
    message: 'invalid argument "Foo=true" for "--feature-gates" flag: unrecognized feature gate: Foo',
  });
  t.throws(() => parseFeatureGates(`${MVP}=true`, '1.27'), { message: `invalid argument "${MVP}=true" for "--feature-gates" flag: unrecognized feature gate: ${MVP}` });
  t.throws(() => parseFeatureGates('ServerSideApply=false', '1.25'), {
    message: 'invalid argument "ServerSideApply=false" for "--feature-gates" flag: cannot set feature gate ServerSideApply to false, feature is locked to true',
  });
  t.throws(() => parseFeatureGates('WatchList', '1.28'), { message: 'invalid argument "WatchList" for "--feature-gates" flag: missing bool value for WatchList' });
  t.throws(() => parseFeatureGates('WatchList=yes', '1.29'), {
    message: 'invalid argument "WatchList=yes" for "--feature-gates" flag: invalid value of WatchList=yes, err: strconv.ParseBool: parsing "yes": invalid syntax',
  });
  t.throws(() => parseFeatureGates('APIPriorityAndFairness=false,ServerSideApply=false', '1.29'), {
    message: 'invalid argument "APIPriorityAndFairness=false,ServerSideApply=false" for "--feature-gates" flag: cannot set feature gate APIPriorityAndFairness to false, feature is locked to true',
  });
});

t.test('1.31+: unwrapped, locked errors aggregated, kube: prefix accepted', async (t) => {
  t.throws(() => parseFeatureGates('Foo=true', '1.31'), { code: 'ERR_FEATURE_GATES', message: 'unrecognized feature gate: Foo' });
  t.throws(() => parseFeatureGates('ServerSideApply=true', '1.32'), { message: 'unrecognized feature gate: ServerSideApply' });
  t.throws(() => parseFeatureGates('RetryGenerateName=false,StructuredAuthorizationConfiguration=false', '1.32'), {
    message: '[cannot set feature gate RetryGenerateName to false, feature is locked to true, cannot set feature gate StructuredAuthorizationConfiguration to false, feature is locked to true]',
  });
  t.throws(() => parseFeatureGates('AggregatedDiscoveryRemoveBetaType=false', '1.35'), {
    message: 'cannot set feature gate AggregatedDiscoveryRemoveBetaType to false, feature is locked to true',
  });
  t.equal(parseFeatureGates(`kube:${MVP}=true`, '1.33').values.get(MVP), true);
  t.throws(() => parseFeatureGates(`kube:${MVP}=true,WatchList=true`, '1.33'), {
    message: 'set kube feature gates with default empty prefix or kube: prefix consistently, do not mix use',
  });
  t.throws(() => parseFeatureGates('wardle:Foo=true', '1.33'), { message: 'component not registered: wardle' });
});

t.test('warnings for GA and deprecated gates', async (t) => {
  t.same(parseFeatureGates('RetryGenerateName=true,AggregatedDiscoveryRemoveBetaType=false', '1.33').warnings, [
    'Setting GA feature gate RetryGenerateName=true. It will be removed in a future release.',
    'Setting deprecated feature gate AggregatedDiscoveryRemoveBetaType=false. It will be removed in a future release.',
  ]);
});

t.test('the Service allocator gates per minor, and removed gates keep their graduated behaviour', async (t) => {
  const on = (name: string, minor: string, flag = '') => featureEnabled(parseFeatureGates(flag, minor).values, name, minor);
  t.same(SUPPORTED_MINORS.map((m) => on('MultiCIDRServiceAllocator', m)), SUPPORTED_MINORS.map((m) => Number(m.split('.')[1]) >= 33), 'IPAddress allocation by default from 1.33');
  t.same(SUPPORTED_MINORS.map((m) => on('DisableAllocatorDualWrite', m)), SUPPORTED_MINORS.map((m) => Number(m.split('.')[1]) >= 34), 'dual write until 1.33');
  t.equal(on('MultiCIDRServiceAllocator', '1.32', 'MultiCIDRServiceAllocator=true'), true);
  t.same(['1.26', '1.27', '1.28', '1.30', '1.31', '1.36'].map((m) => on('ServiceNodePortStaticSubrange', m)), [false, false, true, true, true, true], 'unknown before 1.27, removed (on) from 1.31');
  t.equal(on('ServiceNodePortStaticSubrange', '1.27', 'ServiceNodePortStaticSubrange=true'), true);
  t.same(['1.25', '1.27', '1.28', '1.36'].map((m) => on('ServiceIPStaticSubrange', m)), [true, true, true, true]);
});
