/**
 * Starting and stopping the bare baseline server ({@link ./bare-server.ts}) as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BareServerConfig } from './bare-server.js';

const ENTRY = fileURLToPath(new URL('./bare-server.js', import.meta.url));

/** A running bare server child. */
export class BareProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** `https://127.0.0.1:<port>` */
    readonly url: string,
  ) {}

  /** Spawns the bare server with `config` and resolves once it listens; rejects if it exits first. */
  static async start(config: BareServerConfig): Promise<BareProcess> {
    const child = spawn(process.execPath, [ENTRY, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    const port = await new Promise<number>((resolve, reject) => {
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line) as { event?: string; port?: number };
          if (msg.event === 'listening' && msg.port) resolve(msg.port);
        } catch {
          /* not a status line */
        }
      });
      child.once('exit', (code) => reject(new Error(`bare server exited with code ${code}: ${stderr.trim()}`)));
    });
    return new BareProcess(child, `https://127.0.0.1:${port}`);
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Stops the server with SIGTERM and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
