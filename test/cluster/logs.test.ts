/**
 * Server logs as a user meets them: a cluster writes each server's pino records to
 * `<data-dir>/logs/<server>.log`; at debug a proxied request leaves the decision record naming the
 * peer on the server that forwarded it and an `already-proxied` record on the peer; `kube-skew logs`
 * prints the JSON lines when its output is not a terminal, refuses an unknown server listing the
 * known ones, and with `-f` prints a line written after it started; `up -v` prefixes every server's
 * records with the server's name.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startCluster, tempDir, urlOf } from '../fixtures/cluster.js';
import { alive, CLI, runCli } from '../fixtures/cli.js';
import { MAP_PATH, poll } from '../peers/helpers.js';
import { apiServerID } from '../../server/peers/identity.js';
import { DECISION_MESSAGE } from '../../server/peers/proxy-filter.js';
import { logFilePath } from '../../server/cluster/log-file.js';

/** A log record as the file holds it. */
type LogRecord = Record<string, unknown> & { level: number; time: number; msg: string };

/** Every record of `server`'s log file (each line must be a JSON object). */
async function records(dataDir: string, server: string): Promise<LogRecord[]> {
  const text = await readFile(logFilePath(dataDir, server), 'utf8');
  // What follows the last newline may be a record still being written.
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as LogRecord);
}

/** Wait until `server`'s log holds a record matching `want` (the supervisor writes the file as lines arrive). */
async function recordMatching(dataDir: string, server: string, want: (r: LogRecord) => boolean): Promise<LogRecord | undefined> {
  const found = await poll(async () => (await records(dataDir, server)).find(want), (r) => r !== undefined, 30_000, 100);
  return found.value;
}

t.test('a cluster logs to <data-dir>/logs, and the proxy logs its decisions at debug', async (t) => {
  const cluster = await startCluster(
    t,
    [
      { name: 'a', minor: '1.35' },
      { name: 'b', minor: '1.36' },
    ],
    { logLevel: 'debug' },
  );
  const dir = cluster.options.dataDir;
  const a = urlOf(cluster, 'a');
  const bAddress = `127.0.0.1:${cluster.server('b').info!.port}`;

  for (const name of ['a', 'b']) {
    t.equal((await stat(logFilePath(dir, name))).mode & 0o777, 0o600, `${name}.log is readable by the owner only`);
    const serving = await recordMatching(dir, name, (r) => r.msg.startsWith('Serving securely on'));
    t.ok(serving, `${name}.log has the startup line`);
    t.equal(serving?.level, 30, 'at info');
    t.equal(serving?.server, name, 'bound to the server');
    t.equal(serving?.msg, `Serving securely on 127.0.0.1:${cluster.server(name).info!.port}`);
  }

  // A fresh server routes peer-only resources locally until its first peer sync: wait for the hop.
  const hop = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 60_000);
  t.equal(hop.value.status, 200, 'a forwards the 1.36-only resource to b');
  const auditId = String(hop.value.headers['audit-id']);

  const forwarded = await recordMatching(dir, 'a', (r) => r.msg === DECISION_MESSAGE && r['audit-ID'] === auditId);
  t.ok(forwarded, 'a logged the decision for the request');
  t.match(forwarded, {
    level: 20,
    decision: 'forwarded',
    version: '1.35',
    apiGroup: 'admissionregistration.k8s.io',
    apiVersion: 'v1',
    resource: 'mutatingadmissionpolicies',
    peer: bAddress,
    peerId: apiServerID('b'),
    candidates: 1,
  });
  const atPeer = await recordMatching(dir, 'b', (r) => r.msg === DECISION_MESSAGE && r['audit-ID'] === auditId);
  t.match(atPeer, { level: 20, decision: 'served-here', reason: 'already-proxied', resource: 'mutatingadmissionpolicies' }, 'b served it as a proxied request');
  const httpAtA = await recordMatching(dir, 'a', (r) => r.msg === 'HTTP' && r['audit-ID'] === auditId);
  t.match(httpAtA, { level: 30, verb: 'LIST', URI: MAP_PATH, resp: 200, latency: /^\d+(\.\d+)?(µs|ms|s)$/ }, 'a logged the request at info');
  const httpAtB = await recordMatching(dir, 'b', (r) => r.msg === 'HTTP' && r['audit-ID'] === auditId);
  t.match(httpAtB, { verb: 'LIST', resp: 200 }, 'b logged the proxied request too');

  const missing = await api(cluster, a, 'GET', '/apis/admissionregistration.k8s.io/v1/nosuchthings');
  t.equal(missing.status, 404);
  const noPeer = await recordMatching(dir, 'a', (r) => r.msg === DECISION_MESSAGE && r['audit-ID'] === missing.headers['audit-id']);
  t.match(noPeer, { decision: 'no-peer', resource: 'nosuchthings' }, 'nobody serving it is logged as no-peer');
  const local = await api(cluster, a, 'GET', '/api/v1/namespaces');
  const servedHere = await recordMatching(dir, 'a', (r) => r.msg === DECISION_MESSAGE && r['audit-ID'] === local.headers['audit-id']);
  t.match(servedHere, { decision: 'served-here', reason: 'served-locally', apiGroup: '', apiVersion: 'v1', resource: 'namespaces', version: '1.35' });

  t.test('kube-skew logs prints JSON lines when its output is not a terminal', async (t) => {
    const run = await runCli(t, ['logs', 'a', '--data-dir', dir]);
    t.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    t.ok(lines.length > 3, 'prints the log');
    t.ok(lines.every((l) => typeof JSON.parse(l).level === 'number'), 'every line is a JSON record');
    t.ok(lines.some((l) => JSON.parse(l)['audit-ID'] === auditId && JSON.parse(l).decision === 'forwarded'), 'the decision record among them');
  });

  t.test('kube-skew logs refuses an unknown server, listing the known ones', async (t) => {
    const run = await runCli(t, ['logs', 'zz', '--data-dir', dir]);
    t.equal(run.code, 1);
    t.equal(run.stderr, `Error: no server named "zz" has a log in ${dir} (servers: a, b)\n`);
    const noDir = await runCli(t, ['logs', 'a'], { XDG_STATE_HOME: join(dir, 'no-state') });
    t.equal(noDir.code, 1);
    t.match(noDir.stderr, /^Error: no cluster found: no --data-dir given/);
  });

  t.test('kube-skew logs -f prints a line written after it started', async (t) => {
    const follower = spawn(process.execPath, [CLI, 'logs', 'b', '-f', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => void follower.kill('SIGKILL'));
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const started = await poll(async () => out, (o) => o.includes('Serving securely on'), 30_000, 50);
    t.ok(started.ok, 'prints what the file already holds');
    const marker = `/api/v1/namespaces/follow-${Date.now()}`;
    t.notOk(out.includes(marker));
    const res = await api(cluster, urlOf(cluster, 'b'), 'GET', marker);
    t.equal(res.status, 404);
    const seen = await poll(async () => out, (o) => o.includes(marker), 30_000, 50);
    t.ok(seen.ok, 'the new request line appears');
    const line = out.split('\n').find((l) => l.includes(marker))!;
    t.match(JSON.parse(line), { msg: 'HTTP', URI: marker, resp: 404, server: 'b' });
    t.equal(follower.exitCode, null, 'still following');
    follower.kill('SIGTERM');
    await once(follower, 'exit');
  });
});

