// diffProfiles: what a client gains or loses across an upgrade.
import t from 'tap';
import { diffMinors, diffProfiles } from '../../versions/diff.js';
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

t.test('diffMinors: removals name their replacement, deprecations their releases', async (t) => {
  const d = diffMinors('1.31', '1.32');
  t.same(d.groupVersions, [
    {
      groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      change: 'removed',
      resources: [
        { groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', resource: 'flowschemas', kind: 'FlowSchema', replacement: 'flowcontrol.apiserver.k8s.io/v1 FlowSchema' },
        { groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', resource: 'prioritylevelconfigurations', kind: 'PriorityLevelConfiguration', replacement: 'flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration' },
      ],
    },
  ]);
  t.same(d.deprecated, []);
  const e = diffMinors('1.32', '1.33');
  t.same(e.deprecated, [{ groupVersion: 'v1', resource: 'endpoints', kind: 'Endpoints', replacement: 'discovery.k8s.io/v1 EndpointSlice', deprecatedIn: '1.33' }]);
  t.same(e.groupVersions, []);
  t.same(e.addedResources.map((r) => `${r.groupVersion} ${r.resource} ${r.kind}`).sort(), ['networking.k8s.io/v1 ipaddresses IPAddress', 'networking.k8s.io/v1 servicecidrs ServiceCIDR']);
});

t.test('diffMinors: a group/version a flag can still serve is "off by default", not removed', async (t) => {
  const down = diffMinors('1.25', '1.27');
  const csi = down.groupVersions.find((g) => g.groupVersion === 'storage.k8s.io/v1beta1');
  t.equal(csi?.change, 'removed', 'storage v1beta1 CSIStorageCapacity is gone from 1.27');
  const back = diffMinors('1.36', '1.25');
  t.equal(back.groupVersions.find((g) => g.groupVersion === 'storage.k8s.io/v1beta1')?.change, 'enabled-by-default', '1.36 has storage v1beta1 off by default; 1.25 serves it');
  t.same(back.deprecated, [], 'a downgrade deprecates nothing');
  t.same(back.preferredVersionChanges.find((p) => p.group === 'flowcontrol.apiserver.k8s.io'), { group: 'flowcontrol.apiserver.k8s.io', from: 'v1', to: 'v1beta2' });
});
