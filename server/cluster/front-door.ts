/**
 * The front door: a TCP load balancer in front of the servers, as a real HA control plane has. TLS
 * passes through untouched (each server presents its own certificate), and each client connection
 * goes to one backend chosen by the policy: round-robin, random, or pinned to one server. A backend
 * is in the rotation while its supervisor reports an address (its process runs, has been seen ready
 * and is not shutting down) and, with a health check, while its `/readyz` keeps answering: like
 * HAProxy's `check` (the load balancer kubeadm's HA guide configures), a backend is taken out after
 * `fall` checks in a row fail (an answer other than 200, a transport error, or no answer within the
 * timeout, as from a paused server) and put back after `rise` checks in a row pass.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpsRequest, type ClientTLS } from './https-client.js';

/** How the front door picks a backend for a connection. */
export type LbPolicy = { kind: 'round-robin' } | { kind: 'random' } | { kind: 'pinned'; server?: string };

/** Parse `round-robin`, `random`, `pinned` or `pinned=<server>`. */
export function parseLbPolicy(text: string): LbPolicy {
  if (text === 'round-robin' || text === 'random') return { kind: text };
  if (text === 'pinned') return { kind: 'pinned' };
  if (text.startsWith('pinned=')) return { kind: 'pinned', server: text.slice('pinned='.length) };
  throw new Error(`--lb-policy: unknown policy "${text}": use round-robin, random, pinned or pinned=<server>`);
}

/**
 * Refuse a policy pinned to a server the cluster does not have, naming the servers it has (a front
 * door pinned to nobody would refuse every connection).
 */
export function checkLbPolicy(policy: LbPolicy, servers: readonly string[]): void {
  if (policy.kind === 'pinned' && policy.server !== undefined && !servers.includes(policy.server)) {
    throw new Error(`--lb-policy pinned=${policy.server}: no server named "${policy.server}" (servers: ${servers.join(', ')})`);
  }
}

/** A backend the front door can send connections to. */
export interface Backend {
  name: string;
  /** `host:port`, or undefined while the server is down. */
  address(): string | undefined;
  /**
   * Which process serves the address (its pid): a new one starts with a clean health record, as the
   * supervisor has just seen its `/readyz` answer 200.
   */
  instance?(): number | string;
}

/**
 * The health check: `GET https://<backend>/readyz` on a connection of its own, `intervalMs` after
 * the previous check of that backend ended, failed when it does not answer 200 within `timeoutMs`. The defaults are HAProxy's for a `check`
 * server line (`inter 2s`, `fall 3`, `rise 2`; without `timeout check` the timeout is `inter`).
 */
export interface HealthCheck {
  /** The CA that signs the servers' certificates (the check sends no client certificate). */
  tls: ClientTLS;
  intervalMs: number;
  timeoutMs: number;
  /** Failures in a row that take a backend out. */
  fall: number;
  /** Passes in a row that put it back. */
  rise: number;
}

/** HAProxy's defaults for a checked server: every 2 s, 2 s timeout, out after 3 failures, back after 2 passes. */
export const DEFAULT_HEALTH_CHECK: Omit<HealthCheck, 'tls'> = { intervalMs: 2000, timeoutMs: 2000, fall: 3, rise: 2 };

/** The path the health check asks. */
export const HEALTH_CHECK_PATH = '/readyz';

/** A backend entering or leaving the rotation. */
export interface RotationChange {
  server: string;
  inRotation: boolean;
  reason: string;
}

/** One backend as the front door sees it now. */
export interface BackendState {
  name: string;
  address?: string;
  inRotation: boolean;
  /** False once `fall` checks in a row failed, until `rise` pass. */
  healthy: boolean;
  /** The last check's outcome (`200`, `503`, `no answer within 2000 ms`, …), when one ran. */
  lastCheck?: string;
}

/** What the front door keeps per backend between checks. */
interface Health {
  instance: string;
  healthy: boolean;
  fails: number;
  passes: number;
  lastCheck?: string;
  checking: boolean;
  /** When the next check is due (ms since the epoch). */
  nextAt: number;
}

/** How often the front door looks for due checks and changes to report, in milliseconds. */
const TICK_MS = 100;

