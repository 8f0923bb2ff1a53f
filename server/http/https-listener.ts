/**
 * Serving a handler chain over HTTPS with fastify, as every kube-skew server does: client
 * certificates requested (and judged by the chain's authentication), every method routed to the
 * chain, request bodies left unread for the handlers, Go's answers to requests its net/http refuses
 * (no Host header, bad escapes, plain HTTP on the TLS port), and upstream's connection timeouts.
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { badRequest } from '../errors/status.js';
import type { Handler, RequestContext } from './context.js';
import { writeStatusError } from './respond.js';
import { MAX_REQUEST_BODY_BYTES } from './body.js';
import { answerPlainHttp } from './plain-http.js';
import { connectionGuard, nodeRequestTimeout, serverOptions, type ServingLimits } from './serving.js';
import { answerAndClose, onUnknownExpectation, protocolErrorResponse } from './protocol-errors.js';
import { routeEveryMethod } from './methods.js';

/** What {@link listenHttps} serves and where. */
export interface HttpsListenerOptions {
  /** Serving certificate (chain) and key, PEM. */
  cert: string;
  key: string;
  /** CA bundles client certificates are offered against (the chain decides what they prove). */
  cas: string[];
  limits: ServingLimits;
  port: number;
  host: string;
  clock: Clock;
  log: Logger;
  chain: Handler;
}

/** A listening server. */
export interface HttpsListener {
  /** The port it listens on (the one chosen when 0 was asked). */
  port: number;
  /** `https://<bind address>:<port>`, with 127.0.0.1 for a server bound to every address. */
  url: string;
  /** Stop accepting, close every connection and wait for the listener to close. */
  close(): Promise<void>;
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`invalid URL escape in path ${JSON.stringify(raw)}`);
  }
}

/** Serve `chain` over HTTPS; resolves once listening. */
export async function listenHttps(opts: HttpsListenerOptions): Promise<HttpsListener> {
  const { key, cert, cas, clock, log, chain } = opts;
  const connectionLimits = opts.limits;
  const guard = connectionGuard(connectionLimits);
  const app: FastifyInstance = Fastify({
    https: {
      key,
      cert,
      ...(cas.length ? { ca: cas } : {}),
      requestCert: true,
      rejectUnauthorized: false,
      ...serverOptions(connectionLimits),
      // Go's answer to a missing Host header is its own plain-text 400 (below), not Node's empty one.
      requireHostHeader: false,
    },
    keepAliveTimeout: connectionLimits.idleTimeoutMs,
    requestTimeout: nodeRequestTimeout(connectionLimits),
    logger: false,
    // While closing, a request on a connection still open is served to the end, as Go's
    // http.Server.Shutdown lets it finish; fastify's default would answer it 503 in fastify's own
    // JSON, which no kube-apiserver sends.
    return503OnClosing: false,
    // Requests Go's net/http refuses before any handler get its plain-text answers.
    clientErrorHandler: guard.onClientError,
    frameworkErrors: (_err, request, reply) => {
      // An invalid escape in the path: url.ParseRequestURI fails in Go's readRequest.
      void reply.hijack();
      answerAndClose(request.raw.socket, protocolErrorResponse(400));
    },
    bodyLimit: MAX_REQUEST_BODY_BYTES * 4,
    forceCloseConnections: true,
    routerOptions: { ignoreDuplicateSlashes: false, maxParamLength: 8192 },
  });
  const heldContentTypes = new WeakMap<IncomingMessage, string>();
  app.removeAllContentTypeParsers();
  // Bodies stay unread: handlers read them with upstream's limits, and the peer proxy streams them.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  app.addHook('onRequest', (req, reply, done) => {
    // Go's readRequest refuses an HTTP/1.1 request without a Host header.
    if (req.raw.httpVersion === '1.1' && !req.headers.host && req.raw.method !== 'CONNECT') {
      reply.hijack();
      answerAndClose(req.raw.socket, protocolErrorResponse(400, 'missing required Host header'));
      return;
    }
    // The Content-Type is the handlers' to judge (a 415 Status; an empty one is no Content-Type and
    // reads as JSON, as upstream): fastify would refuse a malformed one with its own 415 body. It is set aside here, so fastify
    // hands every body to the catch-all parser, and put back before the chain runs. (A placeholder
    // stands in: fastify insists on one for QUERY.)
    heldContentTypes.set(req.raw, req.headers['content-type'] ?? '');
    req.headers['content-type'] = 'application/octet-stream';
    done();
  });
  app.server.on('checkExpectation', onUnknownExpectation);
  app.route({
    // Every method Node's parser knows reaches the chain, as every method reaches Go's handlers.
    method: routeEveryMethod(app),
    url: '*',
    handler: async (request, reply) => {
      const contentType = heldContentTypes.get(request.raw)?.trim() ?? '';
      if (contentType === '') delete request.raw.headers['content-type'];
      else request.raw.headers['content-type'] = heldContentTypes.get(request.raw)!;
      const raw = request.raw.url ?? '/';
      const q = raw.indexOf('?');
      const ctx: RequestContext = {
        req: request.raw,
        res: reply.raw,
        reply,
        method: request.raw.method ?? 'GET',
        path: '/',
        query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : ''),
        info: undefined as unknown as RequestContext['info'],
        auditId: '',
        receivedAt: clock.now(),
        log,
        headers: {},
      };
      try {
        ctx.path = decodePath(q >= 0 ? raw.slice(0, q) : raw);
      } catch (err) {
        await writeStatusError(ctx, err as never);
        return reply;
      }
      await chain(ctx);
      return reply;
    },
  });

  // Plain HTTP on this port gets Go's 400 answer, as kube-apiserver gives it, never a served request.
  const dropLookingConnections = answerPlainHttp(app.server, connectionLimits.readHeaderTimeoutMs > 0 ? connectionLimits.readHeaderTimeoutMs : undefined);
  guard.attach(app.server as import('node:https').Server);
  await app.listen({ port: opts.port, host: opts.host });
  const port = (app.server.address() as AddressInfo).port;
  // Upstream's line once the secure port listens, the address in Go's host:port form.
  const address = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  log.info({ address }, `Serving securely on ${address}`);
  return {
    port,
    url: `https://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${port}`,
    async close() {
      dropLookingConnections();
      guard.stop();
      await app.close();
    },
  };
}
