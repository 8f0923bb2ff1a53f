/**
 * The front door: a TCP load balancer in front of the servers, as a real HA control plane has. TLS
 * passes through untouched (each server presents its own certificate), and each client connection
 * goes to one backend chosen by the policy: round-robin, random, or pinned to one server. Backends
 * whose process is down are skipped, as a health-checking load balancer would; a paused server is
 * still chosen, since it still accepts connections.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** How the front door picks a backend for a connection. */
export type LbPolicy = { kind: 'round-robin' } | { kind: 'random' } | { kind: 'pinned'; server?: string };

/** Parse `round-robin`, `random`, `pinned` or `pinned=<server>`. */
export function parseLbPolicy(text: string): LbPolicy {
  if (text === 'round-robin' || text === 'random') return { kind: text };
  if (text === 'pinned') return { kind: 'pinned' };
  if (text.startsWith('pinned=')) return { kind: 'pinned', server: text.slice('pinned='.length) };
  throw new Error(`--lb-policy: unknown policy "${text}": use round-robin, random, pinned or pinned=<server>`);
}

/** A backend the front door can send connections to. */
export interface Backend {
  name: string;
  /** `host:port`, or undefined while the server is down. */
  address(): string | undefined;
}

/** A running front door. */
export class FrontDoor {
  private next = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly backends: () => Backend[],
    private readonly policy: LbPolicy,
    private readonly random: () => number,
  ) {}

  /** Listen on `host:port` (0 picks a free port). */
  static async listen(backends: () => Backend[], policy: LbPolicy, opts: { host?: string; port?: number; random?: () => number } = {}): Promise<FrontDoor> {
    const server = createServer();
    const door = new FrontDoor(server, backends, policy, opts.random ?? Math.random);
    server.on('connection', (socket) => door.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    return door;
  }

  /** `https://127.0.0.1:<port>` */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `https://${address}:${port}`;
  }

  /** The backend a new connection goes to, or undefined when none is up. */
  pick(): Backend | undefined {
    const up = this.backends().filter((b) => b.address() !== undefined);
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
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
