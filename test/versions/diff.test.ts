// diffProfiles: what a client gains or loses across an upgrade.
import t from 'tap';
import { diffProfiles } from '../../versions/diff.js';
import { loadProfile } from '../../versions/profile.js';

t.test('1.31 → 1.32 loses flowcontrol v1beta3', async (t) => {
  const d = diffProfiles(loadProfile({ minor: '1.31' }), loadProfile({ minor: '1.32' }));
  t.equal(d.from, '1.31');
  t.equal(d.to, '1.32');
  t.same(d.removedGroupVersions, [{ groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', resources: ['flowschemas', 'prioritylevelconfigurations'] }]);
  t.same(d.addedGroupVersions, []);
  t.same(d.addedResources, []);
  t.same(d.removedResources, []);
  t.same(d.preferredVersionChanges, []);
});

t.test('1.33 → 1.34 gains resource.k8s.io/v1 and storage v1 volumeattributesclasses', async (t) => {
  const d = diffProfiles(loadProfile({ minor: '1.33' }), loadProfile({ minor: '1.34' }));
  t.same(d.addedGroupVersions.map((g) => g.groupVersion), ['resource.k8s.io/v1']);
  t.same(d.addedResources, [{ groupVersion: 'storage.k8s.io/v1', resource: 'volumeattributesclasses' }]);
  t.same(d.preferredVersionChanges, [{ group: 'resource.k8s.io', from: undefined, to: 'v1' }]);
});

t.test('1.35 → 1.36 gains mutating admission policies in admissionregistration v1', async (t) => {
  const d = diffProfiles(loadProfile({ minor: '1.35' }), loadProfile({ minor: '1.36' }));
  t.same(d.addedResources, [
    { groupVersion: 'admissionregistration.k8s.io/v1', resource: 'mutatingadmissionpolicies' },
    { groupVersion: 'admissionregistration.k8s.io/v1', resource: 'mutatingadmissionpolicybindings' },
  ]);
});

t.test('a profile diffed with itself is empty; reversed diffs swap sides', async (t) => {
  const p = loadProfile({ minor: '1.30', runtimeConfig: 'api/beta=true' });
  const q = loadProfile({ minor: '1.30' });
  const same = diffProfiles(p, p);
  t.same([same.addedGroupVersions, same.removedGroupVersions, same.addedResources, same.removedResources, same.preferredVersionChanges], [[], [], [], [], []]);
  const forward = diffProfiles(q, p);
  const backward = diffProfiles(p, q);
  t.same(forward.addedGroupVersions, backward.removedGroupVersions);
  t.ok(forward.addedGroupVersions.some((g) => g.groupVersion === 'admissionregistration.k8s.io/v1beta1'));
});
