/**
 * `kube-skew up`: start a cluster in a data directory, print a line containing `ready` when every
 * server is ready, take the live-cluster commands (`status`, `upgrade`, `kill`, …, `down`) on the
 * control socket of the data directory, say when a server exits unasked or the front door takes one
 * out or puts it back, and stop every server gracefully on SIGINT or SIGTERM, on `down`, or when the
 * process that started `up` goes away. `--detach` runs all this in the background.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster, parseServers } from './cluster.js';
import { parseLbPolicy } from './front-door.js';
import { watchParent } from './parent-lifeline.js';
import { DETACHED_ENV, runDetached } from './detach.js';
import { controlHandler } from './control/handler.js';
import { recordLastCluster } from './control/last-cluster.js';
import { listenControl, type ControlServer } from './control/server.js';
import { logFilePath } from './log-file.js';
import { prettyRecord } from './log-format.js';
import { checkUpOptions, DEFAULT_LB_POLICY, DEFAULT_LOG_LEVEL, DEFAULT_SERVERS, type UpOptions } from './up-options.js';

export { checkUpOptions, DEFAULT_SERVERS, type UpOptions } from './up-options.js';

/** How long `up` waits for control connections to finish once its cluster has stopped. */
const CONTROL_CLOSE_GRACE_MS = 5000;

/**
 * Run `up` until a signal arrives, `down` is asked on the control socket, or its parent process
 * exits; resolves with the exit code. With `opts.detach`, `args` (up's own command-line flags) start
 * the background `up`.
 */
export async function runUp(opts: UpOptions, args: readonly string[] = []): Promise<number> {
  if (opts.detach) {
    // Check the flags here, so a mistake is reported before anything runs in the background.
    checkUpOptions(opts, parseServers(opts.servers ?? DEFAULT_SERVERS).length);
    parseLbPolicy(opts.lbPolicy ?? DEFAULT_LB_POLICY);
    return runDetached(args, opts.dataDir);
  }
  const servers = parseServers(opts.servers ?? DEFAULT_SERVERS);
  const numbers = checkUpOptions(opts, servers.length);
  const lbPolicy = parseLbPolicy(opts.lbPolicy ?? DEFAULT_LB_POLICY);
  for (const item of opts.serverFlag ?? []) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq);
    const flag = item.slice(eq + 1);
    const server = servers.find((s) => s.name === name);
    if (eq < 0 || !flag.startsWith('--')) throw new Error(`--server-flag ${item}: expected <server>=--<flag>[=<value>], e.g. b=--runtime-config=batch/v1=false`);
    if (!server) throw new Error(`--server-flag ${item}: no server named "${name}" (servers: ${servers.map((s) => s.name).join(', ')})`);
    server.args = [...(server.args ?? []), flag];
  }
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : await mkdtemp(join(tmpdir(), 'kube-skew-'));
  const started = Date.now();
  // Signals are handled from the start, so a Ctrl-C at any moment stops every server it started.
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((r) => (requestStop = r));
  let stopping = false;
  const onSignal = (): void => {
    stopping = true;
    requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The background up of `--detach` has no parent to follow: `down` or a signal stops it.
  const unwatchParent =
    process.env[DETACHED_ENV] === '1'
      ? () => undefined
      : watchParent(() => {
          process.stderr.write('the process that started kube-skew up has exited; stopping the cluster\n');
          onSignal();
        });
  let stoppedCluster!: () => void;
  const clusterStopped = new Promise<void>((r) => (stoppedCluster = r));
  // Front-door changes are news once the cluster is ready, not while it starts.
  let announce = false;
  let control: ControlServer | undefined;
  try {
    process.stderr.write(`starting ${servers.length} server(s) in ${dataDir}: ${servers.map((s) => `${s.name}=${s.minor}`).join(', ')}\n`);
    const cluster = await Cluster.start({
      dataDir,
      servers,
      ...(opts.featureGates ? { featureGates: opts.featureGates } : {}),
      ...(opts.runtimeConfig ? { runtimeConfig: opts.runtimeConfig } : {}),
      ...numbers,
      logLevel: opts.logLevel ?? (opts.verbose ? 'info' : DEFAULT_LOG_LEVEL),
      lbPolicy,
      mvp: opts.mvp !== false,
      peerCaFile: opts.peerCaFile !== false,
      ...(opts.withSampleApiserver ? { sampleApiServer: true } : {}),
      ...(opts.store === 'etcd' ? { store: 'etcd' as const } : {}),
      ...(opts.etcdServers ? { etcdServers: opts.etcdServers.split(',').map((u) => u.trim()).filter(Boolean) } : {}),
      onServerLog: (name, line) => process.stderr.write(`[${name}] ${line}\n`),
      ...(opts.verbose ? { onServerRecord: (name: string, line: string) => process.stderr.write(`[${name}] ${process.stderr.isTTY ? prettyRecord(line, true) : line}\n`) } : {}),
      onServerExit: (name, pid, exit) => process.stderr.write(`server ${name} (pid ${pid}) exited unasked: ${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}\n`),
      onRotationChange: (c) => {
        if (announce) process.stderr.write(`front door: ${c.inRotation ? `put ${c.server} back` : `took ${c.server} out`}: ${c.reason}\n`);
      },
    });
    if (!stopping) {
      try {
        control = await listenControl(
          dataDir,
          controlHandler(cluster, {
            pid: process.pid,
            down: () => {
              onSignal();
              return clusterStopped;
            },
            log: (line) => process.stderr.write(`${line}\n`),
          }),
        );
        await recordLastCluster(dataDir);
      } catch (err) {
        process.stderr.write(`warning: no control channel, so status, upgrade, down and the other commands cannot reach this cluster: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      for (const [name, proc] of cluster.servers) {
        process.stdout.write(`  ${name.padEnd(8)} ${cluster.specs.get(name)?.minor.padEnd(6)} ${proc.info?.url}  ${proc.info?.id}  (pid ${proc.pid})\n`);
      }
      if (cluster.sample) process.stdout.write(`  sample-apiserver  wardle.example.com/v1alpha1  ${cluster.sample.proc.info?.url}  (pid ${cluster.sample.proc.pid})\n`);
      if (cluster.etcdServers.length > 0) process.stdout.write(`  store: etcd ${cluster.etcdServers.join(',')}${cluster.etcdLogPath ? `  (log: ${cluster.etcdLogPath})` : ''}\n`);
      process.stdout.write(`  logs: ${logFilePath(dataDir, '<server>')}  (kube-skew logs <server> --data-dir ${dataDir})\n`);
      process.stdout.write(`  front door (${opts.lbPolicy ?? DEFAULT_LB_POLICY}, context "skew")  ${cluster.frontDoorURL}\n`);
      process.stdout.write(`ready: ${servers.length} server(s) in ${Date.now() - started} ms; export KUBECONFIG=${cluster.kubeconfigPath}\n`);
      announce = true;
    }
    await stopRequested;
    announce = false;
    process.stderr.write('stopping…\n');
    await cluster.stop();
    stoppedCluster();
    return 0;
  } finally {
    if (control) await Promise.race([control.close(), new Promise((r) => setTimeout(r, CONTROL_CLOSE_GRACE_MS).unref())]);
    unwatchParent();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
