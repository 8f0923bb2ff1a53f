/**
 * Library scenarios on etcd (`spec.cluster.store: etcd`): the same stories, every step passing as
 * on SQLite. A representative few run in every `npm test`; the whole library runs on etcd with
 * `KUBE_SKEW_TEST_STORE=etcd` and the library test files. Skips with a message where etcd is not
 * installed.
 */
import t from 'tap';
import { etcdMissing } from '../../server/cluster/local-etcd.js';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../scenarios/engine/scenario-file.js';
import { runScenario } from '../../scenarios/engine/runner.js';
import { byName, explain } from './library.js';

/**
 * Representative stories: the discovery generation's CRD routing, a StorageVersion-generation
 * (1.32) server beside a discovery-generation (1.33) one, and a crashed peer's 503s until its
 * endpoint lease (an etcd lease here) expires.
 */
const ON_ETCD = ['crd-mvp-1.34', 'mixed-generation-1.32-1.33', 'peer-crash'];

const missing = etcdMissing();
if (missing !== undefined) t.plan(0, `skipped: ${missing}`);
else {
  for (const name of ON_ETCD) {
    t.test(`${name} on etcd`, async (t) => {
      const { scenario, file } = byName(name);
      const onEtcd = structuredClone(scenario);
      onEtcd.spec.cluster.store = 'etcd';
      const result = await runScenario(onEtcd, file, { seed: 1 });
      t.ok(result.ok, `${name} passes on etcd`, { diagnostic: !result.ok, details: explain(result) });
      t.equal(result.steps.length, scenario.spec.steps.length, 'every step ran');
    });
  }
}

t.test('the scenario format takes store: sqlite or etcd, nothing else', async (t) => {
  const { file } = byName('crd-mvp-1.34');
  const text = readFileSync(file, 'utf8');
  t.equal(parseScenario(text, file).spec.cluster.store, undefined, 'library scenarios default to SQLite');
  const withStore = (store: string): string => text.replace(/^  cluster:\n/m, `  cluster:\n    store: ${store}\n`);
  t.equal(parseScenario(withStore('etcd'), file).spec.cluster.store, 'etcd');
  t.throws(() => parseScenario(withStore('mysql'), file), 'an unknown store is refused');
});
