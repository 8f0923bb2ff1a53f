/**
 * CRD conversion `Webhook` against a real server process: a CRD with v1 (storage, `spec.cron`) and
 * v2 (`spec.schedule`) and a tiny HTTPS conversion webhook in the test process, verified with the
 * CRD's `caBundle`. Created in v1 and read in v2 and back, created and written in v2, listed in v2
 * in one review; objects are stored in v1 (reading them in v1 calls no webhook). A webhook that
 * answers a wrong uid, and one that is down, give upstream's 500 on reads and writes; objects read
 * in the storage version are still served.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';
import { startConversionWebhook } from '../../fixtures/conversion-webhook.js';
import { poll } from '../../peers/helpers.js';
import { endpointAddress } from '../../../server/cluster/endpoint-address.js';

const GROUP = 'conv.example.com';
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** v1 `spec.cron` ⇄ v2 `spec.schedule`. */
function convert(obj: Obj, desired: string): Obj {
  const spec = (obj.spec ?? {}) as Obj;
  if (desired === `${GROUP}/v2` && 'cron' in spec) {
    spec.schedule = spec.cron;
    delete spec.cron;
  } else if (desired === `${GROUP}/v1` && 'schedule' in spec) {
    spec.cron = spec.schedule;
    delete spec.schedule;
  }
  return { ...obj, apiVersion: desired, spec };
}

const schema = (field: string) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { [field]: { type: 'string' } } } } } });
type ClientConfig = { url?: string; service?: Obj; caBundle: string };
const crd = (clientConfig: ClientConfig, plural = 'widgets', kind = 'Widget') => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural, singular: kind.toLowerCase(), kind },
    versions: [
      { name: 'v1', served: true, storage: true, schema: schema('cron') },
      { name: 'v2', served: true, storage: false, schema: schema('schedule') },
    ],
    conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig } },
  },
});
const PATH = (v: string, name = '', plural = 'widgets') => `/apis/${GROUP}/${v}/namespaces/default/${plural}${name ? `/${name}` : ''}`;

