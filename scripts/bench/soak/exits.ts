/**
 * Every server process of the cluster followed to its end: an exit while the chaos was not acting
 * on that server (its SIGKILL, its stop for an upgrade) is a server that died unasked, whatever its
 * exit code, and is recorded with the last lines it wrote to stderr.
 */
import type { Cluster } from '../../../server/cluster/cluster.js';
import type { ServerProcess } from '../../../server/cluster/server-process.js';

/** One process exit the soak did not ask for. */
export interface UnaskedExit {
  server: string;
  pid: number;
  /** Milliseconds into the run. */
  at: number;
  code: number | null;
  signal: string | null;
  /** The end of what the process wrote to stderr. */
  stderr: string;
}

/** How often new processes (restarts, upgrades) are looked for. */
const LOOK_EVERY_MS = 50;

export class ExitWatch {
  readonly unasked: UnaskedExit[] = [];
  /** Exits the chaos asked for. */
  asked = 0;
  private readonly followed = new WeakSet<ServerProcess>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  /** `askedFor(server, at)` tells whether the soak itself was stopping or killing `server` at `at`. */
  constructor(
    private readonly cluster: Cluster,
    private readonly t0: () => number,
    private readonly askedFor: (server: string, at: number) => boolean,
  ) {
    this.look();
    this.timer = setInterval(() => this.look(), LOOK_EVERY_MS);
  }

  /** Stop following; exits from now on (the soak's own shutdown) are not counted. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private look(): void {
    for (const [name, proc] of this.cluster.servers) {
      if (this.followed.has(proc)) continue;
      this.followed.add(proc);
      proc.child.once('exit', (code, signal) => {
        if (this.stopped) return;
        const at = Date.now();
        if (this.askedFor(name, at)) {
          this.asked++;
          return;
        }
        this.unasked.push({ server: name, pid: proc.pid, at: at - this.t0(), code, signal, stderr: lastError(proc.errors) });
      });
    }
  }
}

/** The last error a process wrote to stderr (its first line and the frame that threw), or the last lines. */
export function lastError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const at = lines.findLastIndex((l) => /\w*Error\b/.test(l) && !/^\s+at /.test(l));
  return (at >= 0 ? lines.slice(at, at + 3) : lines.slice(-4)).join('\n');
}

/** One line per exit, for the report's examples. */
export function describeExit(e: UnaskedExit): string {
  const how = e.signal ? `signal ${e.signal}` : `code ${e.code}`;
  return `server ${e.server} (pid ${e.pid}) exited unasked (${how}) at +${(e.at / 1000).toFixed(1)} s${e.stderr ? `: ${e.stderr.replace(/\s+/g, ' ').slice(0, 400)}` : ''}`;
}
