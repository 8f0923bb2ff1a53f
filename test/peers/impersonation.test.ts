/**
 * The impersonated identity across the Mixed Version Proxy hop: a 1.35 server `a` forwards the
 * 1.36-only mutatingadmissionpolicies to an in-process 1.36 server `c` whose innermost filter records
 * what arrives. The caller impersonates jane with a group and an extra; `c` must see jane (as the
 * front-proxy user the peer hop sends), not the caller, and no Impersonate-* header that it could
 * apply a second time.
 */
import t from 'tap';
import { pino } from 'pino';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { parseFlags } from '../../server/main.js';
import { parseServerConfig } from '../../server/config.js';
import { startApiServer } from '../../server/apiserver.js';
import type { Filter, UserInfo } from '../../server/http/context.js';
import { MAP_PATH, poll } from './helpers.js';

t.test('the impersonated user crosses the peer hop', async (t) => {
  // The identity crossing the hop is under test, not its permissions: AlwaysAllow, as library
  // clusters otherwise run RBAC (jane has no role).
  const cluster = await startCluster(t, [{ name: 'a', minor: '1.35', args: ['--authorization-mode=AlwaysAllow'] }]);
  const a = urlOf(cluster, 'a');
  type Seen = { user: UserInfo | undefined; headers: Record<string, unknown> };
  const seen: Seen[] = [];
  const recorder: Filter = (next) => async (ctx) => {
    if (ctx.info.isResourceRequest && ctx.info.resource === 'mutatingadmissionpolicies') seen.push({ user: structuredClone(ctx.user), headers: { ...ctx.req.headers } });
    await next(ctx);
  };
  const config = parseServerConfig(parseFlags(cluster.argsFor({ name: 'c', minor: '1.36', args: ['--authorization-mode=AlwaysAllow'] })));
  const c = await startApiServer(config, { logger: pino({ level: 'silent' }) }, { peerProxy: recorder });
  t.teardown(() => c.close());
  const ready = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 30_000);
  t.ok(ready.ok, 'a proxies the 1.36-only resource to c');

  seen.length = 0;
  const res = await api(cluster, a, 'GET', MAP_PATH, { headers: { 'impersonate-user': 'jane', 'impersonate-group': 'devs', 'impersonate-extra-scopes': 'view' } });
  t.equal(res.status, 200);
  t.equal(seen.length, 1, 'c received the request once');
  t.same(seen[0]?.user, { name: 'jane', groups: ['devs', 'system:authenticated'], extra: { scopes: ['view'] } }, 'c sees jane, her group and extra');
  t.same(Object.keys(seen[0]?.headers ?? {}).filter((h) => h.startsWith('impersonate-')), [], 'no impersonation header reaches c');

  seen.length = 0;
  const sa = await api(cluster, a, 'GET', MAP_PATH, { headers: { 'impersonate-user': 'system:serviceaccount:default:default' } });
  t.equal(sa.status, 200);
  t.same(seen[0]?.user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'], 'an impersonated ServiceAccount keeps its groups across the hop');
});
