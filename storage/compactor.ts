/**
 * The compactor every kube-apiserver runs against its store (`--etcd-compaction-interval`, default
 * 5m): once per interval it compacts the store to the revision it saw one interval earlier, so the
 * store keeps roughly one interval of history and clients that come back later get `410 Expired`.
 *
 * Several servers share one store and each runs a compactor; as upstream's does, they agree through
 * one record (`compact_rev_key`) written with compare-and-swap. Each compactor remembers the
 * record's version as it last saw it. On its tick it bumps the version only if nobody else has,
 * and then compacts to the revision it saw on its previous tick; if someone else has, it adopts
 * their version and waits for its next tick. So one server compacts per interval, and if it dies,
 * another takes over within two intervals. The first successful tick never compacts (it has no
 * earlier revision yet), which leaves a new cluster its first interval of history.
 */
import { isStorageError } from './errors.js';
import type { Store } from './store.js';

/** The record the compactors of one store agree through (upstream's etcd key has this name). */
export const COMPACT_REV_KEY = 'compact_rev_key';

/** What the compactor needs of a clock (a kube-skew Clock fits). */
export interface CompactorClock {
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

/** Where the compactor reports. */
export interface CompactorLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The record's value: `version` counts successful ticks (etcd's key version), `revision` is what was written. */
interface CompactRecord {
  version: number;
  revision: number;
}

/** One tick's outcome, for logs and tests. */
export interface CompactTick {
  /** True when this compactor won the tick (it bumped the version). */
  won: boolean;
  /** The revision compacted to, when it compacted. */
  compacted?: number;
}

/** A running compactor. */
export class Compactor {
  /** The record's version as this compactor last saw it (0: no record yet). */
  private version = 0;
  /** The store's revision at this compactor's previous tick (0: none yet). */
  private lastRevision = 0;
  private timer: { cancel(): void } | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: CompactorClock,
    private readonly intervalMs: number,
    private readonly log: CompactorLog,
  ) {}

  /** Start ticking every interval (an interval of 0 disables compaction, as upstream's). */
  start(): void {
    if (this.intervalMs > 0) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.tick()
        .catch((err: unknown) => this.log.warn({ err }, 'compaction failed'))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }

  /** One round of the protocol (exported for tests through the class). */
  async tick(): Promise<CompactTick> {
    const previous = this.lastRevision;
    const record = await this.swap();
    this.lastRevision = record.revisionAfter;
    if (!record.won) return { won: false };
    if (previous === 0) return { won: true };
    await this.store.compact(previous);
    this.log.debug({ revision: previous }, 'compacted the store');
    return { won: true, compacted: previous };
  }

  /**
   * Write the record if its version is still the one this compactor knows; otherwise adopt the
   * version found. Either way, report the store's revision after the attempt.
   */
  private async swap(): Promise<{ won: boolean; revisionAfter: number }> {
    const next: CompactRecord = { version: this.version + 1, revision: this.lastRevision };
    try {
      const written =
        this.version === 0
          ? await this.store.create(COMPACT_REV_KEY, { ...next })
          : await this.store.update(COMPACT_REV_KEY, (current) => {
              if ((current.value as unknown as CompactRecord).version !== this.version) throw new LostSwap();
              return { ...next };
            });
      this.version = next.version;
      return { won: true, revisionAfter: written.rev };
    } catch (err) {
      if (!(err instanceof LostSwap) && !isStorageError(err, 'KeyExists') && !isStorageError(err, 'KeyNotFound')) throw err;
      const found = await this.store.get(COMPACT_REV_KEY);
      this.version = found ? (found.value as unknown as CompactRecord).version : 0;
      return { won: false, revisionAfter: await this.store.currentRevision() };
    }
  }
}

/** Thrown inside the update when another compactor moved the version first. */
class LostSwap extends Error {}
