/**
 * Each server's log file in a cluster's data directory: `<data-dir>/logs/<server>.log`, one JSON
 * record a line, appended across restarts. The supervisor writes into it what the server's pino
 * logger prints on standard output, and each line the server writes on standard error as a record
 * of its own (`"stream":"stderr"`, level error), so a crash's stack trace lands beside the records
 * that led to it and the file stays JSON lines throughout.
 */
import { createWriteStream, fchmodSync, openSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from './private-file.js';

/** The folder of a data directory that holds the log files. */
export const LOGS_DIR = 'logs';

/** pino's number for the error level. */
const ERROR_LEVEL = 50;

/** The folder of `dataDir` that holds one log file per server. */
export function logsDir(dataDir: string): string {
  return join(dataDir, LOGS_DIR);
}

/** The log file of `server` in `dataDir`. */
export function logFilePath(dataDir: string, server: string): string {
  return join(logsDir(dataDir), `${server}.log`);
}

/** The record a line of standard error becomes: pino's shape, level error, marked `stream: "stderr"`. */
export function stderrRecord(server: string, line: string, now: number = Date.now()): string {
  return JSON.stringify({ level: ERROR_LEVEL, time: now, server, stream: 'stderr', msg: line });
}

/** An open log file (mode 0600, narrowed to it when it existed; appended to); lines are written in the order given. */
export class LogFile {
  private readonly stream: WriteStream;
  private closing: Promise<void> | undefined;

  constructor(readonly path: string) {
    const fd = openSync(path, 'a', PRIVATE_FILE_MODE);
    fchmodSync(fd, PRIVATE_FILE_MODE);
    this.stream = createWriteStream(path, { fd });
    // A failing disk must not take the supervisor down; the server's output is then lost.
    this.stream.on('error', () => undefined);
  }

  /** Append one line (a newline is added). Lines written after close are dropped. */
  write(line: string): void {
    if (this.closing === undefined) this.stream.write(`${line}\n`);
  }

  /** Flush what was written and close the file; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stream.destroyed) return;
      this.stream.end();
      await once(this.stream, 'close').catch(() => undefined);
    })();
    return this.closing;
  }
}
