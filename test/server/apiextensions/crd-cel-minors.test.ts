/**
 * The CEL libraries of CRD rules differ by minor, over real HTTPS against servers of 1.28, 1.30 and
 * 1.31 sharing one store: a new rule compiles in the environment one minor below the server's own
 * (quantity() and cross-type comparisons are refused by 1.28, accepted by 1.30), a rule the stored
 * CRD already has compiles in the server's own environment (a 1.31 CRD using the IP library can be
 * updated through 1.30, and its custom resources are validated there), and a rule a 1.30 update
 * adds may not use the 1.30 CIDR library yet.
 */
import t from 'tap';
import { api, startCluster, urlOf, type ApiOptions } from '../../fixtures/cluster.js';
import { specCrd } from '../../fixtures/crd.js';
import { poll } from '../../peers/helpers.js';

type Obj = Record<string, any>;

const GROUP = 'minors.example.com';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** A CRD whose spec has `properties` and `rules`. */
function ruled(plural: string, kind: string, properties: Obj, rules: string[]): Obj {
  const crd = specCrd(GROUP, plural, kind, properties) as Obj;
  crd.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'] = rules.map((rule) => ({ rule }));
  return crd;
}

const messages = (res: { json: Obj }) => ((res.json?.details?.causes ?? []) as Obj[]).map((c) => `${c.field}: ${c.message}`);

t.test('CRD CEL libraries by minor', async (t) => {
  const cluster = await startCluster(
    t,
    [
      { name: 'k128', minor: '1.28' },
      { name: 'k130', minor: '1.30' },
      { name: 'k131', minor: '1.31' },
    ],
    { mvp: false },
  );
  const call = (server: string, method: string, path: string, opts: ApiOptions = {}) => api(cluster, urlOf(cluster, server), method, path, opts);
  const RULE = (i: number) => `spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[${i}].rule`;

  await t.test('new rules compile in the environment one minor below the server', async (t) => {
    const crd = ruled('memories', 'Memory', { mem: { type: 'string', maxLength: 16 }, ratio: { type: 'number' } }, ["quantity(self.mem).isLessThan(quantity('1Gi'))", 'self.ratio < 2']);
    const old = await call('k128', 'POST', CRDS, { body: crd });
    t.equal(old.status, 422, JSON.stringify(old.json));
    const got = messages(old);
    t.equal(got.length, 2);
    t.match(got[0], `${RULE(0)}: Invalid value: apiextensions.ValidationRule{Rule:"quantity(self.mem).isLessThan(quantity('1Gi'))"`);
    t.match(got[0], "compilation failed: ERROR: <input>:1:9: undeclared reference to 'quantity' (in container '')", '1.28 compiles new rules at 1.27: no quantity library');
    t.match(got[1], "compilation failed: ERROR: <input>:1:12: found no matching overload for '_<_' applied to '(double, int)'", 'nor cross-type numeric comparisons');
    const newer = await call('k130', 'POST', CRDS, { body: crd });
    t.equal(newer.status, 201, `1.30 compiles new rules at 1.29: ${JSON.stringify(newer.json)}`);
    t.equal((await call('k130', 'DELETE', `${CRDS}/memories.${GROUP}`)).status, 200);
  });

  await t.test('rules already stored compile in the server’s own environment', async (t) => {
    const name = `addrs.${GROUP}`;
    const crd = ruled('addrs', 'Addr', { addr: { type: 'string', maxLength: 64 } }, ['isIP(self.addr)']);
    const onOld = await call('k130', 'POST', CRDS, { body: crd });
    t.equal(onOld.status, 422, 'the IP library arrives in 1.30: a new rule on 1.30 may not use it yet');
    t.match(messages(onOld)[0], "undeclared reference to 'isIP' (in container '')");
    const created = await call('k131', 'POST', CRDS, { body: crd });
    t.equal(created.status, 201, `1.31 accepts it: ${JSON.stringify(created.json)}`);

    const list = `/apis/${GROUP}/v1/namespaces/default/addrs`;
    t.ok((await poll(() => call('k130', 'GET', list), (r) => r.status === 200)).ok, '1.30 serves the custom resources');
    const bad = await call('k130', 'POST', list, { body: { apiVersion: `${GROUP}/v1`, kind: 'Addr', metadata: { name: 'a1' }, spec: { addr: 'not-an-ip' } } });
    t.equal(bad.status, 422, '1.30 runs the stored rule with its own IP library');
    t.same(messages(bad), ['spec: Invalid value: "object": failed rule: isIP(self.addr)']);
    const good = await call('k130', 'POST', list, { body: { apiVersion: `${GROUP}/v1`, kind: 'Addr', metadata: { name: 'a1' }, spec: { addr: '10.1.2.3' } } });
    t.equal(good.status, 201, JSON.stringify(good.json));

    const current = (await call('k130', 'GET', `${CRDS}/${name}`)).json;
    const relabeled = structuredClone(current);
    relabeled.metadata.labels = { touched: 'yes' };
    const kept = await call('k130', 'PUT', `${CRDS}/${name}`, { body: relabeled });
    t.equal(kept.status, 200, `an update keeping the stored rule passes on 1.30: ${JSON.stringify(kept.json)}`);

    const added = structuredClone(kept.json);
    added.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'].push({ rule: "cidr('10.0.0.0/8').containsIP(self.addr)" });
    const refused = await call('k130', 'PUT', `${CRDS}/${name}`, { body: added });
    t.equal(refused.status, 422, 'a rule the update adds compiles in the new-expressions environment');
    t.equal(messages(refused).length, 1);
    t.match(messages(refused)[0], `${RULE(1)}: Invalid value:`);
    t.match(messages(refused)[0], "undeclared reference to 'cidr' (in container '')");
    t.equal((await call('k131', 'PUT', `${CRDS}/${name}`, { body: added })).status, 200, '1.31 accepts the same update');
    t.equal((await call('k131', 'DELETE', `${CRDS}/${name}`)).status, 200);
  });
});
