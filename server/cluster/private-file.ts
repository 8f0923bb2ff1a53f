/**
 * Files and directories only their owner may read: credentials (the kubeconfig, private keys) and
 * what a cluster keeps beside them. A file is written to a fresh temporary name with mode 0600 and
 * renamed over the target, so a reader never sees half a file and a file that existed with a wider
 * mode does not keep it; a directory is made, or narrowed, to 0700.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';

/** Mode of every file a cluster writes. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of the directories that hold them. */
export const PRIVATE_DIR_MODE = 0o700;

/** Write `data` to `path` (mode 0600), atomically replacing what was there. */
export async function writePrivateFile(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    // The umask may narrow the mode at creation, never widen it; set it exactly.
    await file.chmod(PRIVATE_FILE_MODE);
    await file.writeFile(data);
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, path);
}

/** Make `dir` (and missing parents) and narrow it to 0700 when it already existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/** Create `path` empty with mode 0600 when it is missing; narrow it to 0600 when it exists. */
export async function ensurePrivateFile(path: string): Promise<void> {
  const file = await open(path, 'a', PRIVATE_FILE_MODE);
  try {
    await file.chmod(PRIVATE_FILE_MODE);
  } finally {
    await file.close();
  }
}
