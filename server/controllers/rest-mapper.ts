/**
 * The controllers' RESTMapper: kind ↔ resource mappings from a cached discovery, as
 * kube-controller-manager's `DeferredDiscoveryRESTMapper` over a memory-cached discovery client.
 * The cache is filled on first use and kept until `reset` — which kube-controller-manager does every
 * 30 s, and the garbage collector whenever discovery changes. A lookup that misses on a cache filled
 * earlier resets and retries once; a lookup that hits a stale entry is answered from it, which is how
 * a controller keeps acting on a resource its server no longer serves until the next reset.
 */
import type { Clock, ClockTimer } from '../clock.js';
import type { ApiClient, GVR } from './client.js';
import { discoverAll, parseGroupVersion } from './discovery.js';

/** A mapping of one kind. */
export interface RestMapping {
  gvr: GVR;
  namespaced: boolean;
}

/** The garbage collector's error for a kind it cannot map (`unable to get REST mapping for v1/Foo.`). */
export class RestMappingError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`unable to get REST mapping for ${apiVersion}/${kind}.`);
    this.name = 'RestMappingError';
  }
}

interface Cache {
  byKind: Map<string, RestMapping>;
  kindOf: Map<string, string>;
}

/** A resettable mapper over cached discovery. */
export class RestMapper {
  private cache: Promise<Cache> | undefined;
  private timer: ClockTimer | undefined;

  constructor(
    private readonly client: ApiClient,
    clock: Clock,
    resetMs: number,
  ) {
    if (resetMs > 0) this.timer = clock.setInterval(() => this.reset(), resetMs);
  }

  /** Forget the cached discovery. */
  reset(): void {
    this.cache = undefined;
  }

  /** Stop the reset loop. */
  stop(): void {
    this.timer?.cancel();
  }

  private load(): { cache: Promise<Cache>; fresh: boolean } {
    if (this.cache) return { cache: this.cache, fresh: false };
    const cache = (async (): Promise<Cache> => {
      const found = await discoverAll(this.client);
      const byKind = new Map<string, RestMapping>();
      const kindOf = new Map<string, string>();
      for (const [gv, list] of found.resources) {
        const { group, version } = parseGroupVersion(gv);
        for (const r of list.resources) {
          if (r.name.includes('/')) continue;
          const key = `${group}/${version}/${r.kind}`;
          if (!byKind.has(key)) byKind.set(key, { gvr: { group, version, resource: r.name }, namespaced: r.namespaced });
          kindOf.set(`${group}/${version}/${r.name}`, r.kind);
        }
      }
      return { byKind, kindOf };
    })();
    this.cache = cache;
    cache.catch(() => {
      if (this.cache === cache) this.cache = undefined;
    });
    return { cache, fresh: true };
  }

  /** The resource of `kind` in `apiVersion`; throws RestMappingError when discovery does not know it. */
  async mapping(apiVersion: string, kind: string): Promise<RestMapping> {
    let gv: { group: string; version: string };
    try {
      gv = parseGroupVersion(apiVersion);
    } catch {
      throw new RestMappingError(apiVersion, kind);
    }
    const key = `${gv.group}/${gv.version}/${kind}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const { cache, fresh } = this.load();
      let found: RestMapping | undefined;
      try {
        found = (await cache).byKind.get(key);
      } catch {
        throw new RestMappingError(apiVersion, kind);
      }
      if (found) return found;
      if (fresh) break;
      this.reset();
    }
    throw new RestMappingError(apiVersion, kind);
  }

  /** The kind served at `gvr`, or undefined. */
  async kindFor(gvr: GVR): Promise<string | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const { cache, fresh } = this.load();
      const kind = (await cache).kindOf.get(`${gvr.group}/${gvr.version}/${gvr.resource}`);
      if (kind) return kind;
      if (fresh) break;
      this.reset();
    }
    return undefined;
  }
}
