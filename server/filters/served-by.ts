/**
 * kube-skew's own trace: a request carrying `X-Kube-Skew-Trace: 1` gets `X-Kube-Skew-Served-By:
 * <server>` naming the server that finally answered it (a proxied request keeps the peer's header)
 * and `X-Kube-Skew-Received-Proxied: true|false` saying whether that server saw the request marked
 * `x-kubernetes-peer-proxied: true`.
 * Without the request header nothing is added, so clients see exactly what kube-apiserver sends.
 */
import type { Filter } from '../http/context.js';

/** The request header that asks for the trace. */
export const TRACE_HEADER = 'x-kube-skew-trace';
/** The response header naming the server that answered. */
export const SERVED_BY_HEADER = 'x-kube-skew-served-by';
/** The response header telling whether the answering server received the request marked as proxied. */
export const RECEIVED_PROXIED_HEADER = 'x-kube-skew-received-proxied';

/** Add the served-by header for traced requests. */
export function withServedBy(serverName: string): Filter {
  return (next) => async (ctx) => {
    if (ctx.req.headers[TRACE_HEADER] === '1') {
      ctx.headers[SERVED_BY_HEADER] = serverName;
      ctx.headers[RECEIVED_PROXIED_HEADER] = ctx.req.headers['x-kubernetes-peer-proxied'] === 'true' ? 'true' : 'false';
    }
    await next(ctx);
  };
}
