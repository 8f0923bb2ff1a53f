/** The `/healthz`, `/livez` and `/readyz` endpoints (and `/<endpoint>/<check>`). */
import type { RequestContext } from '../http/context.js';
import { writeText } from '../http/respond.js';
import type { HealthChecks, HealthEndpoint } from '../health.js';

const ENDPOINTS = new Set<HealthEndpoint>(['healthz', 'livez', 'readyz']);

/** Answer a health path; returns false when the path is not a health path. */
export async function serveHealth(ctx: RequestContext, checks: HealthChecks): Promise<boolean> {
  const [, first, ...rest] = ctx.path.split('/');
  if (!first || !ENDPOINTS.has(first as HealthEndpoint)) return false;
  const only = rest.length > 0 ? rest.join('/') : undefined;
  const report = checks.run(first as HealthEndpoint, ctx.query.has('verbose'), only, ctx.query.getAll('exclude'));
  if (!report) return false;
  await writeText(ctx, report.code, report.body);
  return true;
}
