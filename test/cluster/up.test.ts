/**
 * `kube-skew up` as a user runs it: a real process that prints `ready`, writes the kubeconfig and
 * cluster.json, serves through the kubeconfig's contexts, and stops every server on SIGTERM/SIGINT.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { probe } from '../../server/cluster/server-process.js';
import { checkUpOptions } from '../../server/cluster/up.js';
import { alive, CLI } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`up starts one server, prints ready, and stops on ${signal}`, async (t) => {
    const dir = await tempDir(t);
    const up = spawn(process.execPath, [CLI, 'up', '--servers', '1.32', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => up.kill('SIGKILL'));
    let out = '';
    up.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!out.includes('ready') && up.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.match(out, /ready/, 'prints a line containing ready');

    const kubeconfig = parseYaml(await readFile(join(dir, 'kubeconfig'), 'utf8'));
    t.equal(kubeconfig['current-context'], 'skew');
    t.same(kubeconfig.contexts.map((c: { name: string }) => c.name).sort(), ['skew', 'skew-s1']);
    t.equal((await stat(join(dir, 'kubeconfig'))).mode & 0o777, 0o600, 'kubeconfig is readable by the owner only');
    t.equal((await stat(join(dir, 'pki', 'admin.key'))).mode & 0o777, 0o600, 'private keys are readable by the owner only');

    const clusterInfo = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'));
    t.equal(clusterInfo.servers.length, 1);
    const [server] = clusterInfo.servers;
    t.equal(server.minor, '1.32');
    t.ok(alive(server.pid), 'the server process runs');

    const ca = await readFile(join(dir, 'pki', 'ca.crt'), 'utf8');
    const version = await probe(`${server.url}/version`, { ca });
    t.equal(version.status, 200);
    t.equal(JSON.parse(version.body).gitVersion, 'v1.32.0');

    up.kill(signal);
    const [code] = await once(up, 'exit');
    t.equal(code, 0, 'up exits cleanly');
    t.notOk(alive(server.pid), 'the server process is gone');
  });
}

t.test('up refuses a malformed --servers list with a clear message', async (t) => {
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', '1.32,x=banana', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  up.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = await once(up, 'exit');
  t.equal(code, 1);
  t.match(err, /invalid minor "banana" for server x/);
  t.notMatch(err, /at .*\.js:\d+/, 'no stack trace');
});

t.test('up refuses an unsupported minor with the supported list', async (t) => {
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', '1.20', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  up.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = await once(up, 'exit');
  t.equal(code, 1);
  t.match(err, /1\.20/);
  t.match(err, /1\.25/, 'names the supported minors');
  t.notMatch(err, /at .*\.js:\d+/, 'no stack trace');
});

t.test('bad flag values are refused before anything starts, in one line', async (t) => {
  t.same(checkUpOptions({ basePort: '6443', timeScale: '0.5', logLevel: 'info' }, 3), { basePort: 6443, timeScale: 0.5 });
  for (const [opts, message] of [
    [{ basePort: 'abc' }, '--base-port abc: expected a port number from 1 to 65533'],
    [{ basePort: '65534' }, '--base-port 65534: expected a port number from 1 to 65533'],
    [{ basePort: '0' }, '--base-port 0: expected a port number from 1 to 65533'],
    [{ timeScale: '-1' }, '--time-scale -1: expected a positive number'],
    [{ timeScale: 'fast' }, '--time-scale fast: expected a positive number'],
    [{ logLevel: 'loud' }, '--log-level loud: expected one of silent, error, warn, info, debug'],
  ] as const) {
    t.throws(() => checkUpOptions(opts, 3), { message }, message);
  }
  // Through the CLI (a bad --base-port was once ignored and a cluster started anyway), and commander's own errors.
  for (const [args, first] of [
    [['--base-port', 'abc'], 'Error: --base-port abc: expected a port number from 1 to 65533'],
    [['--nope'], "error: unknown option '--nope'"],
    [['--servers'], "error: option '--servers <list>' argument missing"],
  ] as const) {
    const up = spawn(process.execPath, [CLI, 'up', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => up.kill('SIGKILL'));
    let err = '';
    up.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = await once(up, 'exit');
    t.equal(code, 1, `${args.join(' ')}: exits 1`);
    t.equal(err.split('\n')[0], first, `${args.join(' ')}: says what is wrong`);
    t.ok(err.split('\n').filter(Boolean).length <= 2, `${args.join(' ')}: at most the error and a one-line hint`);
    t.notMatch(err, /\n\s+at /, 'no stack trace');
  }
});
