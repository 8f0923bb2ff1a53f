// --runtime-config as kube-apiserver parses, validates and merges it.
import t from 'tap';
import { loadProfile } from '../../versions/profile.js';
import { foldLegacyCoreKeys, parseRuntimeConfigFlag } from '../../versions/runtime-config.js';
import type { VersionProfile } from '../../versions/types.js';

function served(profile: VersionProfile): string[] {
  return profile.groups.map((g) => g.groupVersion);
}

function resources(profile: VersionProfile, groupVersion: string): string[] | undefined {
  return profile.groups.find((g) => g.groupVersion === groupVersion)?.resources.map((r) => r.name);
}

t.test('flag parsing follows cliflag.ConfigurationMap', async (t) => {
  t.same([...parseRuntimeConfigFlag(' apps/v1 = false ,,batch/v1,api/all=true,apps/v1=true')], [
    ['apps/v1', 'true'],
    ['batch/v1', ''],
    ['api/all', 'true'],
  ]);
  t.same([...foldLegacyCoreKeys(new Map([['api/legacy', 'false'], ['api/v1/pods', 'false'], ['apps/v1', 'true']]))], [
    ['/v1', 'false'],
    ['apps/v1', 'true'],
  ]);
});

t.test('defaults: GA on, beta/alpha off, legacy betas on where upstream kept them', async (t) => {
  const p130 = loadProfile({ minor: '1.30' });
  t.ok(served(p130).includes('flowcontrol.apiserver.k8s.io/v1beta3'));
  t.notOk(served(p130).includes('admissionregistration.k8s.io/v1beta1'));
  t.notOk(served(p130).includes('internal.apiserver.k8s.io/v1alpha1'));
  t.notOk(served(loadProfile({ minor: '1.33' })).some((gv) => /(alpha|beta)\d+$/.test(gv)), 'no prerelease API on by default in 1.33');
});

t.test('api/all=true enables every alpha and beta group/version', async (t) => {
  const p = loadProfile({ minor: '1.30', runtimeConfig: 'api/all=true' });
  for (const gv of ['internal.apiserver.k8s.io/v1alpha1', 'resource.k8s.io/v1alpha2', 'storagemigration.k8s.io/v1alpha1', 'admissionregistration.k8s.io/v1beta1', 'authentication.k8s.io/v1alpha1']) {
    t.ok(served(p).includes(gv), gv);
  }
  t.same(resources(p, 'internal.apiserver.k8s.io/v1alpha1'), ['storageversions']);
});

t.test('api/beta=true enables betas only; api/alpha=true alphas only', async (t) => {
  const beta = served(loadProfile({ minor: '1.36', runtimeConfig: 'api/beta=true' }));
  t.ok(beta.includes('resource.k8s.io/v1beta2') && beta.includes('storagemigration.k8s.io/v1beta1'));
  t.notOk(beta.includes('resource.k8s.io/v1alpha3'));
  const alpha = served(loadProfile({ minor: '1.36', runtimeConfig: 'api/alpha=true' }));
  t.ok(alpha.includes('resource.k8s.io/v1alpha3') && alpha.includes('internal.apiserver.k8s.io/v1alpha1'));
  t.notOk(alpha.includes('resource.k8s.io/v1beta2'));
});

t.test('a group/version key beats api/*; a resource key beats its group/version', async (t) => {
  const p = loadProfile({ minor: '1.32', runtimeConfig: 'batch/v1=false,api/all=true,internal.apiserver.k8s.io/v1alpha1=true' });
  t.notOk(served(p).includes('batch/v1'), 'batch/v1=false wins over api/all=true');
  t.ok(served(p).includes('internal.apiserver.k8s.io/v1alpha1'));

  const onlyCronJobs = loadProfile({ minor: '1.32', runtimeConfig: 'batch/v1/jobs=false' });
  t.same(resources(onlyCronJobs, 'batch/v1'), ['cronjobs']);

  const oneAlphaResource = loadProfile({ minor: '1.30', runtimeConfig: 'networking.k8s.io/v1alpha1/ipaddresses=true' });
  t.same(resources(oneAlphaResource, 'networking.k8s.io/v1alpha1'), ['ipaddresses'], 'a resource can be enabled inside a disabled version');

  const emptied = loadProfile({ minor: '1.32', runtimeConfig: 'coordination.k8s.io/v1/leases=false' });
  t.notOk(served(emptied).includes('coordination.k8s.io/v1'), 'a version without resources is not served');

  const versionClears = loadProfile({ minor: '1.32', runtimeConfig: 'api/all=false,v1=true,flowcontrol.apiserver.k8s.io/v1=true' });
  t.same(served(versionClears), ['v1', 'flowcontrol.apiserver.k8s.io/v1']);
});

