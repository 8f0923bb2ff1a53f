/**
 * A server started by a supervisor (a cluster, a scenario run, a test) stops when the supervisor
 * dies, even by SIGKILL: its standard input is a lifeline.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';

const SERVER_PROCESS = fileURLToPath(new URL('../../server/cluster/server-process.js', import.meta.url));

t.test('a SIGKILLed supervisor takes its server with it', async (t) => {
  const dir = await tempDir(t);
  const supervisor = `
    const { ServerProcess } = await import(${JSON.stringify(SERVER_PROCESS)});
    const proc = new ServerProcess('a', ['--emulated-version=1.33', '--server-name=a', '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--secure-port=0', '--storage-path=${join(dir, 'store.db')}', '--controllers=']);
    const info = await proc.listening;
    console.log(JSON.stringify({ pid: info.pid }));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', supervisor], { stdio: ['ignore', 'pipe', 'inherit'] });
  let serverPid: number | undefined;
  t.teardown(() => {
    child.kill('SIGKILL');
    if (serverPid && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  serverPid = (JSON.parse(line) as { pid: number }).pid;
  t.ok(alive(serverPid), 'the server runs while its supervisor lives');

  child.kill('SIGKILL');
  await once(child, 'exit');
  const deadline = Date.now() + 20_000;
  while (alive(serverPid) && Date.now() < deadline) await sleep(100);
  t.notOk(alive(serverPid), 'the server stopped after its supervisor was killed');
});

t.test('the lifeline does not keep a gracefully stopped server alive', async (t) => {
  const dir = await tempDir(t);
  const { ServerProcess } = (await import(SERVER_PROCESS)) as typeof import('../../server/cluster/server-process.js');
  const proc = new ServerProcess('a', ['--emulated-version=1.33', '--server-name=a', '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--secure-port=0', `--storage-path=${join(dir, 'store.db')}`, '--controllers=']);
  t.teardown(() => proc.kill());
  while (!proc.info && proc.alive) await sleep(50);
  t.ok(proc.info, 'the server listens');
  // A stop that outlives its grace period ends in SIGKILL, whose exit code is null.
  t.equal(await proc.stop(15_000), 0, 'SIGTERM: the server closes and exits with 0');
});
