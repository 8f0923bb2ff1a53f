/**
 * Slow clients cannot hold the server. One server runs with short connection limits
 * (`--read-header-timeout=3s`, `--idle-timeout=2s`, `--write-stall-timeout=2s`,
 * `--request-timeout=5s`): clients that never finish their TLS handshake, send their headers byte by
 * byte, trickle a body, stay idle, or stop reading a large answer, while a normal client is served
 * as usual, and each slow connection is closed in the end. Also the header size bound (Go's 1 MiB,
 * not Node's 16 KiB) and the `timeout` query parameter.
 */
import t from 'tap';
import { connect as tcpConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { postHead, rawConnection, statusOf, trickle, type RawConnection } from './limits-helpers.js';

const FLAGS = ['--read-header-timeout=3s', '--idle-timeout=2s', '--write-stall-timeout=2s', '--request-timeout=5s'];
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const TIMEOUT_BODY = '{"metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout","reason":"Timeout","details":{},"code":504}\n';

/** Resolves true when `conn` is closed within `ms`, false otherwise (a bound for a hung test, not a measurement). */
async function closesWithin(conn: { closed: Promise<void> }, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const closed = await Promise.race([conn.closed.then(() => true), bound]);
  clearTimeout(timer);
  return closed;
}

/** Split a raw HTTP/1.1 answer into its head (lower-cased header names) and body. */
function parseAnswer(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const [, ...lines] = raw.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: statusOf(raw), headers, body: raw.slice(end + 4) };
}

