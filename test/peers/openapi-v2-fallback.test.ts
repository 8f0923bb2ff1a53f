/**
 * kubectl's fallback to `/openapi/v2` in a mixed cluster: the 1.35 server `a` does not serve
 * MutatingAdmissionPolicy (its OpenAPI v3 lacks the kind) and proxies it to the 1.36 peer `b`.
 * kubectl 1.32 and 1.33 with validation on look the kind up in a's v3, then fall back to a's v2,
 * whose validator skips kinds it does not know: `create -f` and `apply -f` through `a` succeed,
 * rerouted to `b`.
 * Before a served v2 this failed with `failed to download openapi`.
 */
import t from 'tap';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../fixtures/cluster.js';
import { MAP_PATH, metricsOf, poll, seriesValue } from './helpers.js';

const mapYaml = (name: string): string => `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata:
  name: ${name}
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["deployments"]
  failurePolicy: Fail
  reinvocationPolicy: IfNeeded
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{}"
`;

t.test('kubectl create -f and apply -f of a kind only the peer serves, validation on', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35' },
    { name: 'b', minor: '1.36' },
  ]);
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');
  // a proxies the resource once its peer discovery has b's.
  const ready = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 30_000);
  t.ok(ready.ok, 'a proxies mutatingadmissionpolicies to b');

  for (const minor of ['1.32', '1.33']) {
    const binary = kubectlBinary(minor);
    t.test(`kubectl ${minor} through a`, { skip: binary ? false : `kubectl.${minor} is not installed on this machine` }, async (t) => {
      const name = `v2-fallback-${minor.replace('.', '-')}`;
      const m0 = await metricsOf(cluster, a);
      const created = await kubectl(t, binary!, cluster, ['create', '-f', '-', '-v=6'], { context: 'skew-a', stdin: mapYaml(name) });
      t.equal(created.code, 0, 'create -f exits 0');
      if (created.code !== 0) t.comment(created.stderr);
      t.match(created.stdout, new RegExp(`mutatingadmissionpolicy\\.admissionregistration\\.k8s\\.io/${name} created`));
      // -v=6 lines: `GET https://…/openapi/v2?timeout=32s 200 OK` or, from 1.33, `verb="GET" url="…" status="200 OK"`.
      t.match(created.stderr, /\/openapi\/v2\?timeout=32s"? (status=")?200 OK/, 'kubectl fell back to /openapi/v2');
      t.notMatch(created.stderr, /failed to download openapi/);
      const m1 = await metricsOf(cluster, a);
      t.equal(seriesValue(m1, 'apiserver_rerouted_request_total{code="201"}') - seriesValue(m0, 'apiserver_rerouted_request_total{code="201"}'), 1, 'the create was rerouted to b (201)');
      const atB = await api(cluster, b, 'GET', `${MAP_PATH}/${name}`);
      t.equal(atB.status, 200, 'b has it');

      // apply -f: created, then configured with a change, both through a.
      const applied = `${name}-applied`;
      const first = await kubectl(t, binary!, cluster, ['apply', '-f', '-'], { context: 'skew-a', stdin: mapYaml(applied) });
      t.equal(first.code, 0, `apply -f exits 0${first.code ? `: ${first.stderr}` : ''}`);
      t.match(first.stdout, new RegExp(`mutatingadmissionpolicy\\.admissionregistration\\.k8s\\.io/${applied} created`));
      const changed = mapYaml(applied).replace('failurePolicy: Fail', 'failurePolicy: Ignore');
      const second = await kubectl(t, binary!, cluster, ['apply', '-f', '-'], { context: 'skew-a', stdin: changed });
      t.equal(second.code, 0, `apply -f of a change exits 0${second.code ? `: ${second.stderr}` : ''}`);
      t.match(second.stdout, new RegExp(`mutatingadmissionpolicy\\.admissionregistration\\.k8s\\.io/${applied} configured`));
      const stored = await api(cluster, b, 'GET', `${MAP_PATH}/${applied}`);
      t.equal((stored.json as { spec?: { failurePolicy?: string } }).spec?.failurePolicy, 'Ignore', 'b holds the applied change');
    });
  }
});
