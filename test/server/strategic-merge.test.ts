/**
 * Strategic merge patch in-process: a table of cases modelled on upstream's strategicpatch test
 * data (lists merged by key, `$patch`, `$setElementOrder`, `$retainKeys`,
 * `$deleteFromPrimitiveList`, null deletes) against the built-in patch metadata, then the errors
 * with upstream's texts and how the PATCH handler classifies them (400, 422, 500).
 */
import t from 'tap';
import { patchMeta } from '../../server/registry/patch-meta.js';
import { strategicMergePatch, StrategicMergeError } from '../../server/registry/strategic-merge.js';
import { decodePatch } from '../../server/registry/patch.js';
import { isStatusError } from '../../server/errors/status.js';

const POD = patchMeta({ group: '', version: 'v1', kind: 'Pod' });
const DEPLOYMENT = patchMeta({ group: 'apps', version: 'v1', kind: 'Deployment' });

type Obj = Record<string, unknown>;
const pod = (spec: Obj, metadata: Obj = { name: 'p' }): Obj => ({ metadata, spec });

interface Case {
  name: string;
  original: Obj;
  patch: Obj;
  expected: Obj;
  kind?: 'pod' | 'deployment';
}

const CASES: Case[] = [
  {
    name: 'containers merge by name: a matching element merges, others stay',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
    expected: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }] }),
  },
  {
    name: 'a new element goes first without $setElementOrder (patch items precede server-only ones)',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }] }),
    patch: { spec: { containers: [{ name: 'c', image: 'c:1' }] } },
    expected: pod({ containers: [{ name: 'c', image: 'c:1' }, { name: 'a', image: 'a:1' }] }),
  },
  {
    name: '$patch: delete removes the element with that key',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
    patch: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
    expected: pod({ containers: [{ name: 'b', image: 'b:1' }] }),
  },
  {
    name: '$patch: replace in a list replaces the whole list',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
    patch: { spec: { containers: [{ name: 'z', image: 'z:1' }, { $patch: 'replace' }] } },
    expected: pod({ containers: [{ name: 'z', image: 'z:1' }] }),
  },
  {
    name: '$patch: replace on a map replaces the map',
    original: pod({ nodeSelector: { a: '1', b: '2' }, restartPolicy: 'Always' }),
    patch: { spec: { nodeSelector: { $patch: 'replace', c: '3' } } },
    expected: pod({ nodeSelector: { c: '3' }, restartPolicy: 'Always' }),
  },
  {
    name: '$patch: delete on a map empties it',
    original: pod({ securityContext: { runAsUser: 1 } }),
    patch: { spec: { securityContext: { $patch: 'delete' } } },
    expected: pod({ securityContext: {} }),
  },
  {
    name: 'null deletes a map key; nested maps merge',
    original: { metadata: { name: 'p', labels: { a: '1', b: '2' }, annotations: { x: 'y' } } },
    patch: { metadata: { labels: { a: null, c: '3' } } },
    expected: { metadata: { name: 'p', labels: { b: '2', c: '3' }, annotations: { x: 'y' } } },
  },
  {
    name: 'nulls inside a value added whole are dropped',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }] }),
    patch: { spec: { securityContext: { runAsUser: null, runAsGroup: 1 }, containers: [{ name: 'b', image: 'b:1', workingDir: null }] } },
    expected: pod({ containers: [{ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:1' }], securityContext: { runAsGroup: 1 } }),
  },
  {
    name: 'a primitive list with merge strategy merges as a set (finalizers)',
    original: { metadata: { name: 'p', finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    expected: { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: '$deleteFromPrimitiveList removes values',
    original: { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    expected: { metadata: { name: 'p', finalizers: ['a', 'c'] } },
  },
  {
    name: '$deleteFromPrimitiveList of a missing list adds nothing',
    original: { metadata: { name: 'p' } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    expected: { metadata: { name: 'p' } },
  },
  {
    name: 'lists without a strategy are replaced (tolerations, args)',
    original: pod({ tolerations: [{ key: 'a' }, { key: 'b' }], containers: [{ name: 'a', args: ['1', '2'] }] }),
    patch: { spec: { tolerations: [{ key: 'c' }], containers: [{ name: 'a', args: ['3'] }] } },
    expected: pod({ tolerations: [{ key: 'c' }], containers: [{ name: 'a', args: ['3'] }] }),
  },
  {
    name: 'ports merge by containerPort, env by name, volumeMounts by mountPath',
    original: pod({
      containers: [
        {
          name: 'a',
          ports: [{ containerPort: 80 }, { containerPort: 443 }],
          env: [{ name: 'X', value: '1' }],
          volumeMounts: [{ mountPath: '/a', name: 'v' }],
        },
      ],
    }),
    patch: {
      spec: { containers: [{ name: 'a', ports: [{ containerPort: 443, name: 'https' }], env: [{ name: 'Y', value: '2' }], volumeMounts: [{ mountPath: '/b', name: 'w' }] }] },
    },
    expected: pod({
      containers: [
        {
          name: 'a',
          ports: [{ containerPort: 80 }, { containerPort: 443, name: 'https' }],
          env: [
            { name: 'Y', value: '2' },
            { name: 'X', value: '1' },
          ],
          volumeMounts: [
            { mountPath: '/b', name: 'w' },
            { mountPath: '/a', name: 'v' },
          ],
        },
      ],
    }),
  },
  {
    name: '$setElementOrder reorders the live list',
    original: pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
    expected: pod({ containers: [{ name: 'c' }, { name: 'a' }, { name: 'b' }] }),
  },
  {
    name: '$setElementOrder with patch items and server-only items (patch order first, server-only kept in live order)',
    original: pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'd' }, { name: 'a' }], containers: [{ name: 'd', image: 'x' }] } },
    expected: pod({ containers: [{ name: 'd', image: 'x' }, { name: 'a' }, { name: 'b' }, { name: 'c' }] }),
  },
  {
    name: '$setElementOrder of a primitive list',
    original: { metadata: { name: 'p', finalizers: ['a', 'b'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } },
    expected: { metadata: { name: 'p', finalizers: ['c', 'b', 'a'] } },
  },
  {
    name: "kubectl apply's patch: annotation, replicas, $setElementOrder and a container merged by name",
    kind: 'deployment',
    original: {
      metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } } },
    },
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}' } },
      spec: { replicas: 3, template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.28', name: 'nginx' }] } } },
    },
    expected: {
      metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28', ports: [{ containerPort: 80 }] }] } } },
    },
  },
  {
    name: '$retainKeys clears the keys it does not list (Deployment strategy)',
    kind: 'deployment',
    original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
    expected: { spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: '$retainKeys inside a volume switches its source',
    original: pod({ volumes: [{ name: 'v', hostPath: { path: '/x' } }, { name: 'w', emptyDir: {} }] }),
    patch: { spec: { volumes: [{ $retainKeys: ['emptyDir', 'name'], name: 'v', emptyDir: {} }] } },
    expected: pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] }),
  },
  {
    name: 'ownerReferences merge by uid',
    original: { metadata: { name: 'p', ownerReferences: [{ uid: '1', name: 'a' }] } },
    patch: { metadata: { ownerReferences: [{ uid: '2', name: 'b' }] } },
    expected: { metadata: { name: 'p', ownerReferences: [{ uid: '2', name: 'b' }, { uid: '1', name: 'a' }] } },
  },
  {
    name: 'a value of another type replaces (list over map)',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }] }),
    patch: { spec: { containers: { name: 'oops' } } },
    expected: pod({ containers: { name: 'oops' } }),
  },
  {
    name: 'unknown fields merge as maps by default',
    original: { metadata: { name: 'p' }, spec: { custom: { a: 1, list: [1, 2] } } },
    patch: { spec: { custom: { b: 2, list: [3] } } },
    expected: { metadata: { name: 'p' }, spec: { custom: { a: 1, list: [3], b: 2 } } },
  },
];