t.test('slow clients', async (t) => {
  const cluster = await startCluster(t, [{ name: 's', minor: '1.35', args: FLAGS }]);
  const url = urlOf(cluster, 's');
  const tls = cluster.tls;
  const { port } = new URL(url);

  t.test('slowloris: handshakes and headers that never finish', async (t) => {
    const tcp = tcpConnect(Number(port), '127.0.0.1');
    tcp.on('error', () => undefined);
    const tcpClosed = new Promise<void>((r) => tcp.once('close', () => r()));
    const [silent, ...slow] = await Promise.all(Array.from({ length: 6 }, () => rawConnection(url, tls)));
    const dribbles = slow.map((c) => trickle(c, `GET /api/v1/namespaces HTTP/1.1\r\nHost: localhost\r\nX-Slow: ${'a'.repeat(200)}`, 100));

    const normal = await api(cluster, url, 'GET', '/api/v1/namespaces');
    t.equal(normal.status, 200, 'a normal client is served');
    t.ok([silent!, ...slow].every((c) => !c.isClosed()), 'while every slow connection is still open');

    t.ok(await closesWithin({ closed: tcpClosed }, 20_000), 'a connection without a TLS handshake is closed');
    t.ok(await closesWithin(silent!, 20_000), 'a connection that sends nothing after its handshake is closed');
    for (const [i, c] of slow.entries()) t.ok(await closesWithin(c, 20_000), `slow headers ${i + 1} closed`);
    t.ok([silent!, ...slow].every((c) => c.received() === ''), 'without an answer, as Go drops them');
    await Promise.all(dribbles);
  });

  t.test('a malformed request gets Go\'s 400', async (t) => {
    const conn = await rawConnection(url, tls);
    conn.socket.write('NOT HTTP AT ALL\r\n\r\n');
    t.ok(await closesWithin(conn, 20_000), 'the connection is closed');
    const answer = parseAnswer(conn.received());
    t.equal(answer.status, 400);
    t.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    t.equal(answer.body, '400 Bad Request');
  });

  t.test('headers up to Go\'s 1 MiB are read; larger ones get Go\'s 431', async (t) => {
    const big = await rawConnection(url, tls);
    big.socket.write(`GET /version HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(64 * 1024)}\r\n\r\n`);
    const ok = await waitAnswer(big);
    t.equal(statusOf(ok), 200, 'a 64 KiB header (over Node\'s 16 KiB default) is accepted, as upstream does');
    big.socket.destroy();

    const huge = await rawConnection(url, tls);
    huge.socket.write(`GET /version HTTP/1.1\r\nHost: localhost\r\nX-Huge: ${'h'.repeat((1 << 20) + 8192)}\r\n\r\n`);
    t.ok(await closesWithin(huge, 20_000), 'the connection is closed');
    const answer = parseAnswer(huge.received());
    t.equal(answer.status, 431);
    t.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    t.equal(answer.headers.connection, 'close');
    t.equal(answer.body, '431 Request Header Fields Too Large', 'Go\'s text');
  });

  t.test('a body that trickles in gets the 504 and its connection is closed', async (t) => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'trickled' }, data: { k: 'v'.repeat(400) } });
    const slowBody = await rawConnection(url, tls);
    slowBody.socket.write(postHead(CONFIGMAPS, Buffer.byteLength(body)));
    const dribble = trickle(slowBody, body, 100);
    const normal = await api(cluster, url, 'POST', CONFIGMAPS, { body: { metadata: { name: 'normal' } } });
    t.equal(normal.status, 201, 'a normal create is served meanwhile');
    t.notOk(slowBody.isClosed(), 'while the slow one is still sending');
    t.ok(await closesWithin(slowBody, 30_000), 'the slow connection is closed');
    const answer = parseAnswer(slowBody.received());
    t.equal(answer.status, 504);
    t.equal(answer.body, TIMEOUT_BODY, 'upstream\'s bare Status');
    t.equal(answer.headers['content-type'], 'text/plain; charset=utf-8', 'with the type Go sniffs for it');
    t.equal(answer.headers.connection, 'close');
    t.match(answer.headers['audit-id'], /^[0-9a-f-]{36}$/);
    t.equal(answer.headers['cache-control'], 'no-cache, private');
    await dribble;
    t.equal((await api(cluster, url, 'GET', `${CONFIGMAPS}/trickled`)).status, 404, 'nothing stored');
    const metrics = (await api(cluster, url, 'GET', '/metrics')).text;
    t.match(metrics, /apiserver_request_terminations_total\{[^}]*verb="POST"[^}]*resource="configmaps"[^}]*code="504"\} 1/, 'counted as a termination');
  });

  t.test('the timeout query parameter', async (t) => {
    const bad = await api(cluster, url, 'GET', '/api/v1/namespaces?timeout=soon');
    t.equal(bad.status, 400);
    t.same(bad.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'invalid timeout specified in the request URL - time: invalid duration "soon"', reason: 'BadRequest', code: 400 });
    const fine = await api(cluster, url, 'GET', '/api/v1/namespaces?timeout=32s');
    t.equal(fine.status, 200, 'a valid timeout is accepted');

    // The same body over about 1.5 s: in time for the server's 5 s, not for a 300 ms timeout.
    const create = async (name: string, query: string) => {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
      const conn = await rawConnection(url, tls);
      conn.socket.write(postHead(`${CONFIGMAPS}${query}`, Buffer.byteLength(body)));
      await trickle(conn, body, Math.ceil(1500 / body.length));
      return parseAnswer(await waitAnswer(conn));
    };
    t.equal((await create('in-time', '')).status, 201, 'without the parameter the slow create completes');
    const short = await create('too-slow', '?timeout=300ms');
    t.equal(short.status, 504, 'with timeout=300ms it times out');
    t.equal(short.body, TIMEOUT_BODY);
  });

  t.test('an idle keep-alive connection is closed', async (t) => {
    const conn = await rawConnection(url, tls);
    conn.socket.write('GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const answer = await waitAnswer(conn);
    t.equal(statusOf(answer), 200);
    t.notOk(conn.isClosed(), 'kept alive after the answer');
    t.ok(await closesWithin(conn, 20_000), 'closed once idle');
  });

  t.test('a client that stops reading a large answer', async (t) => {
    // About 14 MiB of configmaps: more than the socket buffers hold.
    for (let i = 0; i < 14; i++) {
      const res = await api(cluster, url, 'POST', CONFIGMAPS, { body: { metadata: { name: `big-${i}` }, data: { k: 'x'.repeat(1000 * 1000) } } });
      t.equal(res.status, 201, `big-${i} created`);
    }
    const full = await api(cluster, url, 'GET', CONFIGMAPS);
    const fullLength = Buffer.byteLength(full.text);
    t.ok(fullLength > 14_000_000, `the list is ${fullLength} bytes`);

    const stalled = await rawConnection(url, tls, false);
    stalled.socket.write(`GET ${CONFIGMAPS} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await sleep(500);
    const normal = await api(cluster, url, 'GET', CONFIGMAPS);
    t.equal(normal.status, 200, 'another client gets the same list meanwhile');
    t.equal(Buffer.byteLength(normal.text), fullLength, 'in full');

    // Give the server three stall timeouts, then read what it left in the connection.
    await sleep(6000);
    let received = 0;
    stalled.socket.on('data', (c: Buffer) => (received += c.length));
    stalled.socket.resume();
    t.ok(await closesWithin(stalled, 30_000), 'the stalled connection was closed by the server');
    t.ok(received < fullLength, `it was closed before the answer was complete (${received} of ${fullLength} bytes)`);
  });
});

/** Wait until `conn` has a complete answer (head and, when declared, its body) and return it. */
async function waitAnswer(conn: RawConnection): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const text = conn.received();
    const end = text.indexOf('\r\n\r\n');
    if (end >= 0) {
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end))?.[1];
      if (length === undefined || Buffer.byteLength(text.slice(end + 4), 'latin1') >= Number(length)) return text;
    }
    if (conn.isClosed()) return text;
    await sleep(100);
  }
  return conn.received();
}
