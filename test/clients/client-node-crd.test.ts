/**
 * @kubernetes/client-node 1.x with a CustomResourceDefinition against one real 1.32 server process:
 * the CRD created with the typed ApiextensionsV1Api and waited for until Established; then
 * CustomObjectsApi create/get/list/patch (JSON patch by default, merge patch via
 * `setHeaderOptions`)/replace status/delete of namespaced custom objects; a schema violation and a
 * failed CEL rule as an ApiException 422 with the Status body and its causes; and makeInformer over the custom objects
 * seeing add/update/delete.
 */
import t from 'tap';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type KubernetesListObject,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { startCluster } from '../fixtures/cluster.js';
import { startRecording, statusBody, waitUntil } from './client-node-helpers.js';

const NS = 'default';
const GROUP = 'cn.example.com';
const VERSION = 'v1';
const PLURAL = 'widgets';
const API_VERSION = `${GROUP}/${VERSION}`;

/** A Widget as these tests read it. */
interface Widget extends KubernetesObject {
  spec?: { size?: number; color?: string; note?: string };
  status?: { phase?: string; observed?: number };
}

const CRD: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                x_kubernetes_validations: [{ rule: "self.color != 'blue' || self.size <= 8", message: 'a blue widget is at most 8 wide' }],
                properties: {
                  size: { type: 'integer', minimum: 1, maximum: 10 },
                  color: { type: 'string', _enum: ['red', 'blue'], _default: 'red' },
                  note: { type: 'string' },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' }, observed: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
};

/** What a promise rejected with, or undefined when it resolved. */
const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

const cluster = await startCluster(t, '1.32');
const kc = new KubeConfig();
kc.loadFromFile(cluster.kubeconfigPath);
kc.setCurrentContext('skew-s1');
const extensions = kc.makeApiClient(ApiextensionsV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);

const widget = (name: string, spec: Widget['spec'], labels: Record<string, string> = {}): Widget => ({
  apiVersion: API_VERSION,
  kind: 'Widget',
  metadata: { name, labels },
  spec,
});
const where = { group: GROUP, version: VERSION, namespace: NS, plural: PLURAL };
const createWidget = (body: Widget): Promise<Widget> => custom.createNamespacedCustomObject({ ...where, body }) as Promise<Widget>;
const getWidget = (name: string): Promise<Widget> => custom.getNamespacedCustomObject({ ...where, name }) as Promise<Widget>;
const deleteWidget = (name: string): Promise<unknown> => custom.deleteNamespacedCustomObject({ ...where, name });

