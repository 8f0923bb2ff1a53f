/**
 * The storage layer's public surface: the {@link Store} contract, its errors, and the SQLite and
 * etcd backends that implement it. Backend helpers (`keys.ts`, `preconditions.ts`) and the contract
 * suite (`testing/contract.ts`) are imported directly by the code that needs them.
 */
export * from './store.js';
export * from './errors.js';
export type { StoreLogger } from './logger.js';
export { DEFAULT_BUSY_TIMEOUT_MS, openSqliteStore, type SqliteStoreOptions } from './sqlite/store.js';
export { openEtcdStore, type EtcdStoreOptions } from './etcd/store.js';
export { DEFAULT_ETCD_PREFIX } from './etcd/keys.js';
