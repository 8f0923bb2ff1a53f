/** `GET /version`: the minor's version document; the kubectl dispatcher picks its kubectl from it. */
import type { RequestContext } from '../http/context.js';
import { writeJson } from '../http/respond.js';

/** Answer `/version` with `info`. */
export async function serveVersion(ctx: RequestContext, info: Record<string, unknown>): Promise<void> {
  await writeJson(ctx, 200, info);
}
