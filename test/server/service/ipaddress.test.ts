/**
 * MultiCIDRServiceAllocator (on by default from 1.33): the default ServiceCIDR `kubernetes` from
 * the flag, one IPAddress object per ClusterIP, freed with the Service; and a mixed 1.32 + 1.33
 * cluster where the 1.33 server's dual write to the bitmap keeps both allocators from handing out
 * the same address.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';
import type { Cluster } from '../../../server/cluster/cluster.js';

const SVC = '/api/v1/namespaces/default/services';
const IPADDRESSES = '/apis/networking.k8s.io/v1/ipaddresses';

async function waitFor(cluster: Cluster, server: string, path: string): Promise<number> {
  let status = 0;
  for (let i = 0; i < 150; i++) {
    status = (await api(cluster, urlOf(cluster, server), 'GET', path)).status;
    if (status === 200) return status;
    await sleep(200);
  }
  return status;
}

function create(cluster: Cluster, server: string, name: string, spec: Record<string, unknown> = {}) {
  return api(cluster, urlOf(cluster, server), 'POST', SVC, { body: { metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } } });
}

t.test('1.33 and 1.34 servers allocate ClusterIPs as IPAddress objects', async (t) => {
  const cluster = await startCluster(t, '1.33,1.34');
  const cidr = await api(cluster, urlOf(cluster, 's2'), 'GET', '/apis/networking.k8s.io/v1/servicecidrs/kubernetes');
  t.equal(cidr.status, 200, 'the default ServiceCIDR exists once the servers are up');
  t.same(cidr.json.spec.cidrs, ['10.0.0.0/24']);
  t.match(cidr.json.status.conditions, [{ type: 'Ready', status: 'True', message: 'Kubernetes default Service CIDR is ready' }]);

  t.equal(await waitFor(cluster, 's1', `${SVC}/kubernetes`), 200);
  const kube = await api(cluster, urlOf(cluster, 's1'), 'GET', `${IPADDRESSES}/10.0.0.1`);
  t.equal(kube.status, 200, 'the kubernetes Service\'s address has its IPAddress');
  t.match(kube.json.spec.parentRef, { resource: 'services', namespace: 'default', name: 'kubernetes' });

  for (const server of ['s1', 's2']) {
    const name = `web-${server}`;
    const svc = await create(cluster, server, name);
    t.equal(svc.status, 201, JSON.stringify(svc.json));
    const ip = svc.json.spec.clusterIP as string;
    const addr = await api(cluster, urlOf(cluster, server), 'GET', `${IPADDRESSES}/${ip}`);
    t.equal(addr.status, 200, `IPAddress ${ip} created by ${server}`);
    t.same(addr.json.metadata.labels, { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' });
    t.same(addr.json.spec.parentRef, { resource: 'services', namespace: 'default', name });
    t.equal((await api(cluster, urlOf(cluster, server), 'DELETE', `${SVC}/${name}`)).status, 200);
    t.equal((await api(cluster, urlOf(cluster, server), 'GET', `${IPADDRESSES}/${ip}`)).status, 404, 'deleting the Service deletes its IPAddress');
  }

  t.equal((await create(cluster, 's2', 'fixed', { clusterIP: '10.0.0.20' })).status, 201);
  const taken = await create(cluster, 's1', 'taken', { clusterIP: '10.0.0.20' });
  t.equal(taken.status, 422);
  t.equal(taken.json.message, 'Service "taken" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.20"}: failed to allocate IP 10.0.0.20: provided IP is already allocated');
  const outside = await create(cluster, 's2', 'outside', { clusterIP: '10.1.0.5' });
  t.equal(outside.status, 422);
  t.equal(outside.json.message, 'Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"10.1.0.5"}: failed to allocate IP 10.1.0.5: the provided network does not match the current range');
});

t.test('a mixed 1.32 + 1.33 cluster never hands out one address twice', async (t) => {
  const cluster = await startCluster(t, '1.32,1.33', { args: ['--service-cluster-ip-range=10.0.0.0/28'] });
  t.equal(await waitFor(cluster, 's1', `${SVC}/kubernetes`), 200);

  // The 1.32 server's bitmap allocation is seen by the 1.33 server (its dual write checks the bitmap first) …
  t.equal((await create(cluster, 's1', 'old', { clusterIP: '10.0.0.5' })).status, 201);
  const fromNew = await create(cluster, 's2', 'from-new', { clusterIP: '10.0.0.5' });
  t.equal(fromNew.status, 422);
  t.match(fromNew.json.message, 'failed to allocate IP 10.0.0.5: provided IP is already allocated');
  // … and the 1.33 server's allocation lands in the bitmap the 1.32 server reads.
  t.equal((await create(cluster, 's2', 'new', { clusterIP: '10.0.0.6' })).status, 201);
  t.equal((await api(cluster, urlOf(cluster, 's2'), 'GET', `${IPADDRESSES}/10.0.0.6`)).status, 200, 'with its IPAddress');
  const fromOld = await create(cluster, 's1', 'from-old', { clusterIP: '10.0.0.6' });
  t.equal(fromOld.status, 422);
  t.match(fromOld.json.message, 'failed to allocate IP 10.0.0.6: provided IP is already allocated');

  // Dynamic allocations from both at once: 14 usable addresses, 3 taken.
  const results = await Promise.all(Array.from({ length: 14 }, (_, i) => create(cluster, i % 2 === 0 ? 's1' : 's2', `burst-${i}`)));
  const ok = results.filter((r) => r.status === 201);
  const ips = ok.map((r) => r.json.spec.clusterIP as string);
  t.ok(ok.length > 0 && ok.length <= 11, `${ok.length} of the 11 free addresses handed out`);
  t.equal(new Set([...ips, '10.0.0.1', '10.0.0.5', '10.0.0.6']).size, ips.length + 3, `no address twice: ${ips.join(' ')}`);
  for (const r of results.filter((r) => r.status !== 201)) t.same([r.status, r.json.message], [500, 'Internal error occurred: failed to allocate a serviceIP: range is full']);
});

t.test('a dual-stack range gives RequireDualStack Services one address of each family', async (t) => {
  const cluster = await startCluster(t, '1.33', { args: ['--service-cluster-ip-range=10.0.0.0/24,fd00::/108'] });
  const cidr = await api(cluster, urlOf(cluster, 's1'), 'GET', '/apis/networking.k8s.io/v1/servicecidrs/kubernetes');
  t.same(cidr.json.spec.cidrs, ['10.0.0.0/24', 'fd00::/108']);
  const svc = await create(cluster, 's1', 'dual', { ipFamilyPolicy: 'RequireDualStack' });
  t.equal(svc.status, 201, JSON.stringify(svc.json));
  t.same(svc.json.spec.ipFamilies, ['IPv4', 'IPv6']);
  const [v4, v6] = svc.json.spec.clusterIPs as string[];
  t.match(v4, /^10\.0\.0\.\d+$/);
  t.match(v6, /^fd00::[0-9a-f:]+$/);
  const addr6 = await api(cluster, urlOf(cluster, 's1'), 'GET', `${IPADDRESSES}/${v6}`);
  t.equal(addr6.status, 200, `IPAddress ${v6}`);
  t.equal(addr6.json.metadata.labels['ipaddress.kubernetes.io/ip-family'], 'IPv6');
  const single = await create(cluster, 's1', 'single');
  t.same(single.json.spec.ipFamilies, ['IPv4'], 'SingleStack by default, in the primary family');
  const bad = await api(cluster, urlOf(cluster, 's1'), 'POST', IPADDRESSES, { body: { metadata: { name: 'fd00:0::7' }, spec: { parentRef: { resource: 'services', namespace: 'default', name: 'x' } } } });
  t.equal(bad.status, 422);
  t.match(bad.json.message, 'must be a canonical format IP address');
});

t.test('a 1.34 server writes no bitmap: next to a 1.32 server one address can be handed out twice, as upstream', async (t) => {
  const cluster = await startCluster(t, '1.25,1.32,1.34');
  t.equal(await waitFor(cluster, 's1', `${SVC}/kubernetes`), 200);
  const oldest = await create(cluster, 's1', 'oldest', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] });
  t.equal(oldest.status, 201, `a 1.25 server allocates too: ${JSON.stringify(oldest.json)}`);
  t.ok(oldest.json.spec.clusterIP, 'with a ClusterIP');
  const portTaken = await create(cluster, 's3', 'port-taken', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] });
  t.equal(portTaken.status, 422, 'node ports stay in the shared bitmap in every minor');
  t.equal((await create(cluster, 's2', 'bitmap', { clusterIP: '10.0.0.30' })).status, 201);
  const twice = await create(cluster, 's3', 'ipaddress', { clusterIP: '10.0.0.30' });
  t.equal(twice.status, 201, 'the 1.34 server only looks at IPAddress objects (a two-minor skew upstream does not support)');
  t.equal((await create(cluster, 's2', 'after', { clusterIP: '10.0.0.31' })).status, 201);
  t.equal((await create(cluster, 's3', 'after-too', { clusterIP: '10.0.0.31' })).status, 201);
});

t.test('a server upgraded to 1.34 repairs the IPAddress objects of Services a 1.32 server allocated', async (t) => {
  const cluster = await startCluster(t, '1.32,1.32');
  t.equal(await waitFor(cluster, 's1', `${SVC}/kubernetes`), 200);
  const old = await create(cluster, 's1', 'before-upgrade');
  t.equal(old.status, 201);
  const ip = old.json.spec.clusterIP as string;
  await cluster.restartServer('s2', { minor: '1.34' });
  const addr = await api(cluster, urlOf(cluster, 's2'), 'GET', `${IPADDRESSES}/${ip}`);
  t.equal(addr.status, 200, `the repair pass at start created IPAddress ${ip}`);
  t.same(addr.json.spec.parentRef, { resource: 'services', namespace: 'default', name: 'before-upgrade' });
  const again = await create(cluster, 's2', 'after-upgrade', { clusterIP: ip });
  t.equal(again.status, 422, 'so the 1.34 server does not hand it out again');
  t.match(again.json.message, `failed to allocate IP ${ip}: provided IP is already allocated`);
});
