/**
 * What every step of a running scenario shares: the cluster, a reader of the shared store (leases,
 * endpoint records, fault records), the seeded random source, what each server serves, which servers
 * are paused, the running background loads, and the timeline the steps report to.
 */
import type { Cluster } from '../../server/cluster/cluster.js';
import type { Store } from '../../storage/store.js';
import { loadProfile } from '../../versions/profile.js';
import { loadManifest, SUPPORTED_MINORS } from '../../versions/manifest.js';
import type { BackgroundLoad } from './background-load.js';
import type { Timeline } from './timeline.js';

/** The shared state of one scenario run. */
export interface RunContext {
  cluster: Cluster;
  store: Store;
  random: () => number;
  /** Servers stopped with SIGSTOP. */
  paused: Set<string>;
  /** When each server last became ready (ms since the epoch). */
  readySince: Map<string, number>;
  backgroundLoads: Map<string, BackgroundLoad>;
  /** Variables captured by earlier steps (`capture`), used as `${name}`. */
  vars: Map<string, string>;
  /** Where the run's events are recorded (absent when nobody draws them, as in the soak benchmark). */
  timeline?: Timeline;
}

/** `group/version/resource` keys a server serves, from its minor and flags (recomputed on each call). */
export function servedBy(ctx: RunContext, server: string): Set<string> {
  const spec = ctx.cluster.specs.get(server);
  if (!spec) return new Set();
  const mvp = ctx.cluster.mvpFlags(spec);
  const o = ctx.cluster.options;
  const gates = [...mvp.gates, o.featureGates, spec.featureGates].filter(Boolean).join(',');
  const runtime = [...mvp.runtime, o.runtimeConfig, spec.runtimeConfig].filter(Boolean).join(',');
  const profile = loadProfile({ minor: spec.minor, featureGates: gates, runtimeConfig: runtime });
  const out = new Set<string>();
  for (const gv of profile.groups) for (const r of gv.resources) out.add(`${gv.group}/${gv.version}/${r.name}`);
  return out;
}

/** Whether a collection path's resource is namespaced, from the newest manifest that has it (default true). */
export function isNamespacedResource(collection: string): boolean {
  const gvr = gvrOfPath(collection);
  if (!gvr) return true;
  for (const minor of [...SUPPORTED_MINORS].reverse()) {
    for (const g of loadManifest(minor).groups) {
      if (g.group !== gvr.group) continue;
      for (const v of g.versions) for (const r of v.resources) if (v.version === gvr.version && r.name === gvr.resource) return r.namespaced;
    }
  }
  return true;
}

/**
 * A server counts as serving a resource this long after it became ready: the time its peers need to
 * find it. Its endpoint lease appears only once it is ready, and then each peer's proxy fetches its
 * discovery (upstream's, too, answers a local 404 until then); on a loaded 2-core machine that took
 * up to 1.4 s, so two seconds.
 */
export const SETTLE_MS = 2000;

/** The live servers, ready for at least SETTLE_MS at `at`, that serve the resource of `path`: a 404 for it then is false. */
export function servingAt(ctx: RunContext, path: string, at: number): string[] {
  const gvr = gvrOfPath(path);
  if (!gvr) return [];
  const key = `${gvr.group}/${gvr.version}/${gvr.resource}`;
  return [...ctx.cluster.specs.keys()].filter((name) => {
    const since = ctx.readySince.get(name);
    return since !== undefined && at - since >= SETTLE_MS && isLive(ctx, name) && servedBy(ctx, name).has(key);
  });
}

/** True when the server's process runs and is not paused. */
export function isLive(ctx: RunContext, server: string): boolean {
  const proc = ctx.cluster.servers.get(server);
  return proc !== undefined && proc.alive && !ctx.paused.has(server);
}

/** The group/version/resource of a resource path (`/api/v1/…/configmaps`, `/apis/g/v/…/r`). */
export function gvrOfPath(path: string): { group: string; version: string; resource: string } | undefined {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  let group = '';
  let rest: string[];
  if (parts[0] === 'api') rest = parts.slice(1);
  else if (parts[0] === 'apis' && parts.length > 1) {
    group = parts[1]!;
    rest = parts.slice(2);
  } else return undefined;
  const version = rest[0];
  if (!version) return undefined;
  let i = 1;
  if (rest[i] === 'watch') i++;
  if (rest[i] === 'namespaces' && rest.length > i + 2) i += 2;
  const resource = rest[i];
  return resource ? { group, version, resource } : undefined;
}
