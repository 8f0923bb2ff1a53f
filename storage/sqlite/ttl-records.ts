/**
 * Time-to-live records (kube-apiserver's peer endpoint leases): the `ttl` table, read through an
 * injected clock so that a test or the scenario clock decides when a record expires.
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { prefixEnd } from '../keys.js';
import type { JsonObject } from '../store.js';
import { decodeValue } from './codec.js';

/** Prepared statements over `ttl`; expired rows are invisible to reads and swept by writes. */
export class TtlRecords {
  private readonly getStmt: Statement<[string, number], string | undefined>;
  private readonly listStmt: Statement<[string, string, number], { key: string; value: string }>;
  private readonly deleteStmt: Statement<[string]>;
  private readonly setTx: Transaction<(key: string, text: string, now: number, expiresAt: number) => void>;

  constructor(
    db: Database,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare<[string, number], string>(`SELECT value FROM ttl WHERE key = ? AND expires_at > ?`).pluck();
    this.listStmt = db.prepare(`SELECT key, value FROM ttl WHERE key >= ? AND key < ? AND expires_at > ? ORDER BY key`);
    this.deleteStmt = db.prepare(`DELETE FROM ttl WHERE key = ?`);
    const sweep = db.prepare<[number]>(`DELETE FROM ttl WHERE expires_at <= ?`);
    const upsert = db.prepare<[string, string, number]>(
      `INSERT INTO ttl (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    );
    this.setTx = db.transaction((key: string, text: string, now: number, expiresAt: number) => {
      sweep.run(now);
      upsert.run(key, text, expiresAt);
    });
  }

  /** Stores `value` under `key` until `ttlSeconds` from now, sweeping records that already expired. */
  set(key: string, value: JsonObject, ttlSeconds: number): void {
    const now = this.now();
    this.setTx.immediate(key, JSON.stringify(value), now, now + ttlSeconds * 1000);
  }

  /** The unexpired record under `key`, or undefined. */
  get(key: string): JsonObject | undefined {
    const text = this.getStmt.get(key, this.now());
    return text === undefined ? undefined : decodeValue(text);
  }

  /** Every unexpired record under `prefix`, in key order. */
  list(prefix: string): Array<{ key: string; value: JsonObject }> {
    return this.listStmt.all(prefix, prefixEnd(prefix), this.now()).map((row) => ({ key: row.key, value: decodeValue(row.value) }));
  }

  /** Removes the record under `key`; absent is fine. */
  delete(key: string): void {
    this.deleteStmt.run(key);
  }
}
