/**
 * What a server answers to requests that never reach a handler, byte for byte on raw TLS
 * connections, as Go's net/http answers them for kube-apiserver: plain text and `Connection: close`
 * for a malformed request line or header, a bad escape in the path, a missing Host, a header block
 * past 1 MiB (and a normal answer under it), an unsupported transfer coding, an unknown Expect; and
 * every other method (WebDAV ones, QUERY, CONNECT) routed to the chain for its 405 Status, a
 * malformed Content-Type judged by the handler (415 Status); and request metrics that only count
 * served routes, as upstream's per-route instrumentation does.
 */
import t from 'tap';
import { connect } from 'node:tls';
import type { Cluster } from '../../../server/cluster/cluster.js';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';

/** Write `bytes` on a fresh TLS connection as the admin; read until the server closes it, noting a socket error. */
function exchange(cluster: Cluster, url: string, bytes: string): Promise<{ answer: string; error?: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: Number(port), ca: cluster.tls.ca, cert: cluster.tls.cert, key: cluster.tls.key, servername: 'localhost' }, () => s.write(bytes));
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no end of answer within 10 s: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, 10_000);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), ...(error ? { error } : {}) });
    });
  });
}

/** The answer to `bytes` on a fresh connection, whatever the connection's end. */
async function raw(cluster: Cluster, url: string, bytes: string): Promise<string> {
  return (await exchange(cluster, url, bytes)).answer;
}

const plain = (status: string, body = status): string => `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${body}`;

/** The status line and JSON body of an answer (headers vary: Date, Audit-Id). */
function statusAndJson(answer: string): { line: string; json: any } {
  const head = answer.slice(0, answer.indexOf('\r\n'));
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { line: head, json };
}

t.test('protocol-level answers', async (t) => {
  const cluster = await startCluster(t, '1.32');
  const url = urlOf(cluster, 's1');
  const send = (bytes: string): Promise<string> => raw(cluster, url, bytes);
  const cm = '/api/v1/namespaces/default/configmaps';

  t.test("malformed requests get Go's plain-text 400 and the connection closes", async (t) => {
    const bad400 = plain('400 Bad Request');
    t.equal(await send('GET /api/v1/namespaces/%zz HTTP/1.1\r\nHost: x\r\n\r\n'), bad400, 'a bad escape in the path');
    t.equal(await send('GET /version% HTTP/1.1\r\nHost: x\r\n\r\n'), bad400, 'a truncated escape');
    t.equal(await send('GET /version HTTP/1.1\r\nHost: x\r\nX-A: a\rB: b\r\n\r\n'), bad400, 'a bare CR in a header');
    t.equal(await send('GET /version HTTP/1.1\r\nHost: x\r\nX Bad: a\r\n\r\n'), bad400, 'a space in a header name');
    t.equal(await send(`POST ${cm} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`), bad400, 'two Content-Lengths');
    t.equal(await send('FOO /version HTTP/1.1\r\nHost: x\r\n\r\n'), bad400, "a method Node's parser does not know");
    t.equal(await send('garbage\r\n\r\n'), bad400, 'not HTTP at all');
    t.equal(await send('GET /version HTTP/1.1\r\n\r\n'), plain('400 Bad Request: missing required Host header'), 'HTTP/1.1 without Host');
  });

  t.test('header size: 1 MiB (and Go\'s 4 KiB of slack) as kube-apiserver, then a plain-text 431', async (t) => {
    const under = statusAndJson(await send(`GET /version HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`));
    t.equal(under.line, 'HTTP/1.1 200 OK', 'a 64 KiB header is served');
    t.equal(under.json?.major, '1');
    t.equal(await send(`GET /version HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(1024 * 1024 + 4096 + 1)}\r\n\r\n`), plain('431 Request Header Fields Too Large'));
    // Node reports the overflow again as the rest arrives; the answered connection still drains it
    // before it closes, or the client, still writing, would get a reset instead of the answer.
    for (const path of [`/${'a'.repeat(1_100_000)}`, `/version?x=${'b'.repeat(1_250_000)}`]) {
      const far = await exchange(cluster, url, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      t.equal(far.answer, plain('431 Request Header Fields Too Large'), `a ${path.length}-byte request target: the 431`);
      t.equal(far.error, undefined, 'and a clean close, not a reset');
    }
  });

  t.test('an unsupported transfer coding: 501', async (t) => {
    t.equal(await send(`POST ${cm} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n`), plain('501 Not Implemented', 'Unsupported transfer encoding'));
  });

  t.test('an Expect other than 100-continue: 417 without a body', async (t) => {
    const answer = await send('GET /version HTTP/1.1\r\nHost: x\r\nExpect: garbage\r\n\r\n');
    t.match(answer, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
    t.match(answer, /\r\nconnection: close\r\n/i);
    t.match(answer, /\r\ncontent-length: 0\r\n/i);
    t.ok(answer.endsWith('\r\n\r\n'), 'no body');
  });

  t.test('every method reaches the chain: 405 Status where nothing serves it', async (t) => {
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'QUERY', 'CONNECT']) {
      const { line, json } = statusAndJson(await send(`${method} ${cm} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      t.equal(line, 'HTTP/1.1 405 Method Not Allowed', method);
      t.same(json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405 }, `${method}: Status`);
    }
  });

  t.test('a malformed Content-Type is the handler’s 415 Status', async (t) => {
    for (const type of ['json', '/', 'application/']) {
      const body = '{"metadata":{"name":"x"}}';
      const { line, json } = statusAndJson(await send(`POST ${cm} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
      t.equal(line, 'HTTP/1.1 415 Unsupported Media Type', type);
      t.equal(json?.kind, 'Status');
      t.equal(json?.reason, 'UnsupportedMediaType');
    }
    // An empty Content-Type still reads as JSON.
    const body = '{"metadata":{"name":"empty-type"}}';
    const { line } = statusAndJson(await send(`POST ${cm} HTTP/1.1\r\nHost: x\r\nContent-Type: \r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
    t.equal(line, 'HTTP/1.1 201 Created');
  });
});

t.test('request metrics count served routes only, so random paths cannot add series', async (t) => {
  const cluster = await startCluster(t, '1.32');
  const url = urlOf(cluster, 's1');
  for (let i = 0; i < 20; i++) {
    t.equal((await api(cluster, url, 'GET', `/api/v1/namespaces/default/zzfuzz${i}`)).status, 404);
    t.equal((await api(cluster, url, 'GET', `/apis/nopefuzz${i}.example.com/v1/things`)).status, 404);
    t.equal((await api(cluster, url, 'GET', `/api/v1/namespaces/default/configmaps/x/zzsub${i}`)).status, 404);
  }
  t.equal((await api(cluster, url, 'GET', '/api/v1/namespaces/default/configmaps/missing')).status, 404);
  const metrics = (await api(cluster, url, 'GET', '/metrics')).text;
  t.notMatch(metrics, /zzfuzz|nopefuzz|zzsub/, 'no series for unserved resources, groups or subresources');
  t.match(metrics, /apiserver_request_total\{[^}]*resource="configmaps"[^}]*code="404"\} 1/, 'a 404 for an object of a served resource is counted');
});