t.test('core keys: v1, api/v1 and their resource forms all address the whole core group', async (t) => {
  for (const key of ['v1=false', 'api/v1=false', 'api/v1/pods=false', 'v1/pods=false']) {
    const p = loadProfile({ minor: '1.33', runtimeConfig: key });
    t.notOk(served(p).includes('v1'), `${key} disables core/v1 (upstream folds it to /v1)`);
    t.ok(served(p).includes('apps/v1'));
  }
  t.ok(served(loadProfile({ minor: '1.33', runtimeConfig: 'api/legacy=false' })).includes('v1'), 'api/legacy is ignored');
});

t.test('unknown group, unregistered version, invalid values: upstream texts', async (t) => {
  t.throws(() => loadProfile({ minor: '1.32', runtimeConfig: 'foo.example.com/v1=true' }), {
    name: 'ProfileError',
    code: 'ERR_RUNTIME_CONFIG',
    flag: 'runtime-config',
    message: 'unknown api groups foo.example.com',
  });
  t.throws(() => loadProfile({ minor: '1.32', runtimeConfig: 'foo.example.com/v1=true,bar.example.com/v1beta1/widgets=false' }), {
    message: 'unknown api groups foo.example.com,bar.example.com',
  });
  t.throws(() => loadProfile({ minor: '1.25', runtimeConfig: 'flowcontrol.apiserver.k8s.io/v1=true' }), {
    message: 'group version flowcontrol.apiserver.k8s.io/v1 that has not been registered',
  });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'apps/v1beta2=true' }), { message: 'group version apps/v1beta2 that has not been registered' });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: '/v2=true' }), { message: 'group version v2 that has not been registered' });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'apps=true' }), { message: 'runtime-config invalid key apps' });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'apps/v1/deployments/scale=false' }), { message: 'runtime-config invalid key apps/v1/deployments/scale' });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'api/beta=yes' }), { message: 'invalid value api/beta=yes' });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'api/alpha' }), { message: 'invalid value api/alpha=' });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'apps/v1=maybe' }), {
    message: 'invalid value of apps/v1: maybe, err: strconv.ParseBool: parsing "maybe": invalid syntax',
  });
  t.throws(() => loadProfile({ minor: '1.30', runtimeConfig: 'apps/v1/Deployments=false' }), {
    message: 'invalid key apps/v1/Deployments: group/version/resource and resource is always lowercase plural, not "Deployments"',
  });
  t.ok(served(loadProfile({ minor: '1.30', runtimeConfig: 'apps/v1=' })).includes('apps/v1'), 'an empty value means true');
  t.ok(served(loadProfile({ minor: '1.30', runtimeConfig: 'apps/v1/nosuchthings=true' })).includes('apps/v1'), 'unknown resource of a known version is accepted');
});

t.test('versions an earlier release served stay registered: accepted, nothing served', async (t) => {
  const p = loadProfile({ minor: '1.32', runtimeConfig: 'flowcontrol.apiserver.k8s.io/v1beta3=true' });
  t.notOk(served(p).includes('flowcontrol.apiserver.k8s.io/v1beta3'));
  t.ok(served(loadProfile({ minor: '1.25', runtimeConfig: 'batch/v1beta1=false' })).includes('batch/v1'));
});

t.test('api/all=false: rejected alone, and in conflict with API Priority and Fairness', async (t) => {
  t.throws(() => loadProfile({ minor: '1.33', runtimeConfig: 'api/all=false' }), {
    message: '[--runtime-config=api/all=false conflicts with --enable-priority-and-fairness=true, invalid key with only api/all=false]',
  });
  t.throws(() => loadProfile({ minor: '1.33', runtimeConfig: 'api/all=false', enablePriorityAndFairness: false }), {
    message: 'invalid key with only api/all=false',
  });
  t.throws(() => loadProfile({ minor: '1.33', runtimeConfig: 'api/all=false,v1=true' }), {
    message: '--runtime-config=api/all=false conflicts with --enable-priority-and-fairness=true',
  });
  t.throws(() => loadProfile({ minor: '1.33', runtimeConfig: 'flowcontrol.apiserver.k8s.io/v1=false' }), {
    message: '--runtime-config=flowcontrol.apiserver.k8s.io/v1=false conflicts with --enable-priority-and-fairness=true',
  });
  t.throws(() => loadProfile({ minor: '1.27', runtimeConfig: 'api/beta=false' }), {
    message: '--runtime-config=api/beta=false conflicts with --enable-priority-and-fairness=true and --feature-gates=APIPriorityAndFairness=true',
  });
  t.ok(loadProfile({ minor: '1.33', runtimeConfig: 'api/beta=false' }), 'api/beta no longer matters once flowcontrol is GA');
  t.ok(loadProfile({ minor: '1.33', runtimeConfig: 'api/ga=false,flowcontrol.apiserver.k8s.io/v1=true' }));
});
