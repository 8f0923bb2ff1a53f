// The generator: shape of its output and determinism against the committed manifests.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildManifest, defaultReferenceDir, importVersions, renderManifests, serializeManifest, type RefDefaults, type RefManifest } from '../../scripts/import-versions.js';
import { MANIFESTS_DIR, SUPPORTED_MINORS } from '../../versions/manifest.js';

const refDir = defaultReferenceDir();
const haveReference = existsSync(join(refDir, 'manifests', '1.25.json'));
const committedDir = fileURLToPath(MANIFESTS_DIR);

t.test('re-running the import reproduces the committed manifests byte for byte', { skip: haveReference ? false : `no reference data at ${refDir}` }, async (t) => {
  const out1 = mkdtempSync(join(tmpdir(), 'kube-skew-import-'));
  const out2 = mkdtempSync(join(tmpdir(), 'kube-skew-import-'));
  t.teardown(() => {
    rmSync(out1, { recursive: true, force: true });
    rmSync(out2, { recursive: true, force: true });
  });
  const written = importVersions(refDir, out1);
  importVersions(refDir, out2);
  t.equal(written.length, SUPPORTED_MINORS.length);
  t.same(readdirSync(out1).sort(), SUPPORTED_MINORS.map((m) => `${m}.json`));
  for (const minor of SUPPORTED_MINORS) {
    const name = `${minor}.json`;
    const fresh = readFileSync(join(out1, name), 'utf8');
    t.equal(fresh, readFileSync(join(out2, name), 'utf8'), `${name}: two runs agree`);
    t.equal(fresh, readFileSync(join(committedDir, name), 'utf8'), `${name}: matches the committed file`);
    t.ok(fresh.endsWith('}\n') && fresh.startsWith('{\n "minor"'), `${name}: 1-space indent, trailing newline`);
  }
  t.same([...renderManifests(refDir).keys()], SUPPORTED_MINORS.map((m) => `${m}.json`));
});

t.test('buildManifest: core first, versions sorted, defaults applied, subresource group/version split', async (t) => {
  const ref: RefManifest = {
    minor: '1.99',
    core: {
      group: '',
      version: 'v1',
      enabledByDefault: true,
      resources: [{ resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, verbs: ['get'], shortNames: ['po'] }],
    },
    groups: [
      {
        group: 'example.io',
        versions: [
          { version: 'v1alpha1', stability: 'alpha', enabledByDefault: false, resources: [{ resource: 'foos', singular: 'foo', kind: 'Foo', namespaced: false, verbs: ['get'], enabledByDefault: false }] },
          {
            version: 'v1',
            stability: 'ga',
            enabledByDefault: true,
            resources: [
              {
                resource: 'foos',
                singular: 'foo',
                kind: 'Foo',
                namespaced: false,
                verbs: ['get'],
                categories: [],
                subresources: [{ name: 'scale', kind: 'Scale', verbs: ['get'], groupVersion: 'autoscaling/v1' }],
                enabledByDefault: true,
              },
            ],
          },
        ],
      },
    ],
  };
  const defaults: RefDefaults = { minor: '1.99', enabledByDefaultGroupVersions: ['v1 (core, /api)', 'example.io/v1'], legacyBetaResourcesEnabledByDefault: [] };
  const m = buildManifest(ref, defaults);
  t.same(m.groups.map((g) => g.group), ['', 'example.io']);
  t.same(m.groups[1]?.versions.map((v) => v.version), ['v1', 'v1alpha1']);
  const foos = m.groups[1]?.versions[0]?.resources[0];
  t.same(Object.keys(foos ?? {}), ['name', 'singularName', 'kind', 'namespaced', 'verbs', 'subresources', 'enabledByDefault'], 'key order, empty lists dropped');
  t.same(foos?.subresources?.[0], { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get'] });
  t.equal(serializeManifest(m), serializeManifest(buildManifest(ref, defaults)), 'deterministic');

  const disagreeing: RefDefaults = { ...defaults, enabledByDefaultGroupVersions: ['v1 (core, /api)'] };
  t.throws(() => buildManifest(ref, disagreeing), /example\.io\/v1.*enabledByDefault/, 'manifest and defaults must agree');
});
