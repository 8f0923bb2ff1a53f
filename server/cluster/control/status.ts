/**
 * A running cluster's status, as `kube-skew status` shows it: each server's minor, pid, state,
 * readiness (its `/readyz` asked now), identity lease holder, URL and proxy gate, and the front
 * door with its policy, health check and rotation.
 */
import { parseFeatureGates } from '../../../versions/features.js';
import { IDENTITY_LABEL, IDENTITY_LABEL_VALUE, LEASE_NAMESPACE } from '../../peers/identity-lease.js';
import { MVP_GATE } from '../../peers/peers.js';
import type { Cluster } from '../cluster.js';
import { HEALTH_CHECK_PATH } from '../front-door.js';
import { httpsRequest } from '../https-client.js';
import type { ServerProcess } from '../server-process.js';
import type { ClusterStatus, ServerState, ServerStatus } from './protocol.js';

/** How long status waits for one server's answer. */
const STATUS_PROBE_TIMEOUT_MS = 2000;

/** The state of a server's current process (a server never started is stopped; `killed` was killed through the cluster, `exited` ended unasked). */
export function serverState(proc: ServerProcess | undefined): ServerState {
  if (!proc) return 'stopped';
  if (!proc.alive) return !proc.stopAsked ? 'exited' : proc.child.signalCode === 'SIGKILL' ? 'killed' : 'stopped';
  if (proc.stopAsked) return 'stopping';
  if (proc.paused) return 'paused';
  return proc.ready ? 'running' : 'starting';
}

/** The proxy gate as the server's own `--feature-gates` flags set it (the flag merges when repeated). */
export function proxyGate(args: readonly string[], minor: string): ServerStatus['proxyGate'] {
  const value = args.filter((a) => a.startsWith('--feature-gates=')).map((a) => a.slice('--feature-gates='.length)).join(',');
  try {
    const gates = parseFeatureGates(value, minor).values;
    if (!gates.has(MVP_GATE)) return 'absent';
    return gates.get(MVP_GATE) ? 'on' : 'off';
  } catch {
    return 'absent';
  }
}

/** The holder identity of every kube-apiserver identity lease, by lease name, read through a running server. */
async function identityHolders(cluster: Cluster): Promise<Map<string, string>> {
  const holders = new Map<string, string>();
  const via = [...cluster.servers.values()].find((p) => p.alive && p.ready && !p.paused && !p.stopAsked && p.info);
  if (!via?.info) return holders;
  const selector = encodeURIComponent(`${IDENTITY_LABEL}=${IDENTITY_LABEL_VALUE}`);
  try {
    const res = await httpsRequest(`${via.info.url}/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases?labelSelector=${selector}`, {
      tls: cluster.tls,
      timeoutMs: STATUS_PROBE_TIMEOUT_MS,
      freshConnection: true,
    });
    for (const lease of (res.json?.items ?? []) as Array<{ metadata?: { name?: string }; spec?: { holderIdentity?: string } }>) {
      if (lease.metadata?.name && lease.spec?.holderIdentity) holders.set(lease.metadata.name, lease.spec.holderIdentity);
    }
  } catch {
    /* the identities fall back to the APIServerIDs */
  }
  return holders;
}

/** True when the server's `/readyz` answers 200 now. */
async function readyNow(cluster: Cluster, proc: ServerProcess): Promise<boolean> {
  if (!proc.alive || proc.paused || !proc.info) return false;
  try {
    const res = await httpsRequest(`${proc.info.url}${HEALTH_CHECK_PATH}`, { tls: cluster.tls, timeoutMs: STATUS_PROBE_TIMEOUT_MS, freshConnection: true });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The status of `cluster`, supervised by process `pid`. */
export async function clusterStatus(cluster: Cluster, pid: number): Promise<ClusterStatus> {
  const [holders, servers] = await Promise.all([
    identityHolders(cluster),
    Promise.all(
      [...cluster.specs.values()].map(async (spec) => {
        const proc = cluster.servers.get(spec.name);
        return { spec, proc, ready: proc ? await readyNow(cluster, proc) : false };
      }),
    ),
  ]);
  const door = new Map(cluster.frontDoorStates().map((b) => [b.name, b]));
  const config = cluster.frontDoorConfig;
  return {
    dataDir: cluster.options.dataDir,
    pid,
    kubeconfig: cluster.kubeconfigPath,
    frontDoor: {
      url: cluster.frontDoorURL,
      policy: config?.policy ?? { kind: 'round-robin' },
      ...(config?.healthCheck ? { healthCheck: { path: HEALTH_CHECK_PATH, ...config.healthCheck } } : {}),
      backends: [...door.values()],
    },
    servers: servers.map(({ spec, proc, ready }): ServerStatus => {
      const state = serverState(proc);
      const id = proc?.info?.id ?? '';
      return {
        name: spec.name,
        minor: spec.minor,
        pid: proc?.pid ?? 0,
        state,
        ready,
        identity: holders.get(id) ?? id,
        url: proc?.info?.url ?? '',
        proxyGate: proxyGate(cluster.argsFor(spec), spec.minor),
        inRotation: door.get(spec.name)?.inRotation ?? false,
        ...(proc && !proc.alive ? { exit: { code: proc.child.exitCode, signal: proc.child.signalCode } } : {}),
      };
    }),
  };
}

/** The status as a table for a terminal. */
export function formatStatus(status: ClusterStatus): string {
  const rows = [
    ['SERVER', 'MINOR', 'PID', 'STATE', 'READY', 'FRONT-DOOR', 'PROXY-GATE', 'IDENTITY', 'URL'],
    ...status.servers.map((s) => [
      s.name,
      s.minor,
      s.pid ? String(s.pid) : '-',
      s.state === 'exited' && s.exit ? `exited (${s.exit.signal ?? `code ${s.exit.code}`})` : s.state,
      s.ready ? 'yes' : 'no',
      s.inRotation ? 'in' : 'out',
      s.proxyGate,
      s.identity || '-',
      s.url || '-',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  const fd = status.frontDoor;
  const policy = fd.policy.kind === 'pinned' && fd.policy.server ? `pinned=${fd.policy.server}` : fd.policy.kind;
  const check = fd.healthCheck
    ? `; health check GET ${fd.healthCheck.path} every ${fd.healthCheck.intervalMs} ms, timeout ${fd.healthCheck.timeoutMs} ms, out after ${fd.healthCheck.fall} failures, back after ${fd.healthCheck.rise} passes`
    : '';
  lines.push('', `front door: ${fd.url} (${policy}${check})`, `kube-skew up: pid ${status.pid}; export KUBECONFIG=${status.kubeconfig}`);
  return `${lines.join('\n')}\n`;
}
