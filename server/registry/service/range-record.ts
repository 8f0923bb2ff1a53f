/**
 * A bitmap allocation shared through the store, as upstream's etcd-backed allocator
 * (pkg/registry/core/service/allocator/storage): one `RangeAllocation` record per range
 * (`/registry/ranges/serviceips`, `/registry/ranges/servicenodeports`) holding the range and a
 * bitmap in which bit `i` marks offset `i` taken (Go's `big.Int.Bytes()`, big-endian, base64 in
 * the JSON). Every change is one read-modify-write of the record in a store transaction, so two
 * servers allocating at the same moment never get the same offset: the second decides again on
 * the first one's result.
 *
 * Dynamic allocation follows the bitmap's scan strategies: a random start in the upper part of
 * the range (above `offset`, the static subrange of KEP-3070 and KEP-3668) scanned upwards with
 * wrap-around, then the lower part the same way; with no offset, a random start over the whole
 * range.
 */
import { NO_CHANGE, type JsonObject, type Store, type StoredObject } from '../../../storage/store.js';
import { isStorageError } from '../../../storage/errors.js';
import { formatTime } from '../object.js';

/** Where a range lives and its shape. */
export interface RangeSpec {
  /** The store key of the record. */
  key: string;
  /** The range as upstream records it (`10.0.0.0/24`, `30000-32767`). */
  range: string;
  /** Offsets 0 … max-1 can be allocated. */
  max: number;
  /** The size of the lower, static subrange that dynamic allocation uses last (0: none). */
  offset: number;
}

/** Upstream's allocator/bitmap.go text when the record holds another range. */
export const RANGE_MISMATCH = 'the provided range does not match the current range';

/** An allocation failure the callers turn into upstream's messages. */
export class RangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangeError';
  }
}

function decodeBitmap(data: unknown): bigint {
  if (typeof data !== 'string' || data === '') return 0n;
  const bytes = Buffer.from(data, 'base64');
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function encodeBitmap(bits: bigint): string {
  if (bits === 0n) return '';
  let hex = bits.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64');
}

function has(bits: bigint, i: number): boolean {
  return ((bits >> BigInt(i)) & 1n) === 1n;
}

/** One shared bitmap range in the store. */
export class RangeRecord {
  constructor(
    private readonly store: Store,
    readonly spec: RangeSpec,
    private readonly random: () => number,
    private readonly now: () => Date,
  ) {}

  /** Creates the record when it does not exist yet (another server may create it first). */
  private async ensure(): Promise<void> {
    if (await this.store.get(this.spec.key)) return;
    const value: JsonObject = { apiVersion: 'v1', kind: 'RangeAllocation', metadata: { creationTimestamp: formatTime(this.now()) }, range: this.spec.range, data: '' };
    try {
      await this.store.create(this.spec.key, value);
    } catch (err) {
      if (!isStorageError(err, 'KeyExists')) throw err;
    }
  }

  /** The bitmap of a record, refusing a record of another range. */
  private bitsOf(current: StoredObject): bigint {
    if ((current.value as { range?: unknown }).range !== this.spec.range) throw new RangeError(RANGE_MISMATCH);
    return decodeBitmap((current.value as { data?: unknown }).data);
  }

  /** Runs `decide` on the current bitmap inside one store transaction and writes what it returns. */
  private async change(decide: (bits: bigint) => bigint | undefined): Promise<void> {
    await this.ensure();
    await this.store.update(this.spec.key, (current) => {
      const next = decide(this.bitsOf(current));
      if (next === undefined) return NO_CHANGE;
      return { ...(current.value as JsonObject), data: encodeBitmap(next) };
    });
  }

  /** Reserves `index`; false when it is taken already. */
  async allocate(index: number): Promise<boolean> {
    let ok = false;
    await this.change((bits) => {
      ok = !has(bits, index);
      return ok ? bits | (1n << BigInt(index)) : undefined;
    });
    return ok;
  }

  /** Reserves a free offset chosen as the scan strategy chooses; undefined when the range is full. */
  async allocateNext(): Promise<number | undefined> {
    let chosen: number | undefined;
    await this.change((bits) => {
      chosen = this.pick(bits);
      return chosen === undefined ? undefined : bits | (1n << BigInt(chosen));
    });
    return chosen;
  }

  /** A free offset: the upper subrange from a random start, then the lower one. */
  private pick(bits: bigint): number | undefined {
    const { max, offset } = this.spec;
    const scan = (from: number, size: number): number | undefined => {
      if (size <= 0) return undefined;
      const start = Math.floor(this.random() * size);
      for (let i = 0; i < size; i++) {
        const at = from + ((start + i) % size);
        if (!has(bits, at)) return at;
      }
      return undefined;
    };
    return scan(offset, max - offset) ?? scan(0, offset);
  }

  /** Frees `index` (freeing a free offset does nothing). */
  async release(index: number): Promise<void> {
    await this.change((bits) => (has(bits, index) ? bits & ~(1n << BigInt(index)) : undefined));
  }

  /** Whether `index` is taken now. */
  async has(index: number): Promise<boolean> {
    const current = await this.store.get(this.spec.key);
    return current ? has(this.bitsOf(current), index) : false;
  }
}
