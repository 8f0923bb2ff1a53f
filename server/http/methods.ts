/**
 * Every HTTP method reaches the handler chain, as in Go, where the server passes any method to the
 * handlers and kube-apiserver answers what it does not serve with a 405 Status (or the mux's 404).
 * Fastify routes only the methods it is told about, and Node hands CONNECT requests to a separate
 * `connect` event (closing the connection when nobody listens); both are brought back to the one
 * route here.
 */
import { METHODS, ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, HTTPMethods } from 'fastify';

/**
 * Registers every method Node's parser accepts with `app` and returns the list to route (HEAD is
 * left to fastify, which answers it from the GET route). CONNECT requests are fed to the same
 * request handler, their answer written on the connection, which then closes.
 */
export function routeEveryMethod(app: FastifyInstance): HTTPMethods[] {
  const supported = new Set(app.supportedMethods);
  for (const method of METHODS) {
    if (!supported.has(method)) app.addHttpMethod(method, { hasBody: true });
  }
  app.server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.on('finish', () => {
      res.detachSocket(socket as never);
      socket.end();
    });
    socket.on('error', () => socket.destroy());
    app.server.emit('request', req, res);
  });
  return app.supportedMethods.filter((m) => m !== 'HEAD') as HTTPMethods[];
}
