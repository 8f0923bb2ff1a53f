/**
 * Concurrent Service creates through two server processes over one store never share a ClusterIP
 * or a NodePort: the allocation bitmaps are read-modify-written in store transactions. A small
 * range fills up: the creates beyond it get upstream's 500 `range is full`, and the ones that
 * failed half-way gave back what they had taken.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';
import type { Cluster } from '../../../server/cluster/cluster.js';

const SVC = '/api/v1/namespaces/default/services';
const ARGS = ['--service-cluster-ip-range=10.0.0.0/28', '--service-node-port-range=30000-30019'];

/** Wait until the kubernetes Service (which holds 10.0.0.1) exists. */
async function kubernetesService(t: { fail(message: string): void }, cluster: Cluster): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await api(cluster, urlOf(cluster, 's1'), 'GET', `${SVC}/kubernetes`)).status === 200) return;
    await sleep(200);
  }
  t.fail('the kubernetes Service was never created');
}

function createAll(cluster: Cluster, names: string[], spec: (i: number) => Record<string, unknown>) {
  return Promise.all(
    names.map((name, i) =>
      api(cluster, urlOf(cluster, i % 2 === 0 ? 's1' : 's2'), 'POST', SVC, { body: { metadata: { name }, spec: spec(i) } }),
    ),
  );
}

t.test('two servers creating Services at once never double-allocate', async (t) => {
  const cluster = await startCluster(t, '1.32,1.32', { args: ARGS });
  await kubernetesService(t, cluster);

  // 14 usable addresses in a /28, one of them the kubernetes Service's.
  const names = Array.from({ length: 20 }, (_, i) => `ip-${i}`);
  const results = await createAll(cluster, names, () => ({ ports: [{ port: 80 }] }));
  const ok = results.filter((r) => r.status === 201);
  const ips = ok.map((r) => r.json.spec.clusterIP as string);
  t.equal(ok.length, 13, 'exactly the 13 free addresses were handed out');
  t.equal(new Set(ips).size, ips.length, `no address twice: ${ips.join(' ')}`);
  t.notOk(ips.includes('10.0.0.1'), 'not the kubernetes Service\'s');
  for (const r of results.filter((r) => r.status !== 201)) {
    t.equal(r.status, 500);
    t.equal(r.json.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
  }

  // Free them all, then race for the 20 node ports with 2 ports per Service.
  await Promise.all(ok.map((r) => api(cluster, urlOf(cluster, 's1'), 'DELETE', `${SVC}/${r.json.metadata.name}`)));
  const npNames = Array.from({ length: 13 }, (_, i) => `np-${i}`);
  const npResults = await createAll(cluster, npNames, () => ({ type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }));
  const npOk = npResults.filter((r) => r.status === 201);
  const ports = npOk.flatMap((r) => r.json.spec.ports.map((p: { nodePort: number }) => p.nodePort as number));
  t.equal(npOk.length, 10, 'ten Services of two ports fill the 20 ports');
  t.equal(new Set(ports).size, ports.length, 'no node port twice');
  for (const r of npResults.filter((r) => r.status !== 201)) {
    t.equal(r.status, 500);
    t.equal(r.json.message, 'Internal error occurred: failed to allocate a nodePort: range is full');
  }
  // The failed creates gave back their ClusterIP and first port: after deleting everything, the
  // whole ranges can be taken again.
  await Promise.all(npOk.map((r) => api(cluster, urlOf(cluster, 's2'), 'DELETE', `${SVC}/${r.json.metadata.name}`)));
  const again = await createAll(cluster, npNames.slice(0, 10).map((n) => `${n}-again`), () => ({ type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }));
  t.same(again.map((r) => r.status), Array(10).fill(201), 'every address and port is free again');
});
