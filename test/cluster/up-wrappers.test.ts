/**
 * `kube-skew up` as wrappers and flags really start it: under a parent that does not pass signals
 * on (npx, npm run, a test harness) and is killed, `up` stops itself and every server; and the proxy
 * gate turned off with `--feature-gates` starts a cluster with the proxy off, as `--no-mvp` does.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { probe } from '../../server/cluster/server-process.js';
import { alive, CLI } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';

const MAP_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies';

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(100);
  return check();
}

t.test('up under a wrapper that does not forward signals stops when the wrapper is killed', async (t) => {
  const dir = await tempDir(t);
  // The wrapper starts `up` as npx does (a child with inherited output) and ignores SIGTERM, then
  // reports up's pid; the test kills the wrapper as a harness would.
  const wrapper = `
    const { spawn } = await import('node:child_process');
    process.on('SIGTERM', () => {});
    const up = spawn(process.execPath, ${JSON.stringify([CLI, 'up', '--servers', 'a=1.35,b=1.36', '--data-dir', dir])}, { stdio: ['ignore', 'pipe', 'inherit'] });
    up.stdout.on('data', (d) => { if (String(d).includes('ready')) console.log(JSON.stringify({ up: up.pid })); });
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', wrapper], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids: number[] = [];
  t.teardown(() => {
    child.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const lines = createInterface({ input: child.stdout! });
  // The timer is cancelled once up is ready: a pending 90 s timer would keep this file's process alive.
  const giveUp = new AbortController();
  const [line] = (await Promise.race([once(lines, 'line'), sleep(90_000, undefined, { signal: giveUp.signal }).then(() => ['{}'])])) as [string];
  giveUp.abort();
  const upPid = (JSON.parse(line) as { up?: number }).up;
  t.ok(upPid, 'up started and printed ready');
  if (!upPid) return;
  const cluster = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { servers: Array<{ pid: number }> };
  pids.push(upPid, ...cluster.servers.map((s) => s.pid));
  t.ok(pids.every(alive), 'up and both servers run');

  child.kill('SIGTERM');
  await sleep(1500);
  t.ok(alive(upPid), 'a SIGTERM the wrapper ignores reaches nobody: up still runs');
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.ok(await until(() => !pids.some(alive), 30_000), 'up and every server exit once the wrapper is gone');
});

t.test('up --feature-gates=UnknownVersionInteroperabilityProxy=false starts a cluster with the proxy off', async (t) => {
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', 'a=1.35,b=1.36', '--data-dir', dir, '--feature-gates=UnknownVersionInteroperabilityProxy=false'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => up.kill('SIGKILL'));
  let out = '';
  let err = '';
  up.stdout.on('data', (d: Buffer) => (out += d.toString()));
  up.stderr.on('data', (d: Buffer) => (err += d.toString()));
  t.ok(await until(() => out.includes('ready') || up.exitCode !== null, 90_000), 'up finishes starting');
  t.match(out, /ready: 2 server\(s\)/, `up is ready (stderr: ${err.slice(0, 500)})`);
  const cluster = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { servers: Array<{ name: string; url: string; pid: number }> };
  const a = cluster.servers.find((s) => s.name === 'a')!;
  const tls = {
    ca: await readFile(join(dir, 'pki', 'ca.crt'), 'utf8'),
    cert: await readFile(join(dir, 'pki', 'admin.crt'), 'utf8'),
    key: await readFile(join(dir, 'pki', 'admin.key'), 'utf8'),
  };
  // With the proxy on, a would forward this 1.36-only API to b within seconds; off, it stays a 404.
  await sleep(3000);
  const res = await probe(`${a.url}${MAP_PATH}`, tls);
  t.equal(res.status, 404, 'the 1.35 server does not proxy the 1.36-only API');
  const metrics = await probe(`${a.url}/metrics`, tls);
  t.notMatch(metrics.body, /apiserver_rerouted_request_total\{/, 'nothing was rerouted');
  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'up stops cleanly');
  t.notOk(cluster.servers.some((s) => alive(s.pid)), 'its servers are gone');
});

t.test('up --no-peer-ca-file runs the proxy gate without a peer CA on every server', async (t) => {
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', 'a=1.35,b=1.36', '--data-dir', dir, '--no-peer-ca-file'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => up.kill('SIGKILL'));
  let out = '';
  up.stdout.on('data', (d: Buffer) => (out += d.toString()));
  t.ok(await until(() => out.includes('ready') || up.exitCode !== null, 90_000), 'up finishes starting');
  const cluster = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { servers: Array<{ name: string; pid: number }> };
  for (const s of cluster.servers) {
    const args = (await readFile(`/proc/${s.pid}/cmdline`, 'utf8')).split('\0');
    t.ok(args.some((a) => /^--feature-gates=.*UnknownVersionInteroperabilityProxy=true/.test(a)), `${s.name} has the proxy gate on`);
    t.notOk(args.some((a) => a.startsWith('--peer-ca-file')), `${s.name} has no --peer-ca-file`);
  }
  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'up stops cleanly');
});