/** A running front door. */
export class FrontDoor {
  private next = 0;
  private readonly sockets = new Set<Socket>();
  private readonly health = new Map<string, Health>();
  /** Whether each backend was in the rotation when last reported to `onChange`. */
  private readonly reported = new Map<string, boolean>();
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    private readonly server: Server,
    private readonly backends: () => Backend[],
    readonly policy: LbPolicy,
    private readonly random: () => number,
    readonly healthCheck: HealthCheck | undefined,
    private readonly onChange: ((change: RotationChange) => void) | undefined,
  ) {}

  /**
   * Listen on `host:port` (0 picks a free port). With `healthCheck`, each backend's `/readyz` is
   * checked on its interval; `onChange` hears each backend entering or leaving the rotation.
   */
  static async listen(
    backends: () => Backend[],
    policy: LbPolicy,
    opts: { host?: string; port?: number; random?: () => number; healthCheck?: HealthCheck; onChange?: (change: RotationChange) => void } = {},
  ): Promise<FrontDoor> {
    const server = createServer();
    const door = new FrontDoor(server, backends, policy, opts.random ?? Math.random, opts.healthCheck, opts.onChange);
    server.on('connection', (socket) => door.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    // Checks run when due; supervisor-side changes (an exit, a stop) are reported at once, not at the next check.
    if (opts.healthCheck || opts.onChange) {
      door.timers.push(
        setInterval(() => {
          if (opts.healthCheck) door.checkDue();
          door.report();
        }, TICK_MS),
      );
    }
    for (const timer of door.timers) timer.unref();
    return door;
  }

  /** The health record of a backend's current instance (a new instance starts healthy). */
  private healthOf(b: Backend): Health {
    const instance = String(b.instance?.() ?? '');
    let h = this.health.get(b.name);
    if (!h || h.instance !== instance) {
      h = { instance, healthy: true, fails: 0, passes: 0, checking: false, nextAt: Date.now() + (this.healthCheck?.intervalMs ?? 0) };
      this.health.set(b.name, h);
    }
    return h;
  }

  /** True when a backend takes new connections now. */
  private inRotation(b: Backend): boolean {
    if (b.address() === undefined) return false;
    return !this.healthCheck || this.healthOf(b).healthy;
  }

  /** Start the check of every backend that has an address and whose check is due. */
  private checkDue(): void {
    const check = this.healthCheck!;
    for (const b of this.backends()) {
      const address = b.address();
      if (address === undefined) continue;
      const h = this.healthOf(b);
      if (h.checking || Date.now() < h.nextAt) continue;
      h.checking = true;
      void httpsRequest(`https://${address}${HEALTH_CHECK_PATH}`, { tls: check.tls, timeoutMs: check.timeoutMs, freshConnection: true })
        .then(
          (res) => (res.status === 200 ? undefined : `${res.status}`),
          (err: unknown) => (err instanceof Error ? err.message : String(err)),
        )
        .then((failure) => {
          h.checking = false;
          h.nextAt = Date.now() + check.intervalMs;
          h.lastCheck = failure ?? '200';
          if (failure === undefined) {
            h.fails = 0;
            h.passes++;
            if (!h.healthy && h.passes >= check.rise) h.healthy = true;
          } else {
            h.passes = 0;
            h.fails++;
            if (h.healthy && h.fails >= check.fall) h.healthy = false;
          }
          this.report();
        });
    }
  }

  /** Tell `onChange` about every backend whose place in the rotation changed since last seen (a backend seen first is not news). */
  private report(): void {
    if (!this.onChange) return;
    for (const b of this.backends()) {
      const now = this.inRotation(b);
      const was = this.reported.get(b.name);
      this.reported.set(b.name, now);
      if (was === undefined || was === now) continue;
      this.onChange({ server: b.name, inRotation: now, reason: this.reason(b, now) });
    }
  }

  private reason(b: Backend, now: boolean): string {
    const check = this.healthCheck;
    if (b.address() === undefined) return 'its process is not running, not yet ready, or shutting down';
    const h = this.healthOf(b);
    if (!check || (now && h.passes === 0)) return 'its process is ready';
    return now
      ? `${HEALTH_CHECK_PATH} answered 200 ${check.rise} times in a row`
      : `${HEALTH_CHECK_PATH} failed ${check.fall} times in a row (last: ${h.lastCheck})`;
  }

  /** Every backend with its place in the rotation and its health record. */
  states(): BackendState[] {
    return this.backends().map((b) => {
      const address = b.address();
      const h = address !== undefined ? this.healthOf(b) : undefined;
      return {
        name: b.name,
        ...(address !== undefined ? { address } : {}),
        inRotation: this.inRotation(b),
        healthy: h?.healthy ?? false,
        ...(h?.lastCheck !== undefined ? { lastCheck: h.lastCheck } : {}),
      };
    });
  }

  /** `https://127.0.0.1:<port>` */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `https://${address}:${port}`;
  }

  /** The backend a new connection goes to, or undefined when none is up. */
  pick(): Backend | undefined {
    const up = this.backends().filter((b) => this.inRotation(b));
    if (up.length === 0) return undefined;
    switch (this.policy.kind) {
      case 'random':
        return up[Math.floor(this.random() * up.length)];
      case 'pinned': {
        const name = this.policy.server;
        return name === undefined ? up[0] : up.find((b) => b.name === name);
      }
      default:
        return up[this.next++ % up.length];
    }
  }

  private accept(client: Socket): void {
    const backend = this.pick();
    const address = backend?.address();
    if (!backend || !address) {
      client.destroy();
      return;
    }
    const colon = address.lastIndexOf(':');
    const upstream = connect(Number(address.slice(colon + 1)), address.slice(0, colon).replace(/^\[|\]$/g, ''));
    this.sockets.add(client).add(upstream);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  }

  /** Stop accepting and close every connection. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