t.test('strategic merge patch cases', async (t) => {
  for (const c of CASES) {
    const lookup = c.kind === 'deployment' ? DEPLOYMENT : POD;
    const original = structuredClone(c.original);
    const patch = structuredClone(c.patch);
    t.same(strategicMergePatch(original, patch, lookup), c.expected, c.name);
    t.same(original, c.original, `${c.name}: the original is left untouched`);
  }
  t.end();
});

t.test('ordering is kept exactly so a no-op patch is a no-op', async (t) => {
  const original = pod({ containers: [{ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:1' }] });
  const out = strategicMergePatch(original, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'a:1' }] } }, POD);
  t.equal(JSON.stringify(out), JSON.stringify(original), 'same JSON, key for key');
  t.end();
});

interface ErrorCase {
  name: string;
  patch: Obj;
  message: string | RegExp;
  classification: 'BadRequest' | 'Invalid' | 'Unknown';
  original?: Obj;
}

const ERRORS: ErrorCase[] = [
  {
    name: 'unknown $patch on a map',
    original: pod({ securityContext: { runAsUser: 1 } }),
    patch: { spec: { securityContext: { $patch: 'foo', runAsUser: 2 } } },
    message: 'unknown patch type: foo in map: map[$patch:foo runAsUser:2]',
    classification: 'Unknown',
  },
  {
    name: '$patch: merge on a map is unknown too',
    patch: { spec: { $patch: 'merge' } },
    message: 'unknown patch type: merge in map: map[$patch:merge]',
    classification: 'Unknown',
  },
  {
    name: '$patch: merge in a list',
    original: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } },
    message: 'merging lists cannot yet be specified in the patch',
    classification: 'Unknown',
  },
  {
    name: 'unknown $patch in a list',
    original: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ name: 'a', $patch: 'nope' }] } },
    message: 'unknown patch type: nope in map: map[$patch:nope name:a]',
    classification: 'Unknown',
  },
  {
    name: 'an element without its merge key',
    original: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ image: 'x' }] } },
    message: 'map: map[image:x] does not contain declared merge key: name',
    classification: 'Unknown',
  },
  {
    name: '$retainKeys that is not a list',
    original: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: 'type' } } },
    message: 'invalid patch format of retainKeys',
    classification: 'BadRequest',
  },
  {
    name: 'a patched key missing from $retainKeys',
    original: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } },
    message: 'invalid patch format of retainKeys',
    classification: 'BadRequest',
  },
  {
    name: 'a $setElementOrder key without a field',
    patch: { spec: { $setElementOrderContainers: [] } },
    message: 'invalid patch format of setElementOrder list',
    classification: 'BadRequest',
  },
  {
    name: 'a $deleteFromPrimitiveList key without a field',
    patch: { metadata: { $deleteFromPrimitiveListFinalizers: ['a'] } },
    message: 'invalid patch format of primitive list',
    classification: 'BadRequest',
  },
  {
    name: '$setElementOrder that is not a list',
    patch: { spec: { '$setElementOrder/containers': 'a' } },
    message: 'expected a []interface {}, but received a string',
    classification: 'Unknown',
  },
  {
    name: '$setElementOrder out of step with the patch list',
    original: pod({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b' }, { name: 'a' }] } },
    message: /^the order in patch list:\n\[map\[name:b\] map\[name:a\]\]\n doesn't match \$setElementOrder list:\n\[map\[name:a\]\]$/,
    classification: 'Unknown',
  },
  {
    name: 'lists of lists',
    original: { metadata: { name: 'p', finalizers: [] } },
    patch: { metadata: { finalizers: [['b']] } },
    message: 'lists of lists are not supported',
    classification: 'Invalid',
  },
];

t.test('errors carry upstream texts and classification', async (t) => {
  for (const c of ERRORS) {
    try {
      strategicMergePatch(c.original ?? pod({}), c.patch, c.name.includes('retainKeys') ? DEPLOYMENT : POD);
      t.fail(`${c.name}: no error`);
    } catch (err) {
      t.ok(err instanceof StrategicMergeError, `${c.name}: a StrategicMergeError`);
      if (typeof c.message === 'string') t.equal((err as Error).message, c.message, c.name);
      else t.match((err as Error).message, c.message, c.name);
      t.equal((err as StrategicMergeError).classification, c.classification, `${c.name}: ${c.classification}`);
    }
  }
  t.end();
});

t.test('decodePatch answers strategic merge errors as the PATCH handler does', async (t) => {
  const kind = { group: '', version: 'v1', kind: 'Pod' };
  const current = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: [] }, spec: { containers: [{ name: 'a' }] } };
  const statusOf = (body: unknown) => {
    try {
      decodePatch('application/strategic-merge-patch+json', Buffer.from(JSON.stringify(body)), kind)(current);
      return undefined;
    } catch (err) {
      return isStatusError(err) ? err.status : err;
    }
  };
  t.same(statusOf({ spec: { '$setElementOrderX': [] } }), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'invalid patch format of setElementOrder list',
    reason: 'BadRequest',
    code: 400,
  });
  t.same(statusOf({ metadata: { finalizers: [['x']] } }), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server rejected our request due to an error in our request',
    reason: 'Invalid',
    details: {},
    code: 422,
  });
  t.same(statusOf({ spec: { containers: [{ image: 'x' }] } }), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'map: map[image:x] does not contain declared merge key: name',
    code: 500,
  }, 'unclassified errors are a 500 without a reason');
  t.equal(statusOf([1]) && (statusOf([1]) as { code: number }).code, 400, 'a list is not a strategic merge patch');
  const ok = decodePatch('application/strategic-merge-patch+json', Buffer.from('{"spec":{"containers":[{"name":"a","image":"x"}]}}'), kind)(current);
  t.same(ok.spec, { containers: [{ name: 'a', image: 'x' }] });
  t.end();
});

