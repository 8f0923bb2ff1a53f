// Known facts about the per-minor manifests, checked through loadManifest.
import t from 'tap';
import { SUPPORTED_MINORS, loadManifest, normalizeMinor } from '../../versions/manifest.js';
import { ProfileError } from '../../versions/errors.js';
import type { GroupVersionManifest, ResourceManifest, VersionManifest } from '../../versions/types.js';
import { compareVersionPriority } from '../../versions/version-order.js';

function gv(manifest: VersionManifest, group: string, version: string): GroupVersionManifest | undefined {
  return manifest.groups.find((g) => g.group === group)?.versions.find((v) => v.version === version);
}

function resource(manifest: VersionManifest, group: string, version: string, name: string): ResourceManifest | undefined {
  return gv(manifest, group, version)?.resources.find((r) => r.name === name);
}

t.test('supports exactly 1.25 through 1.37, one per manifest file', async (t) => {
  t.same(SUPPORTED_MINORS, ['1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37']);
});

t.test('normalizeMinor accepts the usual spellings and names the supported minors otherwise', async (t) => {
  t.equal(normalizeMinor('1.32'), '1.32');
  t.equal(normalizeMinor('v1.32'), '1.32');
  t.equal(normalizeMinor('1.32.4'), '1.32');
  t.equal(normalizeMinor('v1.32.0'), '1.32');
  t.throws(() => normalizeMinor('1.24'), {
    name: 'ProfileError',
    code: 'ERR_UNSUPPORTED_MINOR',
    message: 'unsupported Kubernetes version "1.24": kube-skew simulates 1.25, 1.26, 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36, 1.37',
  });
  t.throws(() => loadManifest('banana'), ProfileError);
});

t.test('loadManifest caches and freezes', async (t) => {
  const m = loadManifest('1.30');
  t.equal(loadManifest('v1.30.2'), m, 'same object for any spelling');
  t.ok(Object.isFrozen(m) && Object.isFrozen(m.groups[0]?.versions[0]?.resources[0]), 'deep-frozen');
});

t.test('every minor: core v1 first, with pods as kubectl knows them', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    const m = loadManifest(minor);
    t.equal(m.minor, minor);
    t.equal(m.groups[0]?.group, '', `${minor}: core group first`);
    t.equal(m.groups[0]?.versions[0]?.version, 'v1');
    const pods = resource(m, '', 'v1', 'pods');
    t.ok(pods, `${minor}: pods`);
    t.equal(pods?.kind, 'Pod');
    t.equal(pods?.singularName, 'pod');
    t.equal(pods?.namespaced, true);
    t.same(pods?.shortNames, ['po']);
    t.same(pods?.categories, ['all']);
    t.ok(pods?.subresources?.some((s) => s.name === 'status' && s.kind === 'Pod'), `${minor}: pods/status`);
    t.same(pods?.subresources?.find((s) => s.name === 'eviction'), { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    t.equal(pods?.enabledByDefault, true);
  }
});

t.test('deployments/scale answers autoscaling/v1 Scale', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    const scale = resource(loadManifest(minor), 'apps', 'v1', 'deployments')?.subresources?.find((s) => s.name === 'scale');
    t.same(scale, { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] }, minor);
  }
});

t.test('each group lists its versions in preference order', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    for (const g of loadManifest(minor).groups) {
      const versions = g.versions.map((v) => v.version);
      t.same(versions, [...versions].sort(compareVersionPriority), `${minor} ${g.group || 'core'}`);
    }
  }
  t.same(loadManifest('1.34').groups.find((g) => g.group === 'resource.k8s.io')?.versions.map((v) => v.version), ['v1', 'v1beta2', 'v1beta1', 'v1alpha3']);
});

t.test('release facts', async (t) => {
  t.notOk(gv(loadManifest('1.25'), 'batch', 'v1beta1'), 'batch/v1beta1 removed in 1.25');
  t.notOk(gv(loadManifest('1.28'), 'flowcontrol.apiserver.k8s.io', 'v1'), 'no flowcontrol v1 in 1.28');
  t.equal(gv(loadManifest('1.29'), 'flowcontrol.apiserver.k8s.io', 'v1')?.enabledByDefault, true, 'flowcontrol v1 GA in 1.29');
  t.equal(gv(loadManifest('1.31'), 'flowcontrol.apiserver.k8s.io', 'v1beta3')?.enabledByDefault, true, 'v1beta3 still on in 1.31');
  t.notOk(gv(loadManifest('1.32'), 'flowcontrol.apiserver.k8s.io', 'v1beta3'), 'v1beta3 removed in 1.32');
  t.notOk(gv(loadManifest('1.33'), 'resource.k8s.io', 'v1'), 'no resource.k8s.io/v1 in 1.33');
  t.equal(gv(loadManifest('1.34'), 'resource.k8s.io', 'v1')?.enabledByDefault, true, 'resource.k8s.io/v1 in 1.34');
  t.notOk(resource(loadManifest('1.35'), 'admissionregistration.k8s.io', 'v1', 'mutatingadmissionpolicies'));
  t.equal(resource(loadManifest('1.36'), 'admissionregistration.k8s.io', 'v1', 'mutatingadmissionpolicies')?.enabledByDefault, true);
  t.equal(gv(loadManifest('1.30'), 'internal.apiserver.k8s.io', 'v1alpha1')?.enabledByDefault, false, 'storageversions off by default');
});
