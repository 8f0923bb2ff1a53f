/**
 * A StatefulSet's name rule follows the serving minor (MinorInfo.kindValidation.statefulSetNameRule):
 * a 1.26 server takes a DNS-1123 subdomain such as `web.v1`, a 1.27 server refuses it under the
 * DNS-1123 label rule, because the name becomes the Pods' hostnames.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';

const statefulSet = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name },
  spec: {
    serviceName: 'web',
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  },
});

t.test('statefulset names: subdomain up to 1.26, label from 1.27', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'old', minor: '1.26' },
    { name: 'new', minor: '1.27' },
  ]);
  const post = (server: string, name: string) =>
    api(cluster, urlOf(cluster, server), 'POST', '/apis/apps/v1/namespaces/default/statefulsets', { body: statefulSet(name) });

  const old = await post('old', 'web.v1');
  t.equal(old.status, 201, `1.26 accepts a dotted name: ${old.text}`);

  const refused = await post('new', 'web.v2');
  t.equal(refused.status, 422, '1.27 refuses it');
  const status = JSON.parse(refused.text) as { message: string; details: { causes: { field: string; message: string }[] } };
  t.equal(status.details.causes[0]?.field, 'metadata.name');
  t.equal(status.details.causes[0]?.message, 'Invalid value: "web.v2": must not contain dots', 'the DNS-1123 label rule');

  const plain = await post('new', 'web-v2');
  t.equal(plain.status, 201, '1.27 accepts a label');
});
