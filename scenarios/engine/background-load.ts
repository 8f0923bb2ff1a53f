/**
 * A background load, which a `load` step starts and stops: through the front door (or one server),
 * a steady rate of lists and creates on a set of resources, each request on a new connection so the
 * front door spreads them as it spreads clients. It counts outcomes by status, classifies a 404 as
 * false when some live server that has been ready for a moment serves the resource, and, when
 * stopped, reads every acknowledged create back to find lost writes.
 */
import { send } from './http.js';
import { gvrOfPath, isLive, isNamespacedResource, servedBy, servingAt, type RunContext } from './context.js';

/** What a load run observed. */
export interface BackgroundLoadStats {
  requests: number;
  /** Responses by status code; transport failures under `error`. */
  byStatus: Record<string, number>;
  falseNotFound: number;
  acknowledgedWrites: number;
  lostWrites: number;
  /** A few examples of false 404s and lost writes, for reports. */
  examples: string[];
}

interface Created {
  collection: string;
  name: string;
}

/** One named background load, started by a `load: {start}` step and stopped by `load: {stop}`. */
export class BackgroundLoad {
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly created: Created[] = [];
  private readonly stats: BackgroundLoadStats = { requests: 0, byStatus: {}, falseNotFound: 0, acknowledgedWrites: 0, lostWrites: 0, examples: [] };
  private readonly namespaced = new Map<string, boolean>();

  constructor(
    private readonly ctx: RunContext,
    private readonly spec: { name: string; via?: string; rate: number; writeShare?: number; namespace?: string; resources: string[] },
  ) {}

  /** The origin of its requests on the timeline. */
  private get origin(): string {
    return `load ${this.spec.name}`;
  }

  private get namespace(): string {
    return this.spec.namespace ?? 'load';
  }

  private collectionPath(resource: string): string {
    const cut = resource.lastIndexOf('/');
    const base = resource.slice(0, cut);
    const name = resource.slice(cut + 1);
    return this.namespaced.get(resource) === false ? resource : `${base}/namespaces/${this.namespace}/${name}`;
  }

  /** Create the namespace and begin sending. */
  async start(): Promise<void> {
    for (const r of this.spec.resources) this.namespaced.set(r, isNamespacedResource(r));
    await send(this.ctx, undefined, 'POST', '/api/v1/namespaces', { metadata: { name: this.namespace } }, {}, { origin: this.origin }).catch(() => undefined);
    const interval = Math.max(1, 1000 / this.spec.rate);
    let due = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      while (due <= now) {
        due += interval;
        const p = this.one().finally(() => this.inflight.delete(p));
        this.inflight.add(p);
      }
    }, Math.min(interval, 20));
  }

  private record(status: string): void {
    this.stats.requests++;
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }

  private example(text: string): void {
    if (this.stats.examples.length < 5) this.stats.examples.push(text);
  }

  private async one(): Promise<void> {
    const resource = this.spec.resources[Math.floor(this.ctx.random() * this.spec.resources.length)]!;
    const write = this.ctx.random() < (this.spec.writeShare ?? 0.3);
    const path = this.collectionPath(resource);
    const started = Date.now();
    try {
      const res = write
        ? await send(this.ctx, this.spec.via, 'POST', path, { metadata: { generateName: 'load-' }, data: { at: String(started) } }, {}, { timeoutMs: 10_000, origin: this.origin })
        : await send(this.ctx, this.spec.via, 'GET', `${path}?limit=50`, undefined, {}, { timeoutMs: 10_000, origin: this.origin });
      this.record(String(res.status));
      if (res.status === 404 && servingAt(this.ctx, path, started).length > 0) {
        this.stats.falseNotFound++;
        this.example(`404 for ${write ? 'POST' : 'GET'} ${path} from ${res.servedBy ?? 'unknown'} while a live server served it`);
      }
      if (write && res.status === 201) {
        const name = (res.json as { metadata?: { name?: string } } | undefined)?.metadata?.name;
        if (name) {
          this.stats.acknowledgedWrites++;
          this.created.push({ collection: path, name });
        }
      }
    } catch {
      this.record('error');
    }
  }

  /** Stop sending, wait for answers, and read every acknowledged write back. */
  async stop(): Promise<BackgroundLoadStats> {
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inflight]);
    for (const c of this.created) {
      const gvr = gvrOfPath(c.collection);
      const key = gvr ? `${gvr.group}/${gvr.version}/${gvr.resource}` : '';
      const reader = [...this.ctx.cluster.specs.keys()].find((s) => isLive(this.ctx, s) && servedBy(this.ctx, s).has(key));
      if (!reader) continue;
      const res = await send(this.ctx, reader, 'GET', `${c.collection}/${c.name}`, undefined, {}, { origin: `${this.origin} (read back)` }).catch(() => undefined);
      if (res?.status === 404) {
        this.stats.lostWrites++;
        this.example(`acknowledged create ${c.collection}/${c.name} cannot be read back from ${reader}`);
      }
    }
    return this.stats;
  }
}
