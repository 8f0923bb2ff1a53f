/**
 * Opens the store a server's flags name: etcd when `--etcd-servers` is set (with `--etcd-prefix`
 * and the `--etcd-cafile`/`--etcd-certfile`/`--etcd-keyfile` TLS files), otherwise the SQLite file
 * at `--storage-path`.
 */
import { readFileSync } from 'node:fs';
import { openEtcdStore } from '../storage/etcd/store.js';
import type { StoreLogger } from '../storage/logger.js';
import { openSqliteStore } from '../storage/sqlite/store.js';
import type { Store } from '../storage/store.js';
import { ConfigError, type ServerConfig } from './config.js';

/** The store of `config`, with TTL records expiring by `now`. Throws ConfigError for an unreadable TLS file. */
export function openConfiguredStore(config: Pick<ServerConfig, 'storagePath' | 'etcd'>, now: () => number, logger: StoreLogger): Store {
  const etcd = config.etcd;
  if (etcd === undefined) return openSqliteStore(config.storagePath, { now, logger });
  const read = (flag: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`invalid argument "${path}" for "--${flag}" flag: ${(err as Error).message}`);
    }
  };
  const tls = etcd.caFile
    ? { ca: read('etcd-cafile', etcd.caFile), ...(etcd.certFile ? { cert: read('etcd-certfile', etcd.certFile) } : {}), ...(etcd.keyFile ? { key: read('etcd-keyfile', etcd.keyFile) } : {}) }
    : undefined;
  return openEtcdStore({ servers: etcd.servers, prefix: etcd.prefix, now, logger, ...(tls ? { tls } : {}) });
}
