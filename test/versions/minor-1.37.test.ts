// The facts of 1.37 (issue 13): one assertion per fact, each against 1.36 where the fact is a change.
import t from 'tap';
import { gatesFor } from '../../versions/features.js';
import { NEWEST_MINOR, PREVIOUS_MINOR, SUPPORTED_MINORS, loadManifest } from '../../versions/manifest.js';
import { minorInfo, versionDocument } from '../../versions/minors.js';
import { loadProfile } from '../../versions/profile.js';
import type { VersionProfile } from '../../versions/types.js';
import { defaultReferenceDir, projectReferenceDir, referenceSources } from '../../scripts/import-versions.js';
import { toTable } from '../../server/endpoints/table.js';

const served = (p: VersionProfile): string[] => p.groups.map((g) => g.groupVersion);
const byDefault = (minor: string): string[] => served(loadProfile({ minor }));
/** Everything the minor can serve: every group/version of its manifest switched on. */
const everything = (minor: string): string[] => served(loadProfile({ minor, runtimeConfig: 'api/all=true' }));

t.test('1.37 is a supported minor, the newest, imported from the project reference data', async (t) => {
  t.ok(SUPPORTED_MINORS.includes('1.37'));
  t.equal(NEWEST_MINOR, '1.37', 'the newest minor is the last manifest');
  t.equal(PREVIOUS_MINOR, '1.36');
  const sources = referenceSources(defaultReferenceDir());
  t.equal(sources.find((s) => s.minor === '1.37')?.manifest.startsWith(projectReferenceDir()), true, 'read from versions/reference/1.37');
  t.equal(versionDocument({ minor: '1.37' }).gitVersion, 'v1.37.0');
});

t.test('group/versions served by default and not', async (t) => {
  t.notOk(byDefault('1.36').includes('storagemigration.k8s.io/v1'), '1.36 has no storagemigration.k8s.io/v1');
  t.ok(byDefault('1.37').includes('storagemigration.k8s.io/v1'), 'storagemigration.k8s.io/v1 arrives, served by default');
  t.notOk(byDefault('1.37').includes('storagemigration.k8s.io/v1beta1'), 'storagemigration.k8s.io/v1beta1 stays off by default');
  t.ok(loadManifest('1.37').groups.some((g) => g.group === 'lifecycle.k8s.io' && g.versions.some((v) => v.version === 'v1alpha1' && !v.enabledByDefault)), 'lifecycle.k8s.io/v1alpha1 is new and off by default');
  t.notOk(byDefault('1.37').includes('lifecycle.k8s.io/v1alpha1'), 'lifecycle.k8s.io/v1alpha1 not served by default');
  t.ok(served(loadProfile({ minor: '1.37', runtimeConfig: 'lifecycle.k8s.io/v1alpha1=true' })).includes('lifecycle.k8s.io/v1alpha1'), 'served when switched on');
  t.notOk(everything('1.36').includes('lifecycle.k8s.io/v1alpha1'), 'no lifecycle.k8s.io in 1.36');
  t.ok(everything('1.37').includes('scheduling.k8s.io/v1alpha3'), 'scheduling.k8s.io/v1alpha3 arrives');
  t.notOk(byDefault('1.37').includes('scheduling.k8s.io/v1alpha3'), 'scheduling.k8s.io/v1alpha3 is off by default');
  const resourceV1 = loadProfile({ minor: '1.37' }).groups.find((g) => g.groupVersion === 'resource.k8s.io/v1')?.resources.map((r) => r.name);
  t.ok(resourceV1?.includes('devicetaintrules'), 'resource.k8s.io/v1 devicetaintrules, on by default');
});

t.test('group/versions gone in 1.37', async (t) => {
  for (const gv of ['networking.k8s.io/v1beta1', 'storage.k8s.io/v1beta1', 'certificates.k8s.io/v1alpha1', 'scheduling.k8s.io/v1alpha2']) {
    t.ok(everything('1.36').includes(gv) && !everything('1.37').includes(gv), `${gv}: in 1.36, gone in 1.37`);
  }
});

t.test('feature gates', async (t) => {
  const at = (minor: string, gate: string) => gatesFor(minor).get(gate);
  t.match(at('1.37', 'UnknownVersionInteroperabilityProxy'), { stage: 'BETA', default: true, lockToDefault: false }, 'the proxy gate is still beta and on');
  t.equal(at('1.36', 'CompositePodGroup'), undefined, 'CompositePodGroup is new in 1.37');
  t.match(at('1.37', 'CompositePodGroup'), { stage: 'ALPHA', default: false });
  t.match(at('1.37', 'GenericWorkload'), { stage: 'BETA', default: false }, 'GenericWorkload beta, off');
  t.match(at('1.37', 'DRADeviceTaintRules'), { stage: 'GA', default: true, lockToDefault: false }, 'DRADeviceTaintRules GA, not locked');
  t.match(at('1.37', 'EvictionRequestAPI'), { stage: 'ALPHA', default: false });
});

t.test('the Mixed Version Proxy as 1.37 has it', async (t) => {
  const mvp37 = minorInfo('1.37');
  t.equal(mvp37.mvpGeneration, 'discovery', 'routes by peer discovery');
  t.equal(mvp37.peerAggregatedDiscovery, true, 'merges /apis across peers');
  t.equal(minorInfo('1.36').mvp.peerDiscoveryMetrics, 'gate-on', '1.36 registers the discovery counters whenever the gate is on');
  t.equal(mvp37.mvp.peerDiscoveryMetrics, 'handler-built', '1.37 registers them only when peer-aggregated discovery is built');
  t.same({ ...mvp37.mvp, peerDiscoveryMetrics: 'gate-on' }, minorInfo('1.36').mvp, 'otherwise the 1.36 proxy');
});

t.test('the CRD table gains Group, Scope and Versions', async (t) => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com', creationTimestamp: '2026-08-26T10:00:00Z' },
    spec: { group: 'example.com', scope: 'Namespaced', versions: [{ name: 'v1beta1' }, { name: 'v1' }, { name: 'v1alpha1' }] },
  };
  const table = (minor: number, items: Record<string, unknown>[]) => toTable({ kind: 'CustomResourceDefinitionList', group: 'apiextensions.k8s.io', items, now: new Date('2026-09-01T00:00:00Z'), printers: minorInfo(`1.${minor}`).printers });
  t.same(table(36, [crd]).columnDefinitions?.map((c) => c.name), ['Name', 'Created At'], '1.36: the default convertor');
  const t37 = table(37, [crd]);
  t.same(t37.columnDefinitions?.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Group', 'string', ''], ['Scope', 'string', ''], ['Versions', 'string', ''], ['Created At', 'date', '']]);
  t.same(t37.rows?.[0]?.cells, ['widgets.example.com', 'example.com', 'Namespaced', 'v1,v1alpha1,v1beta1', '2026-08-26T10:00:00Z'], 'versions sorted, comma-joined');
  t.equal(table(37, []).rows, null, 'an empty list has rows: null');
});
