/**
 * The store contract on etcd: every case gets a fresh single-member etcd (the machine's `etcd`
 * binary) in a temporary directory, stopped when the case's store closes, even when it fails.
 * Skips with a message where etcd is not installed.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdMissing, startLocalEtcd, type LocalEtcd } from '../../server/cluster/local-etcd.js';
import { openEtcdStore } from '../../storage/etcd/store.js';
import type { Store } from '../../storage/store.js';
import { runStoreContract } from '../../storage/testing/contract.js';

const missing = etcdMissing();
if (missing !== undefined) {
  t.plan(0, `skipped: ${missing}`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'kube-skew-etcd-contract-'));
  const running = new Set<LocalEtcd>();
  t.teardown(async () => {
    await Promise.all([...running].map((etcd) => etcd.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;

  /** A store on a new etcd; closing the store stops that etcd. */
  const fresh = async (now: () => number, prefix?: string): Promise<Store> => {
    const etcd = await startLocalEtcd(join(dir, `etcd-${++n}`));
    running.add(etcd);
    const store = openEtcdStore({ servers: [etcd.url], now, ...(prefix ? { prefix } : {}) });
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      await etcd.stop();
      running.delete(etcd);
    };
    return store;
  };

  await runStoreContract(t, 'etcd', (now) => fresh(now), { ttlTakesRevisions: true });

  await t.test('keys live under --etcd-prefix as etcdctl shows them; compact_rev_key at the root; TTL records carry a lease', async (t) => {
    const etcd = await startLocalEtcd(join(dir, 'layout'));
    running.add(etcd);
    t.teardown(() => etcd.stop());
    const store = openEtcdStore({ servers: [etcd.url], prefix: '/custom' });
    t.teardown(() => store.close());
    await store.create('/registry/configmaps/default/x', { metadata: { name: 'x' } });
    await store.create('compact_rev_key', { version: 1 });
    await store.setTtl('/peerserverleases/a', { address: '127.0.0.1' }, 30);
    t.same((await store.list('/registry/configmaps/')).items.map((i) => i.key), ['/registry/configmaps/default/x'], 'store keys read back as /registry/…');
    t.same((await store.listTtl('/peerserverleases/')).map((r) => r.key), ['/peerserverleases/a']);
    const etcdctl = (...args: string[]): string => execFileSync('etcdctl', ['--endpoints', etcd.url, ...args], { env: { ...process.env, ETCDCTL_API: '3' } }).toString();
    t.same(etcdctl('get', '', '--prefix', '--keys-only').split('\n').filter(Boolean).sort(), ['/custom/configmaps/default/x', '/custom/peerserverleases/a', 'compact_rev_key']);
    t.match(etcdctl('get', '/custom/peerserverleases/a', '-w', 'json'), /"lease":[1-9]/, 'the TTL record is attached to a lease');
  });
}
