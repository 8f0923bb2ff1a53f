/**
 * The bare baseline, run as its own process: fastify 5 over HTTPS with the same TLS setup as a
 * kube-skew server (its serving certificate, both client CAs, client certificates requested and
 * verified) and better-sqlite3 over the same file layout in WAL mode, doing only the work each
 * request needs:
 *
 * - GET one object: read its `current` row and return the stored JSON text as it is;
 * - LIST: read the namespace's rows in key order and return them as a JSON list;
 * - CREATE: parse the body, set uid and creationTimestamp, and in one `BEGIN IMMEDIATE` transaction
 *   append the change to `log` and insert the `current` row (the layout every store file has).
 *
 *   node bare-server.js '{"dbPath":…,"certFile":…,"keyFile":…,"caFiles":[…]}'
 *
 * It prints `{"event":"listening","port":N,"pid":N}` on stdout once it listens and exits on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { openDatabase } from '../../storage/sqlite/connection.js';
import { DEFAULT_BUSY_TIMEOUT_MS } from '../../storage/sqlite/store.js';
import { prefixEnd } from '../../storage/keys.js';
import { formatTime } from '../../server/registry/object.js';
import { configMapKey } from './seed.js';

/** What the bare server is started with (its one command-line argument, as JSON). */
export interface BareServerConfig {
  dbPath: string;
  certFile: string;
  keyFile: string;
  caFiles: string[];
}

type Params = { namespace: string; name: string };

async function main(config: BareServerConfig): Promise<void> {
  const db = openDatabase(config.dbPath, DEFAULT_BUSY_TIMEOUT_MS);
  const getStmt = db.prepare<[string], string>('SELECT value FROM current WHERE key = ?').pluck();
  const listStmt = db.prepare<[string, string], string>('SELECT value FROM current WHERE key >= ? AND key < ? ORDER BY key').pluck();
  const revStmt = db.prepare<[], number>(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).pluck();
  const logStmt = db.prepare(`INSERT INTO log (rev, type, key, value, create_rev) VALUES (?, 'ADDED', ?, ?, ?)`);
  const currentStmt = db.prepare('INSERT INTO current (key, value, rev, create_rev) VALUES (?, ?, ?, ?)');
  const insert = db.transaction((key: string, value: string) => {
    const rev = (revStmt.get() ?? 0) + 1;
    logStmt.run(rev, key, value, rev);
    currentStmt.run(key, value, rev, rev);
  });

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
  app.addHook('onRequest', async (request, reply) => {
    if (!(request.raw.socket as TLSSocket).authorized) await reply.code(401).send({ kind: 'Status', code: 401 });
  });
  app.get<{ Params: Params }>('/api/v1/namespaces/:namespace/configmaps/:name', async (request, reply) => {
    const value = getStmt.get(configMapKey(request.params.namespace, request.params.name));
    if (value === undefined) return reply.code(404).send({ kind: 'Status', code: 404 });
    return reply.type('application/json').send(value);
  });
  app.get<{ Params: Params }>('/api/v1/namespaces/:namespace/configmaps', async (request, reply) => {
    const prefix = configMapKey(request.params.namespace, '');
    const items = listStmt.all(prefix, prefixEnd(prefix));
    return reply.type('application/json').send(`{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[${items.join(',')}]}`);
  });
  app.post<{ Params: Params; Body: { metadata: Record<string, unknown> } }>('/api/v1/namespaces/:namespace/configmaps', async (request, reply) => {
    const obj = request.body;
    const name = String(obj.metadata['name']);
    obj.metadata = { ...obj.metadata, namespace: request.params.namespace, uid: randomUUID(), creationTimestamp: formatTime(new Date()) };
    const text = JSON.stringify(obj);
    try {
      insert.immediate(configMapKey(request.params.namespace, name), text);
    } catch {
      return reply.code(409).send({ kind: 'Status', code: 409 });
    }
    return reply.code(201).type('application/json').send(text);
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: (app.server.address() as AddressInfo).port, pid: process.pid })}\n`);
  const stop = (): void => {
    void app.close().then(() => {
      db.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(JSON.parse(process.argv[2] ?? '{}') as BareServerConfig).catch((err: unknown) => {
  process.stderr.write(`bare server: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
