/**
 * One `kube-skew apiserver` (or `kube-skew sample-apiserver`) child process: spawned with its flags, followed through its
 * `listening` line and `/readyz`, and stopped (SIGTERM), killed (SIGKILL), paused (SIGSTOP) or
 * resumed (SIGCONT) on demand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { httpsRequest, type ClientTLS } from './https-client.js';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LogFile, stderrRecord } from './log-file.js';

/** The CLI entry point the child runs. */
export const CLI_PATH = fileURLToPath(new URL('../../scripts/cli.js', import.meta.url));

/** What a started child reported. */
export interface ListeningInfo {
  url: string;
  port: number;
  minor: string;
  pid: number;
  /** The APIServerID. */
  id: string;
}

/** How a child ended: its exit code, or the signal that ended it. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** TLS material used to poll a server's health. */
export type ProbeTLS = ClientTLS;

/** GET `url` with `tls`; resolves with the status code and body, or rejects on a transport error. */
export async function probe(url: string, tls: ProbeTLS, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  const res = await httpsRequest(url, { tls, timeoutMs });
  return { status: res.status, body: res.text };
}

/** How a server child is started. */
export interface ServerProcessOptions {
  env?: NodeJS.ProcessEnv;
  onStderr?: (line: string) => void;
  verb?: 'apiserver' | 'sample-apiserver';
  /** Run it inside this network namespace (`ip netns exec`), as on a host of its own. */
  netns?: string;
  /** The address this process reaches it at (its `info.url` and health probes); default the URL it reports. */
  reachAt?: string;
  /** Append the server's log records (its standard output but the `listening` line, and its standard error as records) to this file. */
  logFile?: string;
  /** Called with each log record (a line of pino JSON) the server prints. */
  onLog?: (line: string) => void;
}

/** A running server child. */
export class ServerProcess {
  readonly child: ChildProcess;
  private listening: Promise<ListeningInfo>;
  private exited: Promise<number | null>;
  /** Resolves when the child has exited, with its code or signal. */
  readonly exit: Promise<ExitInfo>;
  private stderr = '';
  /** The server's log file, when it has one; closed once both output streams have ended. */
  private readonly logFile: LogFile | undefined;
  private readonly outputDone: Promise<void>;
  info: ListeningInfo | undefined;
  /** True between pause() and resume() (or the stop that thaws it). */
  paused = false;
  /** True once stop() or kill() was called: an exit after that was asked for. */
  stopAsked = false;

  constructor(
    readonly name: string,
    readonly args: string[],
    opts: ServerProcessOptions = {},
  ) {
    // Opened first: a file that cannot be opened fails the start before any process exists.
    this.logFile = opts.logFile ? new LogFile(opts.logFile) : undefined;
    // Standard input is the server's lifeline: it closes when this process dies, however it dies.
    const command = [process.execPath, CLI_PATH, opts.verb ?? 'apiserver', '--exit-with-stdin', ...args];
    // `ip netns exec` enters the namespace and execs the command: the child's pid and pipes are the server's own.
    if (opts.netns) command.unshift('ip', 'netns', 'exec', opts.netns);
    this.child = spawn(command[0]!, command.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    this.exit = once(this.child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    this.exited = this.exit.then((e) => e.code);
    const lines = createInterface({ input: this.child.stdout! });
    this.listening = new Promise((resolve, reject) => {
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line) as { event?: string } & ListeningInfo;
          if (msg.event === 'listening') {
            // A server on a host of its own is reached at that host's address, not at the one it reports.
            const url = opts.reachAt ? `https://${opts.reachAt.includes(':') ? `[${opts.reachAt}]` : opts.reachAt}:${msg.port}` : msg.url;
            this.info = { url, port: msg.port, minor: msg.minor, pid: msg.pid, id: msg.id };
            resolve(this.info);
            return;
          }
        } catch {
          /* not a status line */
        }
        this.logFile?.write(line);
        opts.onLog?.(line);
      });
      void this.exited.then((code) => reject(new Error(`server ${name} exited with code ${code} before listening: ${this.stderr.trim()}`)));
    });
    const errLines = createInterface({ input: this.child.stderr! });
    errLines.on('line', (line) => {
      if (this.stderr.length < 16_384) this.stderr += `${line}\n`;
      this.logFile?.write(stderrRecord(name, line));
      opts.onStderr?.(line);
    });
    this.outputDone = Promise.all([once(lines, 'close'), once(errLines, 'close')]).then(() => this.logFile?.close());
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** True until the process exits. */
  /** Set once `/readyz` has answered 200 (see whenReady): what a load balancer's health check waits for. */
  ready = false;

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when the child listens. */
  whenListening(): Promise<ListeningInfo> {
    return this.listening;
  }

  /** Resolves when `/readyz` answers 200, polling every 50 ms. */
  async whenReady(tls: ProbeTLS, timeoutMs = 30_000): Promise<ListeningInfo> {
    const info = await this.listening;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`server ${this.name} exited: ${this.stderr.trim()}`);
      try {
        const res = await probe(`${info.url}/readyz`, tls);
        if (res.status === 200) {
          this.ready = true;
          return info;
        }
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`server ${this.name} not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stop gracefully with SIGTERM (SIGKILL after `graceMs`), out of the front door's rotation at once; resolves with the exit code. */
  async stop(graceMs = 10_000): Promise<number | null> {
    this.stopAsked = true;
    if (!this.alive) {
      await this.flushed();
      return this.exited;
    }
    // /readyz fails from the first moment of a graceful shutdown: the front door, like a
    // health-checking load balancer, sends no new connection to a server on its way out (a real one
    // notices within its probe interval, which upstream covers with --shutdown-delay-duration).
    this.ready = false;
    this.paused = false;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    await this.flushed();
    return code;
  }

  /** Kill with SIGKILL, as a crash. */
  async kill(): Promise<void> {
    this.stopAsked = true;
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
    await this.flushed();
  }

  /** Resolves once the child's output has been read to its end and its log file is closed (bounded: a stray holder of the pipes cannot hang a stop). */
  private async flushed(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.outputDone, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
  }

  /** Freeze the process (SIGSTOP). */
  pause(): void {
    if (!this.alive) return;
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** Thaw the process (SIGCONT). */
  resume(): void {
    if (!this.alive) return;
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** What the child wrote to stderr so far (bounded). */
  get errors(): string {
    return this.stderr;
  }
}