t.test('conversion webhook: reads and writes in a version other than the storage one', async (t) => {
  const hook = await startConversionWebhook(convert);
  t.teardown(() => hook.stop());
  const cluster = await startCluster(t, [{ name: 'a', minor: '1.35' }]);
  const a = urlOf(cluster, 'a');

  const created = await api(cluster, a, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd({ url: hook.url, caBundle: hook.caBundle }) });
  t.equal(created.status, 201, 'CRD created');
  t.equal(created.json?.spec?.conversion?.strategy, 'Webhook');

  const first = await poll(() => api(cluster, a, 'POST', PATH('v1'), { body: { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { cron: '*/5 * * * *' } } }), (r) => r.status === 201);
  t.ok(first.ok, 'created in v1 once served');
  t.same(first.value.json.spec, { cron: '*/5 * * * *' });
  t.equal(hook.reviews.length, 0, 'a write and read in the storage version call no webhook');

  const v2 = await api(cluster, a, 'GET', PATH('v2', 'w1'));
  t.equal(v2.status, 200, 'read in v2');
  t.equal(v2.json.apiVersion, `${GROUP}/v2`);
  t.same(v2.json.spec, { schedule: '*/5 * * * *' }, 'converted by the webhook');
  t.equal(v2.json.metadata.uid, first.value.json.metadata.uid);
  t.equal(hook.reviews.length, 1, 'one review');
  t.match(hook.reviews[0], { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { desiredAPIVersion: `${GROUP}/v2`, objects: [{ apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w1' } }] } });

  const back = await api(cluster, a, 'GET', PATH('v1', 'w1'));
  t.same(back.json.spec, { cron: '*/5 * * * *' }, 'and back in v1');

  const second = await api(cluster, a, 'POST', PATH('v2'), { body: { apiVersion: `${GROUP}/v2`, kind: 'Widget', metadata: { name: 'w2' }, spec: { schedule: '@daily' } } });
  t.equal(second.status, 201, 'created in v2');
  t.same(second.json.spec, { schedule: '@daily' });
  t.equal(second.json.apiVersion, `${GROUP}/v2`);
  const reviewsBefore = hook.reviews.length;
  const stored = await api(cluster, a, 'GET', PATH('v1', 'w2'));
  t.same(stored.json.spec, { cron: '@daily' }, 'stored in v1: read in v1 without a webhook call');
  t.equal(hook.reviews.length, reviewsBefore);

  const list = await api(cluster, a, 'GET', PATH('v2'));
  t.equal(list.status, 200, 'list in v2');
  t.equal(list.json.kind, 'WidgetList');
  t.equal(list.json.apiVersion, `${GROUP}/v2`);
  t.same(list.json.items.map((i: Obj) => [i.metadata.name, i.spec]), [['w1', { schedule: '*/5 * * * *' }], ['w2', { schedule: '@daily' }]]);
  t.equal(hook.reviews.at(-1)!.request.objects.length, 2, 'the list is converted in one review');

  const current = await api(cluster, a, 'GET', PATH('v2', 'w1'));
  const put = await api(cluster, a, 'PUT', PATH('v2', 'w1'), { body: { ...current.json, spec: { schedule: '@hourly' } } });
  t.equal(put.status, 200, 'update in v2');
  t.same(put.json.spec, { schedule: '@hourly' });
  t.equal(put.json.metadata.generation, 2, 'a spec change is a new generation');
  const patched = await api(cluster, a, 'PATCH', PATH('v2', 'w1'), { body: { metadata: { labels: { a: 'b' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(patched.status, 200, 'merge patch in v2');
  t.equal(patched.json.metadata.generation, 2, 'a label change is not');
  const afterWrite = await api(cluster, a, 'GET', PATH('v1', 'w1'));
  t.same(afterWrite.json.spec, { cron: '@hourly' }, 'the write in v2 is stored in v1');
  t.same(afterWrite.json.metadata.labels, { a: 'b' });

  // A watch in v2 replays a write made in v1, converted.
  const before = (await api(cluster, a, 'GET', PATH('v1', 'w2'))).json.metadata.resourceVersion;
  const v1Write = await api(cluster, a, 'PATCH', PATH('v1', 'w2'), { body: { spec: { cron: '@weekly' } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(v1Write.status, 200, 'write in v1');
  const watch = await api(cluster, a, 'GET', `${PATH('v2')}?watch=1&fieldSelector=metadata.name%3Dw2&resourceVersion=${before}&timeoutSeconds=2`);
  const events = watch.text.trim().split('\n').map((l) => JSON.parse(l) as Obj);
  t.match(events, [{ type: 'MODIFIED', object: { apiVersion: `${GROUP}/v2`, kind: 'Widget', metadata: { name: 'w2' }, spec: { schedule: '@weekly' } } }], 'watch in v2: the event converted');
  t.notOk(events[0]?.object?.spec?.cron, 'no stored-version field');

  hook.mode = 'wrong-uid';
  const wrongUid = await api(cluster, a, 'GET', PATH('v2', 'w1'));
  t.equal(wrongUid.status, 500, 'a wrong uid fails the read');
  t.match(wrongUid.json, { kind: 'Status', status: 'Failure', code: 500, message: new RegExp(`^conversion webhook for ${GROUP}/v1, Kind=Widget failed: expected response\\.uid="[0-9a-f-]{36}", got "not-the-request-uid"$`) });
  t.notOk(wrongUid.json.reason, 'no reason, as upstream');
  const wrongUidWrite = await api(cluster, a, 'POST', PATH('v2'), { body: { apiVersion: `${GROUP}/v2`, kind: 'Widget', metadata: { name: 'w3' }, spec: { schedule: '@daily' } } });
  t.equal(wrongUidWrite.status, 500, 'and the write');
  t.match(wrongUidWrite.json.message, new RegExp(`^conversion webhook for ${GROUP}/v2, Kind=Widget failed: expected response\\.uid=`));
  t.equal((await api(cluster, a, 'GET', PATH('v1', 'w3'))).status, 404, 'nothing was stored');
  hook.mode = 'ok';

  await hook.stop();
  const down = await api(cluster, a, 'GET', PATH('v2', 'w1'));
  t.equal(down.status, 500, 'webhook down: read fails');
  t.match(down.json.message, `conversion webhook for ${GROUP}/v1, Kind=Widget failed: Post "https://127.0.0.1:${hook.port}/convert?timeout=30s": `);
  const downList = await api(cluster, a, 'GET', PATH('v2'));
  t.equal(downList.status, 500, 'list fails');
  t.match(downList.json.message, `conversion webhook for ${GROUP}/v1, Kind=WidgetList failed: Post `);
  const downWrite = await api(cluster, a, 'PATCH', PATH('v2', 'w1'), { body: { spec: { schedule: '@weekly' } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(downWrite.status, 500, 'write fails');
  t.match(downWrite.json.message, `conversion webhook for ${GROUP}/v1, Kind=Widget failed: Post `);
  const storageRead = await api(cluster, a, 'GET', PATH('v1', 'w1'));
  t.equal(storageRead.status, 200, 'the storage version is still served');
  t.same(storageRead.json.spec, { cron: '@hourly' }, 'and unchanged');

  await hook.start();
  const recovered = await poll(() => api(cluster, a, 'GET', PATH('v2', 'w1')), (r) => r.status === 200);
  t.ok(recovered.ok, 'served again once the webhook is back');
  t.same(recovered.value.json.spec, { schedule: '@hourly' });
});

t.test('conversion webhook through a Service, resolved through its Endpoints', async (t) => {
  const hook = await startConversionWebhook(convert, ['conv-svc.default.svc']);
  t.teardown(() => hook.stop());
  const cluster = await startCluster(t, [{ name: 'a', minor: '1.33' }]);
  const a = urlOf(cluster, 'a');
  const svc = await api(cluster, a, 'POST', '/api/v1/namespaces/default/services', { body: { metadata: { name: 'conv-svc' }, spec: { ports: [{ name: 'https', port: 443, targetPort: hook.port }] } } });
  t.equal(svc.status, 201, 'Service');
  const eps = await api(cluster, a, 'POST', '/api/v1/namespaces/default/endpoints', { body: { metadata: { name: 'conv-svc' }, subsets: [{ addresses: [{ ip: endpointAddress() }], ports: [{ name: 'https', port: hook.port }] }] } });
  t.equal(eps.status, 201, 'Endpoints');
  const service = { namespace: 'default', name: 'conv-svc', path: '/convert', port: 443 };
  const created = await api(cluster, a, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd({ service, caBundle: hook.caBundle }, 'gadgets', 'Gadget') });
  t.equal(created.status, 201, 'CRD with clientConfig.service');

  const made = await poll(() => api(cluster, a, 'POST', PATH('v2', '', 'gadgets'), { body: { apiVersion: `${GROUP}/v2`, kind: 'Gadget', metadata: { name: 'g1' }, spec: { schedule: '@daily' } } }), (r) => r.status === 201);
  t.ok(made.ok, 'created in v2 through the Service');
  t.same(made.value.json.spec, { schedule: '@daily' });
  const v1 = await api(cluster, a, 'GET', PATH('v1', 'g1', 'gadgets'));
  t.same(v1.json.spec, { cron: '@daily' }, 'stored in v1');
  t.ok(hook.reviews.length >= 2, 'the webhook behind the Service converted');

  t.equal((await api(cluster, a, 'DELETE', '/api/v1/namespaces/default/endpoints/conv-svc')).status, 200, 'Endpoints deleted');
  const gone = await api(cluster, a, 'GET', PATH('v2', 'g1', 'gadgets'));
  t.equal(gone.status, 500, 'no endpoint: the read fails');
  t.match(gone.json.message, `conversion webhook for ${GROUP}/v1, Kind=Gadget failed: Post "https://conv-svc.default.svc:443/convert?timeout=30s": `);
});
