/**
 * kube-skew's own trace: a request carrying `X-Kube-Skew-Trace: 1` gets `X-Kube-Skew-Served-By:
 * <server>` naming the server that finally answered it (a proxied request keeps the peer's header),
 * `X-Kube-Skew-Received-Proxied: true|false` saying whether that server saw the request marked
 * `x-kubernetes-peer-proxied: true`, and `X-Kube-Skew-Received-By: <server>` naming the server that
 * received it from the client. Only a server that receives a request not marked as proxied sets
 * the received-by header, and the peer hop relays it with the peer's answer, so behind the front
 * door (a TCP pass-through) a client still learns where its request entered and where it was served.
 * Without the request header nothing is added, so clients see exactly what kube-apiserver sends.
 */
import type { Filter } from '../http/context.js';

/** The request header that asks for the trace. */
export const TRACE_HEADER = 'x-kube-skew-trace';
/** The response header naming the server that answered. */
export const SERVED_BY_HEADER = 'x-kube-skew-served-by';
/** The response header telling whether the answering server received the request marked as proxied. */
export const RECEIVED_PROXIED_HEADER = 'x-kube-skew-received-proxied';
/** The response header naming the server that received the request from the client (kept across the peer hop). */
export const RECEIVED_BY_HEADER = 'x-kube-skew-received-by';

/** Add the trace headers for traced requests. */
export function withServedBy(serverName: string): Filter {
  return (next) => async (ctx) => {
    if (ctx.req.headers[TRACE_HEADER] === '1') {
      const proxied = ctx.req.headers['x-kubernetes-peer-proxied'] === 'true';
      ctx.headers[SERVED_BY_HEADER] = serverName;
      ctx.headers[RECEIVED_PROXIED_HEADER] = proxied ? 'true' : 'false';
      if (!proxied) ctx.headers[RECEIVED_BY_HEADER] = serverName;
    }
    await next(ctx);
  };
}
