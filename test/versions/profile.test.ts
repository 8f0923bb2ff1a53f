// loadProfile and the per-minor behaviours it carries.
import t from 'tap';
import { SUPPORTED_MINORS } from '../../versions/manifest.js';
import { minorInfo, versionDocument } from '../../versions/minors.js';
import { loadProfile } from '../../versions/profile.js';
import type { VersionProfile } from '../../versions/types.js';

function served(profile: VersionProfile): string[] {
  return profile.groups.map((g) => g.groupVersion);
}

t.test('identity fields', async (t) => {
  const p = loadProfile({ minor: 'v1.32.3' });
  t.equal(p.minor, '1.32');
  t.equal(p.major, 1);
  t.equal(p.minorNumber, 32);
  t.equal(p.gitVersion, 'v1.32.0');
  t.equal(p.featureSpecs.get('UnknownVersionInteroperabilityProxy')?.stage, 'ALPHA');
});

t.test('served group/versions follow the release facts', async (t) => {
  t.notOk(served(loadProfile({ minor: '1.25' })).includes('batch/v1beta1'));
  t.notOk(served(loadProfile({ minor: '1.28' })).includes('flowcontrol.apiserver.k8s.io/v1'));
  t.ok(served(loadProfile({ minor: '1.29' })).includes('flowcontrol.apiserver.k8s.io/v1'));
  t.ok(served(loadProfile({ minor: '1.31' })).includes('flowcontrol.apiserver.k8s.io/v1beta3'));
  t.notOk(served(loadProfile({ minor: '1.32' })).includes('flowcontrol.apiserver.k8s.io/v1beta3'));
  t.notOk(served(loadProfile({ minor: '1.33' })).includes('resource.k8s.io/v1'));
  t.ok(served(loadProfile({ minor: '1.34' })).includes('resource.k8s.io/v1'));
  const map = (minor: string) => loadProfile({ minor }).groups.find((g) => g.groupVersion === 'admissionregistration.k8s.io/v1')?.resources.map((r) => r.name);
  t.notOk(map('1.35')?.includes('mutatingadmissionpolicies'));
  t.ok(map('1.36')?.includes('mutatingadmissionpolicies'));
  t.ok(map('1.36')?.includes('mutatingadmissionpolicybindings'));
});

t.test('every minor serves core v1 first; preferred version first within a group', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    const p = loadProfile({ minor });
    t.equal(p.groups[0]?.groupVersion, 'v1', minor);
    t.ok(p.groups[0]?.resources.some((r) => r.name === 'pods'), minor);
  }
  const autoscaling = loadProfile({ minor: '1.25' }).groups.filter((g) => g.group === 'autoscaling').map((g) => g.version);
  t.same(autoscaling, ['v2', 'v1', 'v2beta2']);
  const resource = loadProfile({ minor: '1.36', runtimeConfig: 'resource.k8s.io/v1=false,api/beta=true' }).groups.filter((g) => g.group === 'resource.k8s.io');
  t.same(resource.map((g) => g.version), ['v1beta2', 'v1beta1'], 'first enabled version becomes preferred');
});

t.test('MVP generation, peer-aggregated discovery per minor', async (t) => {
  const expected: Record<string, [string, boolean]> = {
    '1.25': ['none', false], '1.26': ['none', false], '1.27': ['none', false],
    '1.28': ['storage-version', false], '1.29': ['storage-version', false], '1.30': ['storage-version', false],
    '1.31': ['storage-version', false], '1.32': ['storage-version', false],
    '1.33': ['discovery', false], '1.34': ['discovery', false], '1.35': ['discovery', true], '1.36': ['discovery', true], '1.37': ['discovery', true],
  };
  for (const minor of SUPPORTED_MINORS) {
    const p = loadProfile({ minor });
    t.same([p.mvpGeneration, p.peerAggregatedDiscovery], expected[minor], minor);
  }
});

