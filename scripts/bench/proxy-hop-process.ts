/**
 * Starting and stopping the bare proxy hop ({@link ./proxy-hop.ts}) as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProxyHopConfig } from './proxy-hop.js';

const ENTRY = fileURLToPath(new URL('./proxy-hop.js', import.meta.url));

/** A running bare proxy hop child. */
export class ProxyHopProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** `https://127.0.0.1:<port>` */
    readonly url: string,
  ) {}

  /** Spawns the hop with `config` and resolves once it listens; rejects if it exits first. */
  static async start(config: ProxyHopConfig): Promise<ProxyHopProcess> {
    const child = spawn(process.execPath, [ENTRY, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      child.once('exit', (code) => reject(new Error(`proxy hop exited with code ${code}: ${stderr.trim()}`)));
    });
    return new ProxyHopProcess(child, `https://127.0.0.1:${port}`);
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Stops the hop with SIGTERM and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
