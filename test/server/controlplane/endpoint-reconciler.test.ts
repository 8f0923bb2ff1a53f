/**
 * The lease endpoint reconciler in one process over a real SQLite store: servers on one address
 * are grouped by port, servers sharing a port share upstream's single subset and slice, and the
 * last server's address stays or goes on a graceful stop as its minor decides.
 */
import t, { type Test } from 'tap';
import { systemClock } from '../../../server/clock.js';
import { bootstrapNamespaces } from '../../../server/controllers/namespace.js';
import { LeaseEndpointReconciler, NO_MASTER_IPS } from '../../../server/controlplane/endpoint-reconciler.js';
import { MasterLeases } from '../../../server/controlplane/master-leases.js';
import { firstAddress } from '../../../server/controlplane/service-ip.js';
import { LIST_EVERYTHING } from '../../../server/registry/list-options.js';
import { Registry } from '../../../server/registry/rest.js';
import { ResourceTypes } from '../../../server/registry/resource-type.js';
import { openSqliteStore } from '../../../storage/sqlite/store.js';
import { minorInfo } from '../../../versions/minors.js';
import { loadProfile } from '../../../versions/profile.js';

async function setup(t: Test, minor: string) {
  const store = openSqliteStore(':memory:');
  t.teardown(() => store.close());
  const types = new ResourceTypes(loadProfile({ minor }));
  const registry = new Registry({ store, clock: systemClock });
  await bootstrapNamespaces(registry, types);
  const leases = new MasterLeases(store, 15);
  const reconciler = () => new LeaseEndpointReconciler({ registry, types, leases, removesLastEndpointOnStop: minorInfo(minor).removesLastEndpointOnStop });
  const endpoints = async () => (await registry.get(types.lookup('', 'v1', 'endpoints')!, 'default', 'kubernetes')) as Record<string, any>;
  const slices = async () => (await registry.list(types.lookup('discovery.k8s.io', 'v1', 'endpointslices')!, 'default', LIST_EVERYTHING)).items as Array<Record<string, any>>;
  return { reconciler, endpoints, slices };
}

t.test('servers grouped by port, and upstream\'s layout when they share one', async (t) => {
  const { reconciler, endpoints, slices } = await setup(t, '1.33');
  const a = reconciler();
  const b = reconciler();
  const c = reconciler();
  await a.reconcile({ ip: '127.0.0.1', port: 7001 });
  await b.reconcile({ ip: '127.0.0.1', port: 7002 });
  await c.reconcile({ ip: '127.0.0.2', port: 7001 });
  t.same((await endpoints()).subsets, [
    { addresses: [{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }], ports: [{ name: 'https', port: 7001, protocol: 'TCP' }] },
    { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 7002, protocol: 'TCP' }] },
  ]);
  const byName = Object.fromEntries((await slices()).map((s) => [s.metadata.name, s]));
  t.same(Object.keys(byName).sort(), ['kubernetes', 'kubernetes-7002']);
  t.same(byName.kubernetes!.endpoints.map((e: { addresses: string[] }) => e.addresses[0]), ['127.0.0.1', '127.0.0.2']);
  t.same(byName.kubernetes!.ports, [{ name: 'https', port: 7001, protocol: 'TCP' }]);

  await b.remove({ ip: '127.0.0.1', port: 7002 });
  t.equal((await endpoints()).subsets.length, 1, 'a removed server leaves');
  t.same((await slices()).map((s) => s.metadata.name), ['kubernetes'], 'and its slice goes');
});

t.test('the last server to stop: 1.27 keeps its address, 1.28+ removes it', async (t) => {
  for (const [minor, removes] of [['1.27', false], ['1.34', true]] as const) {
    const { reconciler, endpoints, slices } = await setup(t, minor);
    const only = reconciler();
    await only.reconcile({ ip: '127.0.0.1', port: 7001 });
    // At start a lone server finds nothing to remove and is refused, as upstream logs it.
    // (a second server's stale record at start is removed while this one's lives: no refusal)
    await reconciler().remove({ ip: '127.0.0.1', port: 7009 });
    only.stopReconciling();
    if (removes) {
      await only.remove({ ip: '127.0.0.1', port: 7001 });
      t.same((await endpoints()).subsets, [], `${minor}: no address left`);
      t.same((await slices())[0]!.endpoints, [], `${minor}: the slice is empty`);
    } else {
      await t.rejects(only.remove({ ip: '127.0.0.1', port: 7001 }), { message: NO_MASTER_IPS });
      t.equal((await endpoints()).subsets.length, 1, `${minor}: the last address stays`);
    }
  }
});

t.test('the ClusterIP is the first address of the service range', async (t) => {
  t.equal(firstAddress('10.0.0.0/24'), '10.0.0.1');
  t.equal(firstAddress('10.96.0.0/12'), '10.96.0.1');
  t.equal(firstAddress('10.96.5.7/12'), '10.96.0.1', 'the network address, not the one given');
  t.equal(firstAddress('fd00:10:96::/112'), 'fd00:10:96::1');
  t.equal(firstAddress('10.0.0.0'), undefined);
  t.equal(firstAddress('10.0.0.0/33'), undefined);
});
