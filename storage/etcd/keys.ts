/**
 * Where a store key lives in etcd. Store keys are spelled with kube-apiserver's default prefix
 * (`/registry/…`); in etcd they live under `--etcd-prefix` instead, as upstream joins its prefix
 * with each resource's path. Other keys that start with `/` (the peer endpoint leases
 * `/peerserverleases/…`, `/masterleases/…`) live under the prefix too, as upstream stores them; a
 * key without a leading `/` (the compactors' `compact_rev_key`) is at etcd's root, as upstream's.
 */

/** kube-apiserver's `--etcd-prefix` default, and how store keys are spelled. */
export const DEFAULT_ETCD_PREFIX = '/registry';

/** Maps store keys to etcd keys and back under one `--etcd-prefix`. */
export class EtcdKeys {
  private readonly prefix: string;

  constructor(prefix: string = DEFAULT_ETCD_PREFIX) {
    this.prefix = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  }

  /** The etcd key of store key (or key prefix) `key`. */
  toEtcd(key: string): string {
    if (!key.startsWith('/')) return key;
    if (key === DEFAULT_ETCD_PREFIX || key.startsWith(`${DEFAULT_ETCD_PREFIX}/`)) return this.prefix + key.slice(DEFAULT_ETCD_PREFIX.length);
    return this.prefix + key;
  }

  /** The store key of `etcdKey`, found under the store prefix `storePrefix` (whose etcd form it starts with). */
  fromEtcd(storePrefix: string, etcdKey: string): string {
    return storePrefix + etcdKey.slice(this.toEtcd(storePrefix).length);
  }
}
