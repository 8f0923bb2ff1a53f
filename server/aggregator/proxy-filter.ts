/**
 * The aggregator's proxy handler, as kube-aggregator's handler_proxy.go: a request under
 * `/apis/<group>/<version>` whose APIService names a Service is forwarded to that Service's
 * endpoint (resolved through Endpoints/EndpointSlices, `--enable-aggregator-routing=true`) with
 * the caller's identity as X-Remote-* headers over TLS with the proxy-client certificate. While the
 * APIService is not `Available`, or its Service does not resolve, the answer is upstream's
 * plain-text 503 `service unavailable`. It sits below the mixed version proxy, as upstream's
 * proxy handlers sit in the aggregator's mux below the peer proxy.
 */
import type { Filter, RequestContext } from '../http/context.js';
import { writeText } from '../http/respond.js';
import { PeerTransport } from '../peers/transport.js';
import { apiServiceName, isAvailable, isLocal, type APIService } from './apiservice.js';
import type { ServiceResolver } from './service-resolver.js';

/** What the proxy handler reads. */
export interface AggregatorProxyDeps {
  /** The APIService of a name, as the server's informer holds it. */
  apiService(name: string): APIService | undefined;
  resolver: ServiceResolver;
  /** The proxy-client certificate and key (PEM); without them the hop presents no client certificate. */
  clientCert?: { cert: string; key: string };
  /** Whether X-Remote-Uid is sent (the minor's RemoteRequestHeaderUID). */
  sendUid: boolean;
}

/** The text of upstream's 503 for an unavailable APIService. */
export const SERVICE_UNAVAILABLE_TEXT = 'service unavailable\n';

/** The transports of remote APIServices, one per TLS setting, built on first use. */
class Transports {
  private readonly byKey = new Map<string, PeerTransport>();

  constructor(private readonly clientCert: { cert: string; key: string } | undefined, private readonly sendUid: boolean) {}

  for(svc: APIService): PeerTransport {
    const ref = svc.spec!.service!;
    const servername = `${ref.name}.${ref.namespace}.svc`;
    const ca = svc.spec?.caBundle ? Buffer.from(svc.spec.caBundle, 'base64').toString('utf8') : '';
    const insecure = svc.spec?.insecureSkipTLSVerify === true;
    const key = JSON.stringify([servername, ca, insecure]);
    let t = this.byKey.get(key);
    if (!t) {
      t = new PeerTransport({ ca, cert: this.clientCert?.cert ?? '', key: this.clientCert?.key ?? '', servername, insecure }, this.sendUid, undefined, false);
      this.byKey.set(key, t);
    }
    return t;
  }
}

function remoteFor(ctx: RequestContext, deps: AggregatorProxyDeps): APIService | undefined {
  const info = ctx.info;
  if (info.apiPrefix !== 'apis' || !info.apiGroup || !info.apiVersion) return undefined;
  const svc = deps.apiService(apiServiceName(info.apiGroup, info.apiVersion));
  return svc && !isLocal(svc) ? svc : undefined;
}

/** The aggregator's proxy filter. */
export function withAggregatorProxy(deps: AggregatorProxyDeps): Filter {
  const transports = new Transports(deps.clientCert, deps.sendUid);
  return (next) => async (ctx) => {
    const svc = remoteFor(ctx, deps);
    if (!svc) return next(ctx);
    if (!isAvailable(svc)) return writeText(ctx, 503, SERVICE_UNAVAILABLE_TEXT);
    let address: string;
    try {
      address = await deps.resolver.resolve(svc.spec!.service!);
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'error resolving APIService service');
      return writeText(ctx, 503, SERVICE_UNAVAILABLE_TEXT);
    }
    await transports.for(svc).forward(ctx, address);
  };
}