t.test('up -v prints every server\'s records on stderr, prefixed with its name; info is the level', async (t) => {
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', 'p=1.34,q=1.34', '--data-dir', dir, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void up.kill('SIGKILL'));
  let out = '';
  let err = '';
  up.stdout.on('data', (d: Buffer) => (out += d.toString()));
  up.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = Date.now() + 120_000;
  while (!out.includes('ready') && up.exitCode === null && Date.now() < deadline) await sleep(100);
  t.match(out, /ready/, `prints ready (stderr: ${err.slice(-500)})`);
  t.match(out, new RegExp(`logs: ${dir}/logs/<server>.log`), 'says where the logs are');
  const clusterInfo = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { servers: { pid: number }[] };

  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'up exits cleanly');
  t.ok(clusterInfo.servers.every((s) => !alive(s.pid)), 'no server is left');

  const lines = err.split('\n').filter((l) => l.startsWith('['));
  const named = lines.map((l) => /^\[([a-z0-9-]+)\] (.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  t.ok(named.length > 4, 'several records printed');
  t.same([...new Set(named.map((m) => m[1]))].sort(), ['p', 'q'], 'from both servers');
  t.ok(
    named.every((m) => JSON.parse(m[2]!).server === m[1]),
    'each line is the named server\'s own record (JSON, as stderr is not a terminal)',
  );
  t.ok(named.some((m) => JSON.parse(m[2]!).msg === 'HTTP'), 'request lines are among them');
  t.ok(named.every((m) => JSON.parse(m[2]!).level >= 30), '-v logs at info: no debug record');
  for (const name of ['p', 'q']) {
    const file = await records(dir, name);
    t.ok(file.some((r) => r.msg.startsWith('Serving securely on')), `${name}.log holds the records too`);
  }
});
