/**
 * A benchmark baseline run as its own child process (the bare server, the bare proxy hop): spawned
 * with its JSON config as the only argument, ready once it prints `{"event":"listening","port":…}`,
 * stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A running baseline child. */
export class BenchChild {
  private constructor(
    private readonly child: ChildProcess,
    /** `https://127.0.0.1:<port>` */
    readonly url: string,
  ) {}

  /** Spawns `entry` (a compiled script) with `config` and resolves once it listens; rejects if it exits first. */
  static async start(entry: string, config: unknown, label: string): Promise<BenchChild> {
    const child = spawn(process.execPath, [entry, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const msg = JSON.parse(line) as { event?: string; port?: number };
          if (msg.event === 'listening' && msg.port) resolve(msg.port);
        } catch {
          /* not a status line */
        }
      });
      child.once('exit', (code) => reject(new Error(`${label} exited with code ${code}: ${stderr.trim()}`)));
    });
    return new BenchChild(child, `https://127.0.0.1:${port}`);
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Stops the child with SIGTERM and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
