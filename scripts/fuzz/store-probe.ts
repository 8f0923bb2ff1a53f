/**
 * Watching the store for changes nobody asked for: the SQLite file opened read-only beside the
 * running server, read between batches of requests. Every write appends a row to `log`, so the rows
 * past the last batch's revision are exactly what the batch changed; each must be explained by a
 * write the server accepted (one row per accepted write naming that key). The `current` table's
 * hash is compared too, so a change without a log row (a half-written object) cannot hide. Keys the
 * server itself keeps writing (its identity and controller leases) are left out.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { storagePrefixOf } from '../../server/registry/resource-type.js';

/** Keys the server writes on its own, whatever the fuzzer does. */
const BACKGROUND_PREFIXES = [`${storagePrefixOf('coordination.k8s.io', 'leases')}kube-system/`];

const isBackground = (key: string): boolean => BACKGROUND_PREFIXES.some((p) => key.startsWith(p));

/** One log row. */
export interface LogRow {
  rev: number;
  type: string;
  key: string;
}

/** What changed since the previous snapshot. */
export interface StoreDelta {
  /** Log rows since the previous snapshot, background keys left out. */
  rows: LogRow[];
  /** True when the `current` table (background keys left out) changed although no log row says so. */
  unloggedChange: boolean;
}

/** A read-only view of one store file. */
export class StoreProbe {
  private readonly db: Database.Database;
  private lastRev: number;
  private lastHash: string;

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.lastRev = this.maxRev();
    this.lastHash = this.currentHash();
  }

  /** The highest revision ever written (AUTOINCREMENT keeps it in sqlite_sequence). */
  maxRev(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  /** A hash of every live key, revision and value outside the background keys. */
  currentHash(): string {
    const h = createHash('sha256');
    for (const row of this.db.prepare('SELECT key, rev, value FROM current ORDER BY key').iterate() as Iterable<{ key: string; rev: number; value: string }>) {
      if (isBackground(row.key)) continue;
      h.update(`${row.key}\u0000${row.rev}\u0000${row.value}\u0000`);
    }
    return h.digest('hex');
  }

  /** What changed since the last call (or since the probe opened), read in one snapshot. */
  delta(): StoreDelta {
    return this.db.transaction((): StoreDelta => {
      const max = this.maxRev();
      const rows = (this.db.prepare('SELECT rev, type, key FROM log WHERE rev > ? AND rev <= ? ORDER BY rev').all(this.lastRev, max) as LogRow[]).filter((r) => !isBackground(r.key));
      this.lastRev = Math.max(this.lastRev, max);
      const hash = this.currentHash();
      const unloggedChange = rows.length === 0 && hash !== this.lastHash;
      this.lastHash = hash;
      return { rows, unloggedChange };
    })();
  }

  close(): void {
    this.db.close();
  }
}

/** The last path segment of a store key: the object's name. */
export function keyName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** The namespace segment of a namespaced key (`/registry/<resource>/<namespace>/<name>`: the segment before the name), or undefined. */
export function keyNamespace(key: string): string | undefined {
  const parts = key.split('/');
  return parts.length >= 5 ? parts.at(-2) : undefined;
}
