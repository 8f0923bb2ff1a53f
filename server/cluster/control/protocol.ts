/**
 * The control channel between `kube-skew up` (the supervisor) and the commands that drive its
 * cluster (`status`, `stop`, `upgrade`, `down`, …): a Unix domain socket in the data directory,
 * readable and writable by its owner only, carrying one JSON request and one JSON response per
 * connection, each a single line.
 */
import { join } from 'node:path';
import type { BackendState, LbPolicy } from '../front-door.js';

/** The socket's file name in the data directory. */
export const CONTROL_SOCKET = 'control.sock';

/** The socket of the cluster in `dataDir`. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET);
}

/** What a server-addressed request does to the server. */
export type ServerVerb = 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'restart';

/** One request. */
export type ControlRequest =
  | { verb: 'status' }
  | { verb: 'down' }
  | { verb: Exclude<ServerVerb, 'restart'>; server: string }
  /** `direction` checks the change of minor: an upgrade must go to a newer minor, a downgrade to an older one. */
  | { verb: 'restart'; server: string; minor?: string; direction?: 'upgrade' | 'downgrade' };

/** One response: `ok` with a message (and the status for `status`), or an error to show as is. */
export type ControlResponse = { ok: true; message: string; status?: ClusterStatus; pid?: number } | { ok: false; error: string };

/** A server's state as `status` shows it. */
export type ServerState = 'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'killed' | 'exited';

/** One server in `status`. */
export interface ServerStatus {
  name: string;
  minor: string;
  /** The pid of the current (or last) process, 0 when it never started. */
  pid: number;
  state: ServerState;
  /** `/readyz` answered 200 when status asked (false when paused, stopped or not answering). */
  ready: boolean;
  /** The holder identity of the server's identity lease (`apiserver-…_<uuid>`), or its APIServerID when the lease could not be read. */
  identity: string;
  url: string;
  /** The Mixed Version Proxy's feature gate: on, off, or absent at the minor. */
  proxyGate: 'on' | 'off' | 'absent';
  /** Whether the front door sends new connections to this server now. */
  inRotation: boolean;
  /** How the last exit ended, for an exited or stopped server. */
  exit?: { code: number | null; signal: string | null };
}

/** The front door in `status`. */
export interface FrontDoorStatus {
  url: string;
  policy: LbPolicy;
  healthCheck?: { path: string; intervalMs: number; timeoutMs: number; fall: number; rise: number };
  backends: BackendState[];
}

/** What `status` answers. */
export interface ClusterStatus {
  dataDir: string;
  /** The pid of `kube-skew up`. */
  pid: number;
  kubeconfig: string;
  frontDoor: FrontDoorStatus;
  servers: ServerStatus[];
}
