/**
 * The bare proxy hop of `kube-skew bench proxy`, run as its own process: fastify 5 with
 * `@fastify/reply-from` and nothing else. It listens as a kube-skew server does (its serving
 * certificate, both client CAs, client certificates requested and verified, 401 without one) and
 * forwards every request over the same mTLS as kube-skew's peer hop (the front-proxy client
 * certificate, the upstream verified against ca.crt with ServerName `kubernetes.default.svc`,
 * retries off), passing the caller's certificate identity as front-proxy headers and marking the
 * request `x-kubernetes-peer-proxied: true`, so the upstream does the same work as for a peer.
 *
 *   node proxy-hop.js '{"certFile":…,"keyFile":…,"caFiles":[…],"upstream":"https://127.0.0.1:N",…}'
 *
 * It prints `{"event":"listening","port":N,"pid":N}` on stdout once it listens and exits on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';
import { Agent } from 'undici';

/** What the hop is started with (its one command-line argument, as JSON). */
export interface ProxyHopConfig {
  /** The serving certificate and key, and the CAs that sign accepted client certificates. */
  certFile: string;
  keyFile: string;
  caFiles: string[];
  /** The server every request is forwarded to, `https://127.0.0.1:<port>`. */
  upstream: string;
  /** The CA the upstream's certificate is verified against. */
  upstreamCAFile: string;
  /** The client certificate and key the hop presents upstream (the front-proxy client's). */
  proxyCertFile: string;
  proxyKeyFile: string;
}

/** The front-proxy headers of the caller, from its client certificate: decided once per connection. */
const identities = new WeakMap<TLSSocket, Record<string, string | string[]>>();

function identityOf(socket: TLSSocket): Record<string, string | string[]> {
  let headers = identities.get(socket);
  if (!headers) {
    const subject = socket.getPeerCertificate().subject as unknown as Record<string, string | string[] | undefined> | undefined;
    const groups = subject?.['O'] ?? [];
    headers = { 'x-remote-user': String(subject?.['CN'] ?? ''), 'x-remote-group': Array.isArray(groups) ? groups : [groups] };
    identities.set(socket, headers);
  }
  return headers;
}

async function main(config: ProxyHopConfig): Promise<void> {
  const app = Fastify({
    https: {
      key: readFileSync(config.keyFile),
      cert: readFileSync(config.certFile),
      ca: config.caFiles.map((f) => readFileSync(f, 'utf8')),
      requestCert: true,
      rejectUnauthorized: false,
    },
    logger: false,
  });
  const agent = new Agent({
    connect: {
      ca: readFileSync(config.upstreamCAFile, 'utf8'),
      cert: readFileSync(config.proxyCertFile, 'utf8'),
      key: readFileSync(config.proxyKeyFile, 'utf8'),
      servername: 'kubernetes.default.svc',
      rejectUnauthorized: true,
    },
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
  });
  // retryMethods [] turns off both the socket-hang-up retry and the 503 retry of GETs.
  await app.register(replyFrom, { base: config.upstream, undici: agent, retryMethods: [], disableRequestLogging: true });
  app.addHook('onRequest', async (request, reply) => {
    if (!(request.raw.socket as TLSSocket).authorized) await reply.code(401).send({ kind: 'Status', code: 401 });
  });
  app.all('/*', (_request, reply) =>
    reply.from(undefined, {
      retryDelay: () => null,
      rewriteRequestHeaders: (req, headers) => {
        for (const name of Object.keys(headers)) if (name.startsWith('x-remote-')) delete headers[name];
        return { ...headers, ...identityOf(req.raw.socket as TLSSocket), 'x-kubernetes-peer-proxied': 'true' };
      },
    }),
  );

  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: (app.server.address() as AddressInfo).port, pid: process.pid })}\n`);
  const stop = (): void => {
    void app.close().then(async () => {
      await agent.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(JSON.parse(process.argv[2] ?? '{}') as ProxyHopConfig).catch((err: unknown) => {
  process.stderr.write(`proxy hop: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
