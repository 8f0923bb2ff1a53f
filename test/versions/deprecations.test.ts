/**
 * Deprecation data and upstream's warning text: deprecated from its release on, with the removal
 * release and the replacement when known, and nothing before the deprecation release.
 */
import t from 'tap';
import { API_LIFECYCLES, deprecationWarning } from '../../versions/deprecations.js';
import { loadProfile } from '../../versions/profile.js';

t.test('warning texts as kube-apiserver writes them', async (t) => {
  t.equal(deprecationWarning('flowcontrol.apiserver.k8s.io', 'v1beta3', 'FlowSchema', 1, 29), 'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema');
  t.equal(deprecationWarning('flowcontrol.apiserver.k8s.io', 'v1beta3', 'FlowSchema', 1, 28), undefined, 'not yet deprecated in 1.28');
  t.equal(deprecationWarning('autoscaling', 'v2beta2', 'HorizontalPodAutoscaler', 1, 25), 'autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated in v1.23+, unavailable in v1.26+; use autoscaling/v2 HorizontalPodAutoscaler');
  t.equal(deprecationWarning('storage.k8s.io', 'v1beta1', 'CSIStorageCapacity', 1, 26), 'storage.k8s.io/v1beta1 CSIStorageCapacity is deprecated in v1.24+, unavailable in v1.27+; use storage.k8s.io/v1 CSIStorageCapacity');
  t.equal(deprecationWarning('', 'v1', 'ComponentStatus', 1, 32), 'v1 ComponentStatus is deprecated in v1.19+');
  t.equal(deprecationWarning('', 'v1', 'Endpoints', 1, 33), 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice');
  t.equal(deprecationWarning('', 'v1', 'Endpoints', 1, 32), undefined);
  t.equal(deprecationWarning('apps', 'v1', 'Deployment', 1, 36), undefined, 'GA types are not deprecated');
});

t.test('every default-served beta group/version of 1.25–1.31 carries a warning', async (t) => {
  const beta: Record<string, string[]> = {
    '1.25': ['autoscaling/v2beta2', 'storage.k8s.io/v1beta1', 'flowcontrol.apiserver.k8s.io/v1beta1'],
    '1.26': ['storage.k8s.io/v1beta1', 'flowcontrol.apiserver.k8s.io/v1beta2'],
    '1.29': ['flowcontrol.apiserver.k8s.io/v1beta3'],
    '1.31': ['flowcontrol.apiserver.k8s.io/v1beta3'],
  };
  for (const [minor, gvs] of Object.entries(beta)) {
    const profile = loadProfile({ minor });
    for (const gv of profile.groups.filter((g) => gvs.includes(g.groupVersion))) {
      for (const r of gv.resources) t.ok(deprecationWarning(gv.group, gv.version, r.kind, 1, profile.minorNumber), `${minor} ${gv.groupVersion} ${r.kind}`);
    }
  }
  t.equal(deprecationWarning('flowcontrol.apiserver.k8s.io', 'v1beta2', 'FlowSchema', 1, 25), undefined, 'v1beta2 was the newest flowcontrol version in 1.25');
  t.ok(API_LIFECYCLES.every((l) => !l.removed || l.removed[1] > l.deprecated[1]), 'removal after deprecation');
});