t.test('patch metadata lookups', async (t) => {
  t.same(POD(['spec', 'containers']), { patchStrategies: ['merge'], patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
  t.same(POD(['spec', 'containers', 'ports'])?.listMapKeys, ['containerPort', 'protocol']);
  t.same(POD(['spec', 'volumes'])?.patchStrategies, ['merge', 'retainKeys']);
  t.equal(POD(['spec', 'tolerations'])?.listType, 'atomic');
  t.same(DEPLOYMENT(['spec', 'template', 'spec', 'containers', 'env'])?.patchMergeKey, 'name');
  t.same(DEPLOYMENT(['spec', 'strategy'])?.patchStrategies, ['retainKeys']);
  t.equal(DEPLOYMENT(['spec', 'unknown']), undefined);
  const cronJob = patchMeta({ group: 'batch', version: 'v1', kind: 'CronJob' });
  t.equal(cronJob(['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers'])?.patchMergeKey, 'name');
  const anything = patchMeta({ group: 'example.com', version: 'v1', kind: 'Widget' });
  t.same(anything(['metadata', 'finalizers'])?.listType, 'set', 'ObjectMeta is known for every kind');
  t.end();
});

t.test('fields outside the table come from the OpenAPI documents', async (t) => {
  const ingress = patchMeta({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' });
  t.equal(ingress(['spec', 'rules'])?.listType ?? 'atomic', 'atomic', 'ingress rules are atomic');
  const pvc = patchMeta({ group: '', version: 'v1', kind: 'PersistentVolumeClaim' });
  t.same(pvc(['metadata', 'labels']), { isMap: true });
  t.equal(POD(['spec', 'containers', 'image']), undefined, 'a scalar field has no metadata');
  t.end();
});
