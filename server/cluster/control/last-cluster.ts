/**
 * Where the commands find a cluster when no `--data-dir` is given: `kube-skew up` records the data
 * directory of the cluster it made last in a small file of the user's state directory
 * (`$XDG_STATE_HOME/kube-skew/last-cluster`, by default `~/.local/state/kube-skew/last-cluster`),
 * readable by its owner only.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../private-file.js';

/** The file that names the data directory of the cluster `up` made last. */
export function lastClusterFile(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'kube-skew', 'last-cluster');
}

/** Record `dataDir` as the cluster `up` made last. */
export async function recordLastCluster(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = lastClusterFile(env);
  await ensurePrivateDir(dirname(file));
  await writePrivateFile(file, `${resolve(dataDir)}\n`);
}

/**
 * The data directory a command addresses: `--data-dir` when given, else the one `up` recorded last.
 * Throws with a clear message when there is neither.
 */
export async function resolveDataDir(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (dataDir) return resolve(dataDir);
  const file = lastClusterFile(env);
  const recorded = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (!recorded) throw new Error(`no cluster found: no --data-dir given, and kube-skew up has not recorded a cluster in ${file}`);
  return recorded;
}
