/**
 * The NodePort allocator (pkg/registry/core/service/portallocator): ports of
 * `--service-node-port-range` in the shared `/registry/ranges/servicenodeports` bitmap, dynamic
 * allocation preferring the ports above the static subrange (KEP-3668, ServiceNodePortStaticSubrange),
 * and upstream's error texts. An operation collects the ports a write allocates and the ones it
 * releases, so a failed write gives back what it took and a successful one frees what it dropped
 * (portallocator's `PortAllocationOperation`).
 */
import type { Store } from '../../../storage/store.js';
import { RangeRecord } from './range-record.js';

/** The store key of the NodePort bitmap (upstream's `/ranges/servicenodeports`). */
export const NODE_PORTS_KEY = '/registry/ranges/servicenodeports';

/** `--service-node-port-range`'s default. */
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

/** A port range as `net.PortRange`: `base` … `base + size - 1`. */
export interface PortRange {
  base: number;
  size: number;
}

/**
 * Parses `30000-32767`, `30000+2767` or a single port, as `net.ParsePortRange`; throws an Error
 * with upstream's text when the value is not a range.
 */
export function parsePortRange(value: string): PortRange {
  const text = value.trim();
  if (text === '') return { base: 0, size: 0 };
  const m = /^(\d+)(?:([-+])(\d+))?$/.exec(text);
  if (!m) throw new Error(`unable to parse port range: ${text}`);
  const low = Number(m[1]);
  if (!m[2]) {
    if (low > 65535) throw new Error(`invalid port range: ${text}`);
    return { base: low, size: 1 };
  }
  const n = Number(m[3]);
  const high = m[2] === '+' ? low + n : n;
  if (high > 65535 || low > high) throw new Error(`invalid port range: ${text}`);
  return { base: low, size: high - low + 1 };
}

/** `net.PortRange.String()`. */
export function portRangeString(pr: PortRange): string {
  return pr.size === 0 ? '' : `${pr.base}-${pr.base + pr.size - 1}`;
}

/** KEP-3668's static subrange: `min(max(16, size/32), 128)`, 0 for 16 ports or fewer. */
export function portRangeOffset(pr: PortRange): number {
  if (pr.size <= 16) return 0;
  const offset = Math.floor(pr.size / 32);
  return Math.min(Math.max(offset, 16), 128);
}

/** portallocator's errors. */
export const PORT_ERRORS = {
  full: 'range is full',
  allocated: 'provided port is already allocated',
  notInRange: (pr: PortRange) => `provided port is not in the valid range. The range of valid ports is ${portRangeString(pr)}`,
} as const;

/** A port allocation failure with upstream's text. */
export class PortAllocationError extends Error {}

/** The shared NodePort range. */
export class PortAllocator {
  private readonly record: RangeRecord;

  constructor(store: Store, readonly range: PortRange, staticSubrange: boolean, random: () => number, now: () => Date) {
    this.record = new RangeRecord(store, { key: NODE_PORTS_KEY, range: portRangeString(range), max: range.size, offset: staticSubrange ? portRangeOffset(range) : 0 }, random, now);
  }

  private offsetOf(port: number): number | undefined {
    return port >= this.range.base && port < this.range.base + this.range.size ? port - this.range.base : undefined;
  }

  /** Reserves `port`; throws PortAllocationError when it is out of range or taken. */
  async allocate(port: number): Promise<void> {
    const offset = this.offsetOf(port);
    if (offset === undefined) throw new PortAllocationError(PORT_ERRORS.notInRange(this.range));
    if (!(await this.record.allocate(offset))) throw new PortAllocationError(PORT_ERRORS.allocated);
  }

  /** Reserves some free port. */
  async allocateNext(): Promise<number> {
    const offset = await this.record.allocateNext();
    if (offset === undefined) throw new PortAllocationError(PORT_ERRORS.full);
    return this.range.base + offset;
  }

  /** Frees `port` (out of range or free: nothing). */
  async release(port: number): Promise<void> {
    const offset = this.offsetOf(port);
    if (offset !== undefined) await this.record.release(offset);
  }

  /** Whether `port` is taken. */
  async has(port: number): Promise<boolean> {
    const offset = this.offsetOf(port);
    return offset !== undefined && (await this.record.has(offset));
  }

  /** Starts an operation; with `dryRun` nothing is written. */
  operation(dryRun: boolean): PortOperation {
    return new PortOperation(this, dryRun);
  }
}

/**
 * One write's port changes: allocations happen at once (and are given back by `revert`), releases
 * are deferred to `commit`. A dry run checks requested ports against the bitmap and picks free
 * ones without writing.
 */
export class PortOperation {
  private readonly allocated: number[] = [];
  private readonly deferred: number[] = [];

  constructor(
    private readonly ports: PortAllocator,
    private readonly dryRun: boolean,
  ) {}

  /** Reserves `port` for this operation. */
  async allocate(port: number): Promise<void> {
    if (this.dryRun) {
      if (port < this.ports.range.base || port >= this.ports.range.base + this.ports.range.size) throw new PortAllocationError(PORT_ERRORS.notInRange(this.ports.range));
      if (this.allocated.includes(port) || (await this.ports.has(port))) throw new PortAllocationError(PORT_ERRORS.allocated);
      this.allocated.push(port);
      return;
    }
    await this.ports.allocate(port);
    this.allocated.push(port);
  }

  /** Reserves a free port for this operation. */
  async allocateNext(): Promise<number> {
    if (this.dryRun) {
      const { base, size } = this.ports.range;
      for (let p = base; p < base + size; p++) {
        if (!this.allocated.includes(p) && !(await this.ports.has(p))) {
          this.allocated.push(p);
          return p;
        }
      }
      throw new PortAllocationError(PORT_ERRORS.full);
    }
    const port = await this.ports.allocateNext();
    this.allocated.push(port);
    return port;
  }

  /** Frees `port` once the write succeeds. */
  releaseDeferred(port: number): void {
    this.deferred.push(port);
  }

  /** The write succeeded: free the deferred ports. */
  async commit(): Promise<void> {
    if (this.dryRun) return;
    for (const port of this.deferred) await this.ports.release(port).catch(() => undefined);
  }

  /** The write failed: give back what this operation allocated. */
  async revert(): Promise<void> {
    if (this.dryRun) return;
    for (const port of this.allocated) await this.ports.release(port).catch(() => undefined);
  }
}
