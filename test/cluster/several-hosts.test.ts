/**
 * A cluster over three hosts on this machine (network namespaces on one bridge, `scripts/hosts`):
 * a 3-member etcd with one member per host and one server per host (1.34, 1.35, 1.36), each on
 * port 6443 of its own address. It shows a server with no address flag refusing to start on a host
 * without a default route (kube-apiserver's error), the peer endpoint leases holding each host's
 * real address by the fallback it used (`--peer-advertise-ip`, `--advertise-address`, the default
 * interface), the Mixed Version Proxy between hosts, a host cut off (its link down) giving the
 * plain-text 503 upstream gives when the dial to a peer fails, and an etcd member killed with quorum kept and nothing
 * lost. Everything is stopped and removed in teardown, even when a check fails. Skips with a
 * message where root, `ip` or `etcd` is missing.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { etcdMissing } from '../../server/cluster/local-etcd.js';
import { httpsRequest, type HttpsResponse } from '../../server/cluster/https-client.js';
import { ServerProcess } from '../../server/cluster/server-process.js';
import { getPeerEndpoint } from '../../server/peers/endpoint-lease.js';
import { SERVED_BY_HEADER, TRACE_HEADER } from '../../server/filters/served-by.js';
import { openEtcdStore } from '../../storage/etcd/store.js';
import { Hosts, hostsMissing } from '../../scripts/hosts/netns.js';
import { startSeveralHosts, type SeveralHosts } from '../../scripts/hosts/several-hosts.js';
import { MAP_PATH, mutatingAdmissionPolicy, poll } from '../peers/helpers.js';

const missing = hostsMissing() ?? etcdMissing();
if (missing !== undefined) t.plan(0, `skipped: ${missing}`);
else {
  const dataDir = await mkdtemp(join(tmpdir(), 'kube-skew-hosts-'));
  const hosts = await Hosts.create({ count: 3 });
  let run: SeveralHosts | undefined;
  t.teardown(async () => {
    try {
      await run?.stop();
    } finally {
      await hosts.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  const [h1, h2, h3] = hosts.hosts as [typeof hosts.hosts[0], typeof hosts.hosts[0], typeof hosts.hosts[0]];
  const sub = hosts.subnet;

  /** One request as the admin, answered or not: a transport failure or a timeout is status 0. */
  const call = async (url: string, method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<HttpsResponse> => {
    try {
      return await httpsRequest(`${url}${path}`, { method, headers: { accept: 'application/json', [TRACE_HEADER]: '1' }, body, tls: run!.cluster.tls, timeoutMs });
    } catch (err) {
      return { status: 0, headers: {}, text: (err as Error).message, json: undefined } as unknown as HttpsResponse;
    }
  };
  const url = (server: string): string => run!.cluster.server(server).info!.url;
  /** etcdctl's stdout and stderr (`endpoint health` reports on stderr). */
  const etcdctl = (endpoints: string[], ...args: string[]): string => {
    const r = spawnSync('etcdctl', ['--endpoints', endpoints.join(','), ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
    return `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`;
  };

  // h2 never gets a default route (its server is given --advertise-address), so this check runs
  // while the cluster starts.
  const noAddress = t.test('on a host without a default route, a server with no address flag refuses to start as kube-apiserver does', async (t) => {
    const proc = new ServerProcess('no-address', ['--emulated-version=1.36', '--secure-port=0', `--storage-path=${join(dataDir, 'unused.db')}`], { netns: h2.netns });
    t.teardown(() => proc.kill());
    await t.rejects(
      proc.whenListening(),
      {
        message:
          /Error: Unable to find suitable network address\.error='no default routes found in "\/proc\/net\/route" or "\/proc\/net\/ipv6_route"'\. Try to set the AdvertiseAddress directly or provide a valid BindAddress to fix this\./,
      },
      'ResolveBindAddress → ChooseHostInterface finds no default route: startup error',
    );
  });

  const started = t.test('three hosts, a 3-member etcd across them, one server of a different minor on each', async (t) => {
    // A peer endpoint lease outliving the cut (upstream's TTL is 15 s), so that h1 keeps dialing h3
    // and shows the transport's 503 rather than, a moment later, the no-endpoint one.
    run = await startSeveralHosts({ dataDir, hosts, args: ['--peer-endpoint-lease-ttl-seconds=300'] });
    t.same(run.servers.map((s) => [s.server, s.minor, s.addressing]), [
      ['h1', '1.34', 'peer-advertise-ip'],
      ['h2', '1.35', 'advertise-address'],
      ['h3', '1.36', 'default-interface'],
    ]);
    t.same(run.etcd.map((m) => m.url), [h1, h2, h3].map((h) => `http://${h.address}:2379`), 'one etcd member on each host, on its address');
    const health = etcdctl(run.etcd.map((m) => m.url), 'endpoint', 'health');
    t.equal(health.match(/is healthy/g)?.length, 3, 'all three members healthy');
    for (const [name, h] of [['h1', h1], ['h2', h2], ['h3', h3]] as const) t.equal(url(name), `https://${h.address}:6443`, `${name}'s server answers at ${h.address}:6443`);
  });

  await Promise.all([noAddress, started]);

  await t.test('the peer endpoint leases hold each host\'s real address, by the fallback its flags leave', async (t) => {
    const store = openEtcdStore({ servers: run!.etcd.map((m) => m.url), now: () => Date.now() });
    try {
      const expected: Array<[string, string, string]> = [
        ['h1', `${sub}.21:6443`, '--peer-advertise-ip and --peer-advertise-port win over --advertise-address'],
        ['h2', `${sub}.12:6443`, 'only --advertise-address: its address and the secure port'],
        ['h3', `${sub}.13:6443`, 'no address flag: the address of the interface the default route transits'],
      ];
      for (const [server, address, why] of expected) {
        const id = run!.cluster.server(server).info!.id;
        const got = await poll(() => getPeerEndpoint(store, id), (v) => v === address, 30_000, 250);
        t.equal(got.value, address, `${server}: ${why}`);
      }
    } finally {
      await store.close();
    }
    // The public address (advertise address, else the resolved bind address) is what the `kubernetes`
    // Endpoints list: h1's is its --advertise-address, not its peer address.
    const endpoints = await poll(
      () => call(url('h2'), 'GET', '/api/v1/namespaces/default/endpoints/kubernetes'),
      (r) => r.status === 200 && JSON.stringify(addresses(r)) === JSON.stringify([`${sub}.11`, `${sub}.12`, `${sub}.13`]),
      30_000,
      250,
    );
    t.same(addresses(endpoints.value), [`${sub}.11`, `${sub}.12`, `${sub}.13`], 'the kubernetes Endpoints hold each server\'s public address');
  });

  await t.test('the Mixed Version Proxy between hosts: a 1.36-only resource asked of 1.34 and 1.35 is served by h3 at its address', async (t) => {
    const direct = await call(url('h3'), 'GET', MAP_PATH);
    t.equal(direct.status, 200, 'h3 (1.36) serves mutatingadmissionpolicies itself');
    for (const server of ['h1', 'h2']) {
      const res = await poll(() => call(url(server), 'GET', MAP_PATH), (r) => r.status === 200, 60_000, 250);
      t.equal(res.value.status, 200, `${server} answers 200 once it has discovered h3`);
      t.equal(res.value.headers[SERVED_BY_HEADER], 'h3', `${server} proxied it to h3`);
    }
    const created = await call(url('h1'), 'POST', MAP_PATH, mutatingAdmissionPolicy('across-hosts'));
    t.equal(created.status, 201, 'a create through h1 (1.34) is served by h3');
    t.equal(created.headers[SERVED_BY_HEADER], 'h3');
    const read = await call(url('h3'), 'GET', `${MAP_PATH}/across-hosts`);
    t.equal(read.status, 200, 'h3 reads it back from the etcd cluster');
  });

  await t.test('h3 cut off (its link down): h1 answers the 503s upstream gives for an unreachable peer, and proxies again once h3 is back', async (t) => {
    await hosts.cutOff(h3);
    let restored = false;
    t.teardown(() => (restored ? undefined : hosts.reconnect(h3)));
    // A request on one of h1's kept-alive connections to h3 waits for an answer that never comes, as
    // on a real partition (the hop has no response timeout). A request sent while those are busy
    // dials h3 afresh, which fails once the 10 s connect timeout passes (i/o timeout) or ARP gives
    // up (no route to host). So requests go out every 2 s, without waiting for the earlier ones.
    const answers: HttpsResponse[] = [];
    const inflight: Array<Promise<void>> = [];
    let failed: HttpsResponse | undefined;
    for (const deadline = Date.now() + 60_000; failed === undefined && Date.now() < deadline; ) {
      inflight.push(
        call(url('h1'), 'GET', MAP_PATH, undefined, 45_000).then((r) => {
          if (!restored) answers.push(r);
          if (r.status === 503) failed ??= r;
        }),
      );
      await sleep(2000);
    }
    t.ok(failed, 'h1 answers 503 for what only the cut-off h3 serves');
    const dial = new RegExp(`^dial tcp ${sub.replace(/\./g, '\\.')}\\.13:6443: (i/o timeout|connect: no route to host)\\n$`);
    t.match(failed?.text, dial, "the plain-text 503 of the failed dial, naming h3's real address");
    t.equal(failed?.headers['content-type'], 'text/plain; charset=utf-8');
    t.same(answers.filter((r) => r.status !== 0 && r.status !== 503), [], 'nothing but 503s (and requests still waiting) while h3 is cut off');
    t.comment(`answered while cut off: ${answers.map((r) => `${r.status || 'none'} ${JSON.stringify(r.text)}`).join('; ')}`);
    const local = await poll(() => call(url('h1'), 'GET', '/api/v1/namespaces/default'), (r) => r.status === 200, 60_000, 500);
    t.comment(`h1's own reads meanwhile: ${local.seen.map((r) => r.status || r.text).join(', ')}`);
    t.equal(local.value.status, 200, 'h1 still serves its own resources (h1 and h2 keep etcd\'s quorum)');

    await hosts.reconnect(h3);
    restored = true;
    const back = await poll(() => call(url('h1'), 'GET', MAP_PATH), (r) => r.status === 200, 90_000, 500);
    t.equal(back.value.status, 200, 'h1 proxies to h3 again once its link is up');
    await Promise.all(inflight);
  });

  await t.test('an etcd member killed: quorum kept, writes before and after readable from every host', async (t) => {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { written: name } });
    const before = await call(url('h2'), 'POST', '/api/v1/namespaces/default/configmaps', cm('before-loss'));
    t.equal(before.status, 201, 'written through h2 while all three members run');
    const lost = run!.etcd[1]!;
    await lost.kill();
    t.notOk(lost.alive, "h2's etcd member is dead");
    const remaining = run!.etcd.filter((m) => m !== lost).map((m) => m.url);
    const after = await poll(() => call(url('h2'), 'POST', '/api/v1/namespaces/default/configmaps', cm('after-loss')), (r) => r.status === 201 || r.status === 409, 60_000, 500);
    t.ok(after.ok, 'h2 writes through the other members once its own is gone');
    for (const server of ['h1', 'h2', 'h3']) {
      for (const name of ['before-loss', 'after-loss']) {
        const res = await poll(() => call(url(server), 'GET', `/api/v1/namespaces/default/configmaps/${name}`), (r) => r.status === 200, 30_000, 250);
        t.equal((res.value.json as { data?: { written?: string } } | undefined)?.data?.written, name, `${server} reads ${name}`);
      }
    }
    const keys = etcdctl(remaining, 'get', '--prefix', '/registry/configmaps/default/', '--keys-only');
    t.match(keys, /\/registry\/configmaps\/default\/before-loss/, 'the two remaining members hold the write from before');
    t.match(keys, /\/registry\/configmaps\/default\/after-loss/, 'and the one from after');
    const health = etcdctl(run!.etcd.map((m) => m.url), 'endpoint', 'health');
    t.equal(health.match(/is healthy/g)?.length, 2, 'two of three members healthy: quorum');
  });
}

/** The addresses of an Endpoints answer, sorted. */
function addresses(r: HttpsResponse): string[] {
  const ep = r.json as { subsets?: Array<{ addresses?: Array<{ ip: string }> }> } | undefined;
  return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
}
