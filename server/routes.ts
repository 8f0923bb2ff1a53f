/**
 * The mux below the filter chain: non-resource paths (version, health, metrics, discovery, OpenAPI)
 * by path, resource paths to the resource handler, and Go's plain-text 404 for everything else.
 */
import type { Handler, RequestContext } from './http/context.js';
import { writeRaw } from './http/respond.js';
import { methodNotAllowed } from './errors/status.js';
import type { HealthChecks } from './health.js';
import type { ServerMetrics } from './metrics.js';
import { serveHealth } from './endpoints/health.js';
import { serveVersion } from './endpoints/version.js';
import { serveRootDiscovery, type AggregatedApisHook, type DiscoveryDocs } from './endpoints/discovery.js';
import { serveResource, writeNotFoundText, type ResourceDeps } from './endpoints/resources.js';

/** What the mux serves. */
export interface RoutesDeps {
  version: Record<string, unknown>;
  health: HealthChecks;
  metrics: ServerMetrics;
  discovery: DiscoveryDocs;
  resources: ResourceDeps;
  /** Replaces aggregated `/apis` v2 when set (peer-aggregated discovery). */
  aggregatedApis?: AggregatedApisHook;
  /** Extra non-resource handlers tried before the 404 (OpenAPI, …); each returns true when it answered. */
  extra?: Array<(ctx: RequestContext) => Promise<boolean>>;
}

async function serveDiscoveryPath(ctx: RequestContext, deps: RoutesDeps): Promise<boolean> {
  const info = ctx.info;
  if (info.apiPrefix === '') return false;
  const trimmed = ctx.path.replace(/\/+$/, '');
  if (trimmed === '/api' || trimmed === '/apis') {
    await serveRootDiscovery(ctx, deps.discovery, trimmed === '/api' ? 'api' : 'apis', deps.aggregatedApis);
    return true;
  }
  let text: string | undefined;
  if (info.apiVersion) text = deps.discovery.resourceListText(info.apiGroup, info.apiVersion);
  else if (info.apiGroup) text = deps.discovery.groupText(info.apiGroup);
  if (text === undefined) return false;
  await writeRaw(ctx, 200, text, 'application/json');
  return true;
}

/** Build the mux handler. */
export function buildRoutes(deps: RoutesDeps): Handler {
  return async (ctx) => {
    if (ctx.info.isResourceRequest) return serveResource(ctx, deps.resources);
    const readOnly = ctx.method === 'GET' || ctx.method === 'HEAD';
    if (ctx.path === '/version' || ctx.path === '/version/') {
      if (!readOnly) throw methodNotAllowed();
      return serveVersion(ctx, deps.version);
    }
    if (ctx.path === '/metrics') {
      await writeRaw(ctx, 200, await deps.metrics.text(), deps.metrics.registry.contentType);
      return;
    }
    if (readOnly && (await serveHealth(ctx, deps.health))) return;
    if (readOnly && (await serveDiscoveryPath(ctx, deps))) return;
    for (const handler of deps.extra ?? []) if (await handler(ctx)) return;
    return writeNotFoundText(ctx);
  };
}