t.test('ApiextensionsV1Api creates the CRD and it becomes Established', async (t) => {
  const created = await extensions.createCustomResourceDefinition({ body: CRD });
  t.equal(created.metadata?.name, `${PLURAL}.${GROUP}`);
  t.ok(created.metadata?.uid, 'the CRD has a uid');

  let last: V1CustomResourceDefinition | undefined;
  const established = await waitUntil(async () => {
    last = await extensions.readCustomResourceDefinition({ name: `${PLURAL}.${GROUP}` });
    return (last.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  }, 30_000, 100);
  t.ok(established, 'Established=True', { conditions: last?.status?.conditions });
  t.ok((last?.status?.conditions ?? []).some((c) => c.type === 'NamesAccepted' && c.status === 'True'), 'NamesAccepted=True');
  t.match(last?.status?.acceptedNames, { plural: PLURAL, kind: 'Widget', listKind: 'WidgetList' }, 'acceptedNames as asked');
  t.same(last?.status?.storedVersions, [VERSION], 'storedVersions');

  // The server serves the CRD once its own informer has it: a short 404 window is allowed, nothing else.
  const seen = new Set<number>();
  const serving = await waitUntil(async () => {
    const err = await rejection(custom.listNamespacedCustomObject(where));
    if (err === undefined) return true;
    seen.add(err instanceof ApiException ? err.code : -1);
    return false;
  }, 30_000, 100);
  t.ok(serving, 'custom objects are served');
  t.ok([...seen].every((c) => c === 404), 'the window before is a 404 only', { seen: [...seen] });
});

t.test('CustomObjectsApi create/get/list/patch/replace status/delete', async (t) => {
  const created = await createWidget(widget('cn-w1', { size: 3 }, { suite: 'cn-crud' }));
  t.equal(created.apiVersion, API_VERSION);
  t.equal(created.kind, 'Widget');
  t.equal(created.metadata?.namespace, NS);
  t.ok(created.metadata?.uid, 'created object has a uid');
  t.match(created.metadata?.resourceVersion, /^\d+$/, 'numeric resourceVersion');
  t.same(created.spec, { size: 3, color: 'red' }, 'the schema default was applied');

  const read = await getWidget('cn-w1');
  t.equal(read.metadata?.uid, created.metadata?.uid);
  t.same(read.spec, { size: 3, color: 'red' });

  await createWidget(widget('cn-w2', { size: 5, color: 'blue' }, { suite: 'cn-crud' }));
  await createWidget(widget('cn-other', { size: 1 }, { suite: 'cn-other' }));
  t.teardown(() => Promise.all(['cn-w2', 'cn-other'].map((n) => deleteWidget(n).catch(() => undefined))));
  const list = (await custom.listNamespacedCustomObject({ ...where, labelSelector: 'suite=cn-crud' })) as KubernetesListObject<Widget>;
  t.equal(list.kind, 'WidgetList', 'the list kind');
  t.equal(list.apiVersion, API_VERSION);
  t.match(list.metadata?.resourceVersion, /^\d+$/, 'the list has a resourceVersion');
  t.same(list.items.map((i) => i.metadata?.name).sort(), ['cn-w1', 'cn-w2'], 'label selector honoured');

  // CustomObjectsApi's patch offers application/json-patch+json first, so that is the default.
  const jsonPatched = (await custom.patchNamespacedCustomObject({ ...where, name: 'cn-w1', body: [{ op: 'replace', path: '/spec/size', value: 4 }] })) as Widget;
  t.same(jsonPatched.spec, { size: 4, color: 'red' }, 'JSON patch applied');

  const mergePatched = (await custom.patchNamespacedCustomObject(
    { ...where, name: 'cn-w1', body: { spec: { color: 'blue', note: 'merged' }, metadata: { labels: { tier: 'b' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as Widget;
  t.same(mergePatched.spec, { size: 4, color: 'blue', note: 'merged' }, 'merge patch applied');
  t.same(mergePatched.metadata?.labels, { suite: 'cn-crud', tier: 'b' });
  t.ok(Number(mergePatched.metadata?.resourceVersion) > Number(jsonPatched.metadata?.resourceVersion), 'resourceVersion increases');

  // Strategic merge is not for custom resources: upstream answers 415.
  const smp = await rejection(
    custom.patchNamespacedCustomObject({ ...where, name: 'cn-w1', body: { spec: { size: 2 } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
  );
  t.type(smp, ApiException, 'strategic merge patch rejects');
  if (smp instanceof ApiException) t.equal(smp.code, 415, 'with 415 Unsupported Media Type');

  // The status subresource: a replace through it changes status only; the main resource ignores status.
  const current = await getWidget('cn-w1');
  const statusReplaced = (await custom.replaceNamespacedCustomObjectStatus({
    ...where,
    name: 'cn-w1',
    body: { ...current, spec: { size: 9 }, status: { phase: 'Ready', observed: 4 } },
  })) as Widget;
  t.same(statusReplaced.status, { phase: 'Ready', observed: 4 }, 'status replaced');
  t.same(statusReplaced.spec, { size: 4, color: 'blue', note: 'merged' }, 'spec untouched by the status subresource');
  const statusRead = (await custom.getNamespacedCustomObjectStatus({ ...where, name: 'cn-w1' })) as Widget;
  t.same(statusRead.status, { phase: 'Ready', observed: 4 }, 'status read back through the subresource');
  const mainReplaced = (await custom.replaceNamespacedCustomObject({
    ...where,
    name: 'cn-w1',
    body: { ...statusRead, spec: { size: 6, color: 'red' }, status: { phase: 'Ignored' } },
  })) as Widget;
  t.same(mainReplaced.spec, { size: 6, color: 'red' }, 'spec replaced through the main resource');
  t.same(mainReplaced.status, { phase: 'Ready', observed: 4 }, 'status untouched by the main resource');

  const deleted = (await deleteWidget('cn-w1')) as { kind?: string; status?: string; metadata?: { uid?: string } };
  t.ok(deleted, 'delete resolves');
  t.ok((deleted.kind === 'Status' && deleted.status === 'Success') || deleted.metadata?.uid === created.metadata?.uid, 'delete answers Success or the deleted object', { deleted });

  const gone = await rejection(getWidget('cn-w1'));
  t.type(gone, ApiException, 'get after delete rejects');
  if (gone instanceof ApiException) {
    t.equal(gone.code, 404);
    t.match(statusBody(gone), { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, details: { name: 'cn-w1', group: GROUP, kind: PLURAL } });
  }
});

t.test('a schema violation rejects with ApiException 422 and the Status body with causes', async (t) => {
  const err = await rejection(createWidget(widget('cn-bad', { size: 11, color: 'green' })));
  t.type(err, ApiException);
  if (!(err instanceof ApiException)) return;
  t.equal(err.code, 422);
  const status = statusBody(err);
  t.match(status, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', code: 422, details: { name: 'cn-bad', group: GROUP, kind: 'Widget' } });
  t.match(status.message, /^Widget\.cn\.example\.com "cn-bad" is invalid: /, 'upstream message prefix');
  const causes: Array<{ field?: string; reason?: string; message?: string }> = status.details?.causes ?? [];
  const fields = causes.map((c) => c.field).sort();
  // An enum violation blocks the CEL rules; upstream says so in one cause with a nil field path.
  t.same(fields, ['<nil>', 'spec.color', 'spec.size'], 'one cause per violated field, and the rules not checked', { causes });
  t.match(
    causes.find((c) => c.field === 'spec.size'),
    { reason: 'FieldValueInvalid', message: /should be less than or equal to 10/ },
  );
  t.match(
    causes.find((c) => c.field === 'spec.color'),
    { reason: 'FieldValueNotSupported', message: /supported values: "red", "blue"/ },
  );
  t.match(causes.find((c) => c.field === '<nil>'), { reason: 'FieldValueInvalid', message: /some validation rules were not checked because the object was invalid/ });
  const absent = await rejection(getWidget('cn-bad'));
  t.ok(absent instanceof ApiException && absent.code === 404, 'nothing was stored');

  const rule = await rejection(createWidget(widget('cn-bad-rule', { size: 9, color: 'blue' })));
  t.type(rule, ApiException, 'a failed CEL rule rejects');
  if (rule instanceof ApiException) {
    t.equal(rule.code, 422);
    t.match(statusBody(rule), {
      reason: 'Invalid',
      message: 'Widget.cn.example.com "cn-bad-rule" is invalid: spec: Invalid value: "object": a blue widget is at most 8 wide',
      details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": a blue widget is at most 8 wide' }] },
    });
  }
});

t.test('makeInformer over the custom objects sees add/update/delete', async (t) => {
  // An object that exists before the informer starts comes in through the initial list.
  await createWidget(widget('cn-inf-pre', { size: 1 }, { suite: 'cn-inf' }));
  t.teardown(() => deleteWidget('cn-inf-pre').catch(() => undefined));

  const informer = makeInformer<Widget>(
    kc,
    `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${PLURAL}`,
    () => custom.listNamespacedCustomObject({ ...where, labelSelector: 'suite=cn-inf' }) as Promise<KubernetesListObject<Widget>>,
    'suite=cn-inf',
  );
  const { seen, errors, connected } = await startRecording(t, informer, (o) => o.spec?.size);

  t.ok(await waitUntil(() => connected() && seen.includes('add cn-inf-pre 1')), 'initial list delivered the existing object');
  t.same(
    informer.list(NS).map((o) => o.metadata?.name),
    ['cn-inf-pre'],
    'cache holds the listed object',
  );
  // The watch request goes out after the list; let it be established.
  await new Promise((r) => setTimeout(r, 300));

  await createWidget(widget('cn-inf', { size: 2 }, { suite: 'cn-inf' }));
  await createWidget(widget('cn-inf-unwatched', { size: 2 }, { suite: 'other' }));
  t.teardown(() => deleteWidget('cn-inf-unwatched').catch(() => undefined));
  t.ok(await waitUntil(() => seen.includes('add cn-inf 2')), 'add callback');
  await custom.patchNamespacedCustomObject({ ...where, name: 'cn-inf', body: { spec: { size: 7 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  t.ok(await waitUntil(() => seen.includes('update cn-inf 7')), 'update callback');
  t.equal(informer.get('cn-inf', NS)?.spec?.size, 7, 'cache has the updated object');
  await deleteWidget('cn-inf');
  t.ok(await waitUntil(() => seen.includes('delete cn-inf')), 'delete callback');
  t.equal(informer.get('cn-inf', NS), undefined, 'cache dropped the deleted object');

  t.same(seen, ['add cn-inf-pre 1', 'add cn-inf 2', 'update cn-inf 7', 'delete cn-inf'], 'exactly these callbacks, in order (the unlabelled object is not seen)');
  t.same(errors, [], 'no informer errors');
});
