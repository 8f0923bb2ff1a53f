/**
 * `kube-skew logs SERVER [-f] [--data-dir DIR]`: print a server's log file
 * (`<data-dir>/logs/<server>.log`): formatted for a person when standard output is a terminal, the
 * JSON lines as written otherwise; with `follow`, keep printing what is appended, as `tail -f` does,
 * until the process is interrupted.
 */
import { existsSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { logFilePath, logsDir } from './log-file.js';
import { prettyRecord } from './log-format.js';
import { resolveDataDir } from './control/last-cluster.js';

/** Options of `logs`, as the CLI parses them. */
export interface LogsOptions {
  server: string;
  follow?: boolean;
  dataDir?: string;
}

/** Where the output goes and how it is shown; the CLI passes standard output. */
export interface LogsOutput {
  write(text: string): unknown;
  /** A stream's error event: a reader that went away (`kube-skew logs a | head`) ends the command quietly. */
  on?(event: 'error', listener: (err: Error) => void): unknown;
  /** True on a terminal: records are formatted and coloured. */
  isTTY?: boolean;
}

/** How often a followed file is checked for new lines. */
const FOLLOW_INTERVAL_MS = 200;


/** The servers that have a log file in `dataDir`, sorted. */
export async function loggedServers(dataDir: string): Promise<string[]> {
  if (!existsSync(logsDir(dataDir))) return [];
  return (await readdir(logsDir(dataDir)))
    .filter((f) => f.endsWith('.log'))
    .map((f) => f.slice(0, -'.log'.length))
    .sort();
}

/** Splits appended text into whole lines, keeping a trailing partial line until it is completed. */
class LineSplitter {
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');

  /** The lines completed by `bytes` (a character split between two reads is kept whole). */
  push(bytes: Buffer): string[] {
    const lines = (this.rest + this.decoder.write(bytes)).split('\n');
    this.rest = lines.pop() ?? '';
    return lines;
  }

  /** What is left after the last newline. */
  end(): string {
    return this.rest + this.decoder.end();
  }
}

/** Run `logs`; resolves with the exit code (never, while following). Throws a one-line error for an unknown server. */
export async function runLogs(opts: LogsOptions, out: LogsOutput = process.stdout): Promise<number> {
  const dataDir = await resolveDataDir(opts.dataDir);
  const path = logFilePath(dataDir, opts.server);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.server) || !existsSync(path)) {
    const names = await loggedServers(dataDir);
    if (names.length === 0) throw new Error(`no server logs in ${dataDir}: expected ${logsDir(dataDir)}/<server>.log, as kube-skew up writes them`);
    throw new Error(`no server named "${opts.server}" has a log in ${dataDir} (servers: ${names.join(', ')})`);
  }
  const print = (line: string): void => {
    out.write(`${out.isTTY ? prettyRecord(line, true) : line}\n`);
  };
  let readerGone = false;
  out.on?.('error', () => (readerGone = true));
  const file = await open(path, 'r');
  try {
    const lines = new LineSplitter();
    let offset = 0;
    const buffer = Buffer.alloc(64 * 1024);
    const drain = async (): Promise<void> => {
      while (!readerGone) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) return;
        offset += bytesRead;
        for (const line of lines.push(buffer.subarray(0, bytesRead))) print(line);
      }
    };
    await drain();
    if (!opts.follow || readerGone) {
      const last = lines.end();
      if (last !== '') print(last);
      return 0;
    }
    while (!readerGone) {
      await new Promise((r) => setTimeout(r, FOLLOW_INTERVAL_MS));
      // A file made shorter (truncated by hand) is read again from its start.
      if ((await stat(path)).size < offset) offset = 0;
      await drain();
    }
    return 0;
  } finally {
    await file.close();
  }
}