t.test('the MVP gate stage and value per minor, through profiles', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    const p = loadProfile({ minor });
    const n = p.minorNumber;
    t.equal(p.featureGates.get('UnknownVersionInteroperabilityProxy'), n <= 27 ? undefined : n >= 36, minor);
  }
  t.throws(() => loadProfile({ minor: '1.30', featureGates: 'UnknownVersionInteroperabilityProxy=true' }), {
    code: 'ERR_FEATURE_DEPENDENCY',
    flag: 'feature-gates',
    message: 'UnknownVersionInteroperabilityProxy feature requires StorageVersionAPI feature flag to be enabled',
  });
  const ok = loadProfile({ minor: '1.30', featureGates: 'UnknownVersionInteroperabilityProxy=true,StorageVersionAPI=true', runtimeConfig: 'internal.apiserver.k8s.io/v1alpha1=true' });
  t.equal(ok.featureGates.get('UnknownVersionInteroperabilityProxy'), true);
  t.ok(served(ok).includes('internal.apiserver.k8s.io/v1alpha1'));
  t.equal(loadProfile({ minor: '1.33', featureGates: 'UnknownVersionInteroperabilityProxy=true' }).featureGates.get('UnknownVersionInteroperabilityProxy'), true, 'no StorageVersionAPI needed from 1.33');
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'nope/v1=true', featureGates: 'UnknownVersionInteroperabilityProxy=true' }), {
    code: 'ERR_RUNTIME_CONFIG',
    message: '[unknown api groups nope, UnknownVersionInteroperabilityProxy feature requires StorageVersionAPI feature flag to be enabled]',
  }, 'option validation reports every problem');
});

t.test('aggregated discovery versions per minor and gate', async (t) => {
  const versions = (minor: string, featureGates?: string) => loadProfile({ minor, featureGates }).aggregatedDiscoveryVersions;
  t.same(versions('1.25'), []);
  t.same(versions('1.26'), [], 'alpha, off by default');
  t.same(versions('1.26', 'AggregatedDiscoveryEndpoint=true'), ['v2beta1']);
  t.same(versions('1.27'), ['v2beta1']);
  t.same(versions('1.29', 'AggregatedDiscoveryEndpoint=false'), []);
  t.same(versions('1.30'), ['v2', 'v2beta1']);
  t.same(versions('1.32'), ['v2', 'v2beta1']);
  t.same(versions('1.33'), ['v2']);
  t.same(versions('1.34', 'AggregatedDiscoveryRemoveBetaType=false'), ['v2', 'v2beta1']);
  t.same(versions('1.36'), ['v2']);
  t.throws(() => versions('1.35', 'AggregatedDiscoveryRemoveBetaType=false'), { code: 'ERR_FEATURE_GATES' });
});

t.test('/version document', async (t) => {
  const v125 = versionDocument({ minor: '1.25' });
  t.same(v125, {
    major: '1',
    minor: '25',
    gitVersion: 'v1.25.0',
    gitCommit: 'a866cbe2e5bbaa01cfd5e969aa3e033f3282a8a2',
    gitTreeState: 'clean',
    buildDate: '2022-08-23T17:38:15Z',
    goVersion: 'go1.19',
    compiler: 'gc',
    platform: 'linux/amd64',
  });
  t.same(Object.keys(versionDocument({ minor: '1.32' })), ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']);
  const v135 = versionDocument(loadProfile({ minor: '1.35' }));
  t.same(Object.keys(v135).slice(0, 7), ['major', 'minor', 'emulationMajor', 'emulationMinor', 'minCompatibilityMajor', 'minCompatibilityMinor', 'gitVersion']);
  t.match(v135, { major: '1', minor: '35', emulationMajor: '1', emulationMinor: '35', minCompatibilityMajor: '1', minCompatibilityMinor: '34', gitVersion: 'v1.35.0', goVersion: 'go1.25.5' });
  for (const minor of SUPPORTED_MINORS) {
    const doc = versionDocument({ minor });
    t.equal(doc.gitVersion, `v${minor}.0`);
    t.equal('emulationMajor' in doc, minorInfo(minor).minorNumber >= 33, `${minor}: emulation fields only from 1.33`);
  }
});
