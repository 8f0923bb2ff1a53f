/**
 * Service ClusterIP and NodePort allocation on one server, over HTTPS and with real kubectl: what
 * each type gets (from the upper, dynamic part of the ranges), requested values reserved or refused
 * with upstream's 422 texts, frees on delete and on type changes, the healthCheckNodePort of a
 * LoadBalancer with externalTrafficPolicy Local, and allocated values kept by a PUT that leaves
 * them out.
 */
import t from 'tap';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../../fixtures/cluster.js';
import type { Cluster } from '../../../server/cluster/cluster.js';

const SVC = '/api/v1/namespaces/default/services';

function service(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } };
}

async function create(cluster: Cluster, name: string, spec: Record<string, unknown>) {
  return api(cluster, urlOf(cluster, 's1'), 'POST', SVC, { body: service(name, spec) });
}

function ipIndex(ip: string): number {
  return Number(ip.split('.')[3]);
}

t.test('a 1.32 server allocates ClusterIPs and NodePorts from its ranges', async (t) => {
  const cluster = await startCluster(t, '1.32');

  const a = await create(cluster, 'a', {});
  t.equal(a.status, 201, JSON.stringify(a.json));
  const ip = a.json.spec.clusterIP as string;
  t.match(ip, /^10\.0\.0\.\d+$/);
  t.ok(ipIndex(ip) >= 17 && ipIndex(ip) <= 254, `dynamic address above the static subrange of 16: ${ip}`);
  t.same(a.json.spec.clusterIPs, [ip]);
  t.same(a.json.spec.ipFamilies, ['IPv4']);
  t.equal(a.json.spec.ipFamilyPolicy, 'SingleStack');

  const fixed = await create(cluster, 'fixed', { clusterIP: '10.0.0.10' });
  t.equal(fixed.status, 201, JSON.stringify(fixed.json));
  t.equal(fixed.json.spec.clusterIP, '10.0.0.10');
  const taken = await create(cluster, 'taken', { clusterIP: '10.0.0.10' });
  t.equal(taken.status, 422);
  t.equal(taken.json.message, 'Service "taken" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: provided IP is already allocated');
  t.same(taken.json.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: provided IP is already allocated', field: 'spec.clusterIPs' }]);
  const kube = await create(cluster, 'kube', { clusterIP: '10.0.0.1' });
  t.equal(kube.status, 422, 'the kubernetes Service holds the first address');
  const outside = await create(cluster, 'outside', { clusterIP: '10.1.0.5' });
  t.equal(outside.status, 422);
  t.equal(outside.json.message, 'Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"10.1.0.5"}: failed to allocate IP 10.1.0.5: the provided IP (10.1.0.5) is not in the valid range. The range of valid IPs is 10.0.0.0/24');
  const broadcast = await create(cluster, 'broadcast', { clusterIP: '10.0.0.255' });
  t.equal(broadcast.status, 422, 'the broadcast address is never handed out');

  const headless = await create(cluster, 'headless', { clusterIP: 'None', selector: { app: 'x' } });
  t.equal(headless.status, 201);
  t.same(headless.json.spec.clusterIPs, ['None']);
  t.same(headless.json.spec.ipFamilies, ['IPv4']);
  const external = await create(cluster, 'external', { type: 'ExternalName', externalName: 'example.com', ports: undefined });
  t.equal(external.status, 201, JSON.stringify(external.json));
  t.equal(external.json.spec.clusterIP, undefined, 'ExternalName gets no ClusterIP');
  t.equal(external.json.spec.ipFamilies, undefined);

  const np = await create(cluster, 'np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] });
  t.equal(np.status, 201, JSON.stringify(np.json));
  const [p0, p1] = np.json.spec.ports.map((p: { nodePort: number }) => p.nodePort);
  t.ok(p0 >= 30086 && p0 <= 32767 && p1 >= 30086 && p1 <= 32767 && p0 !== p1, `two dynamic node ports above the static subrange of 86: ${p0}, ${p1}`);
  t.ok(np.json.spec.clusterIP, 'a NodePort Service has a ClusterIP too');
  const np30000 = await create(cluster, 'np30000', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] });
  t.equal(np30000.status, 201, JSON.stringify(np30000.json));
  const npTaken = await create(cluster, 'np-taken', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] });
  t.equal(npTaken.status, 422);
  t.equal(npTaken.json.message, 'Service "np-taken" is invalid: spec.ports[0].nodePort: Invalid value: 30000: provided port is already allocated');
  const npOut = await create(cluster, 'np-out', { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] });
  t.equal(npOut.status, 422);
  t.equal(npOut.json.message, 'Service "np-out" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767');
  const failedIP = await api(cluster, urlOf(cluster, 's1'), 'GET', `${SVC}/np-out`);
  t.equal(failedIP.status, 404, 'the refused Service was not stored');

  const lb = await create(cluster, 'lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  t.equal(lb.status, 201, JSON.stringify(lb.json));
  t.ok(lb.json.spec.ports[0].nodePort >= 30000, 'a LoadBalancer gets a node port');
  t.ok(lb.json.spec.healthCheckNodePort >= 30086, `and a healthCheckNodePort with externalTrafficPolicy Local: ${lb.json.spec.healthCheckNodePort}`);
  const lbNoPorts = await create(cluster, 'lb-no-ports', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false });
  t.equal(lbNoPorts.status, 201);
  t.equal(lbNoPorts.json.spec.ports[0].nodePort, undefined, 'allocateLoadBalancerNodePorts: false allocates none');
  const hcTaken = await create(cluster, 'hc-taken', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30000 });
  t.equal(hcTaken.status, 500);
  t.equal(hcTaken.json.message, 'Internal error occurred: failed to allocate requested HealthCheck NodePort 30000: provided port is already allocated');

  // A PUT of the manifest without the allocated values keeps them.
  const put = await api(cluster, urlOf(cluster, 's1'), 'PUT', `${SVC}/np`, {
    body: { ...service('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }), metadata: { name: 'np', resourceVersion: np.json.metadata.resourceVersion } },
  });
  t.equal(put.status, 200, JSON.stringify(put.json));
  t.equal(put.json.spec.clusterIP, np.json.spec.clusterIP, 'clusterIP kept');
  t.same(put.json.spec.ports.map((p: { nodePort: number }) => p.nodePort), [p0, p1], 'node ports kept');

  // Deleting frees; changing the type frees.
  t.equal((await api(cluster, urlOf(cluster, 's1'), 'DELETE', `${SVC}/fixed`)).status, 200);
  t.equal((await create(cluster, 'fixed-again', { clusterIP: '10.0.0.10' })).status, 201, 'a deleted Service\'s address is free again');
  const toClusterIP = await api(cluster, urlOf(cluster, 's1'), 'PATCH', `${SVC}/np30000`, {
    body: { spec: { type: 'ClusterIP' } },
    headers: { 'content-type': 'application/strategic-merge-patch+json' },
  });
  t.equal(toClusterIP.status, 200, JSON.stringify(toClusterIP.json));
  t.equal(toClusterIP.json.spec.ports[0].nodePort, undefined, 'NodePort → ClusterIP drops the node port');
  t.equal((await create(cluster, 'np30000-again', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] })).status, 201, 'and frees it');
  const toExternal = await api(cluster, urlOf(cluster, 's1'), 'PATCH', `${SVC}/fixed-again`, {
    body: { spec: { type: 'ExternalName', externalName: 'example.com' } },
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  t.equal(toExternal.status, 200, JSON.stringify(toExternal.json));
  t.equal(toExternal.json.spec.clusterIP, undefined, 'ExternalName drops the ClusterIP');
  t.equal((await create(cluster, 'fixed-third', { clusterIP: '10.0.0.10' })).status, 201, 'and frees it');

  // A dry run allocates nothing.
  const dry = await api(cluster, urlOf(cluster, 's1'), 'POST', `${SVC}?dryRun=All`, { body: service('dry', { clusterIP: '10.0.0.11' }) });
  t.equal(dry.status, 201);
  t.equal((await create(cluster, 'after-dry', { clusterIP: '10.0.0.11' })).status, 201, 'the dry run did not keep the address');
});

const kubectl132 = kubectlBinary('1.32');
t.test('kubectl sees the allocated values and upstream\'s conflict message', { skip: kubectl132 ? false : 'kubectl 1.32 is not installed on this machine' }, async (t) => {
  const binary = kubectl132!;
  const cluster = await startCluster(t, '1.32');
  const one = await kubectl(t, binary, cluster, ['create', 'service', 'nodeport', 'web', '--tcp=80:8080', '--node-port=30080']);
  t.equal(one.code, 0, one.stderr);
  const got = await kubectl(t, binary, cluster, ['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}']);
  t.match(got.stdout, /^10\.0\.0\.\d+ 30080$/);
  const two = await kubectl(t, binary, cluster, ['create', 'service', 'nodeport', 'web2', '--tcp=80:8080', '--node-port=30080']);
  t.not(two.code, 0);
  t.equal(two.stderr, 'error: failed to create NodePort service: Service "web2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n');
  const three = await kubectl(t, binary, cluster, ['create', 'service', 'clusterip', 'web3', '--tcp=80:8080', '--clusterip=10.0.0.300']);
  t.not(three.code, 0, 'an invalid address is refused before allocation');
});
