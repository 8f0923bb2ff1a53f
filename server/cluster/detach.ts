/**
 * `kube-skew up --detach`: start `up` in the background, in a session of its own with its output in
 * `<data-dir>/up.log`, wait until it reports the cluster ready (or fails), print the
 * `export KUBECONFIG=…` line on stdout and return. `kube-skew down` stops it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-file.js';
import { CLI_PATH } from './server-process.js';

/** Set in the environment of the background `up`: it has no parent to follow, so it runs until `down` or a signal. */
export const DETACHED_ENV = 'KUBE_SKEW_DETACHED';

/** The background `up`'s output, in the data directory. */
export const UP_LOG = 'up.log';

/** How long `up --detach` waits for the cluster to become ready. */
export const DETACH_READY_TIMEOUT_MS = 180_000;

/** The ready line `up` prints, from which the kubeconfig path is read. */
const READY_LINE = /^ready: .*export KUBECONFIG=(.+)$/m;

/**
 * Start `up` with `args` (its own flags without `--detach`) in the background and wait until it is
 * ready; resolves with the exit code of `up --detach` (0 once ready, 1 when the background `up`
 * exits first or does not become ready in time, after stopping it).
 */
export async function runDetached(args: readonly string[], dataDirOption: string | undefined, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const dataDir = dataDirOption ? resolve(dataDirOption) : await mkdtemp(join(tmpdir(), 'kube-skew-'));
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const logPath = join(dataDir, UP_LOG);
  const log = await open(logPath, 'w', PRIVATE_FILE_MODE);
  await log.chmod(PRIVATE_FILE_MODE);
  const childArgs = [...args.filter((a) => a !== '--detach'), ...(dataDirOption ? [] : ['--data-dir', dataDir])];
  const child = spawn(process.execPath, [CLI_PATH, 'up', ...childArgs], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  await log.close();
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  // Ctrl-C while waiting stops the background up too: nothing is left running that nobody asked for.
  const interrupt = (): void => void child.kill('SIGTERM');
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const deadline = Date.now() + DETACH_READY_TIMEOUT_MS;
    for (;;) {
      const text = await readFile(logPath, 'utf8');
      const ready = READY_LINE.exec(text);
      if (ready) {
        out.stderr.write(text);
        out.stderr.write(`kube-skew up runs in the background (pid ${child.pid}); its output goes to ${logPath}; stop it with: kube-skew down --data-dir ${dataDir}\n`);
        out.stdout.write(`export KUBECONFIG=${ready[1]!.trim()}\n`);
        child.unref();
        return 0;
      }
      if (exited) {
        out.stderr.write(text);
        out.stderr.write(`kube-skew up exited before the cluster was ready (${exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`}); its output is in ${logPath}\n`);
        return 1;
      }
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        out.stderr.write(text);
        out.stderr.write(`the cluster was not ready within ${DETACH_READY_TIMEOUT_MS} ms; stopped it (output in ${logPath})\n`);
        return 1;
      }
      await sleep(100);
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
