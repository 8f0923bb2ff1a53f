/**
 * `kube-skew apiserver <flags>`: parse kube-apiserver-style flags (`--name=value` or `--name value`,
 * unknown flags refused as cobra does), start one server, print one machine-readable line when it
 * listens and another when it is ready, and stop gracefully on SIGTERM or SIGINT.
 */
import { ConfigError, DEFAULT_DURATIONS, parseServerConfig, type ServerFlags } from './config.js';
import { startApiServer } from './apiserver.js';

/** One flag of `kube-skew apiserver`: its name, whether it takes a value, and its help text. */
interface FlagSpec {
  name: string;
  help: string;
  boolean?: boolean;
  /** A map flag (`key=value,…`): repeated occurrences add up, as pflag's map flags do. */
  map?: boolean;
}

const durationFlags: FlagSpec[] = Object.keys(DEFAULT_DURATIONS).map((key) => ({
  name: key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
  help: `kube-skew: override the ${key} default (${DEFAULT_DURATIONS[key as keyof typeof DEFAULT_DURATIONS]})`,
}));

/** Every flag the apiserver command accepts. */
export const APISERVER_FLAGS: FlagSpec[] = [
  { name: 'emulated-version', help: 'The Kubernetes minor this server acts as, e.g. 1.32 or kube=1.32.' },
  { name: 'secure-port', help: 'The port on which to serve HTTPS (0 picks a free port). Default 6443.' },
  { name: 'bind-address', help: 'The IP address on which to listen. Default 0.0.0.0.' },
  { name: 'advertise-address', help: 'The IP address on which to advertise the apiserver to members of the cluster.' },
  { name: 'tls-cert-file', help: 'File containing the default x509 certificate for HTTPS; self-signed when absent.' },
  { name: 'tls-private-key-file', help: 'File containing the default x509 private key matching --tls-cert-file.' },
  { name: 'cert-dir', help: 'The directory where self-signed TLS certificates are written.' },
  { name: 'client-ca-file', help: 'Authenticate client certificates signed by one of these CAs.' },
  { name: 'requestheader-client-ca-file', help: 'Root certificate bundle that verifies front-proxy client certificates before trusting X-Remote-* headers.' },
  { name: 'requestheader-allowed-names', help: 'Client certificate common names allowed to provide usernames in request headers (empty: any).' },
  { name: 'requestheader-username-headers', help: 'Request headers to inspect for usernames. Default X-Remote-User.' },
  { name: 'requestheader-group-headers', help: 'Request headers to inspect for groups. Default X-Remote-Group.' },
  { name: 'requestheader-extra-headers-prefix', help: 'Request header prefixes to inspect. Default X-Remote-Extra-.' },
  { name: 'proxy-client-cert-file', help: 'Client certificate used to prove the identity of this server when proxying to a peer.' },
  { name: 'proxy-client-key-file', help: 'Private key for --proxy-client-cert-file.' },
  { name: 'peer-ca-file', help: 'CA bundle used to verify the serving certificates of peer kube-apiservers.' },
  { name: 'peer-advertise-ip', help: 'The IP peers use to reach this server when proxying.' },
  { name: 'peer-advertise-port', help: 'The port peers use to reach this server when proxying.' },
  { name: 'feature-gates', help: 'A set of key=value pairs that describe feature gates for alpha/experimental features.', map: true },
  { name: 'runtime-config', help: 'A set of key=value pairs that enable or disable built-in APIs (api/all, api/beta, <group>/<version>).', map: true },
  { name: 'anonymous-auth', help: 'Enables anonymous requests to the secure port. Default true.', boolean: true },
  { name: 'service-account-issuer', help: 'Identifier of the service account token issuer; repeat it to accept several (the first one signs). Default none: no token subresource and no service account token authentication.', map: true },
  { name: 'service-account-key-file', help: 'File containing PEM-encoded public keys (or private keys) used to verify ServiceAccount tokens; repeatable.', map: true },
  { name: 'service-account-signing-key-file', help: 'Path to the file that contains the current private key of the service account token issuer.' },
  { name: 'service-account-max-token-expiration', help: 'The maximum validity duration of a token created by the service account token issuer (0: no maximum).' },
  { name: 'service-account-extend-token-expiration', help: 'Turns on projected service account expiration extension during token generation. Default true.', boolean: true },
  { name: 'api-audiences', help: 'Identifiers of the API; defaults to the first --service-account-issuer.', map: true },
  { name: 'storage-path', help: 'kube-skew: the SQLite file shared by every server of the cluster (required unless --etcd-servers is given).' },
  { name: 'etcd-servers', help: 'List of etcd servers to connect with (scheme://ip:port), comma separated. kube-skew: when set, the store is etcd instead of the --storage-path SQLite file.' },
  { name: 'etcd-prefix', help: 'The prefix to prepend to all resource paths in etcd. Default /registry.' },
  { name: 'etcd-cafile', help: 'SSL Certificate Authority file used to secure etcd communication.' },
  { name: 'etcd-certfile', help: 'SSL certification file used to secure etcd communication.' },
  { name: 'etcd-keyfile', help: 'SSL key file used to secure etcd communication.' },
  { name: 'server-name', help: 'kube-skew: this server\'s name; stands in for its host name (the identity lease is derived from it).' },
  { name: 'time-scale', help: 'kube-skew: run every lease, GC and timeout this many times faster. Default 1.' },
  { name: 'time-origin', help: 'kube-skew: milliseconds since the epoch that scaled time starts from; a cluster passes one value to every server.' },
  { name: 'clock-file', help: 'kube-skew: a JSON clock anchor {"wall","time","scale"} (ms, ms, factor) that the server follows as it changes; overrides --time-scale/--time-origin. A cluster writes one for all its servers.' },
  { name: 'random-seed', help: 'kube-skew: seed the random peer choice so a run can be replayed.' },
  { name: 'exit-with-stdin', help: 'kube-skew: stop gracefully when standard input closes, so that a supervisor\'s death (a cluster, a scenario, a test) takes its servers with it.', boolean: true },
  { name: 'log-level', help: 'kube-skew: pino log level (silent, error, warn, info, debug). Default warn.' },
  { name: 'controllers', help: 'kube-skew: controllers this server runs while it holds the kube-controller-manager lease (namespace,garbagecollector,deployment,root-ca-cert-publisher,serviceaccount,clusterrole-aggregation; default all; empty: never leads).' },
  { name: 'root-ca-file', help: 'kube-controller-manager\'s flag, for the controllers run in this server: if set, this root certificate authority will be included in every namespace\'s kube-root-ca.crt ConfigMap. Default: the CA the controllers\' client trusts (--peer-ca-file, else this server\'s serving certificate).' },
  { name: 'service-cluster-ip-range', help: 'A CIDR notation IP range from which to assign service cluster IPs (two, comma-separated, of different families for dual-stack). Default 10.0.0.0/24.' },
  { name: 'service-node-port-range', help: 'A port range to reserve for services with NodePort visibility. This must not overlap with the ephemeral port range on nodes. Example: \'30000-32767\'. Inclusive at both ends of the range. Default 30000-32767.' },
  { name: 'controllers-via', help: 'kube-skew: https://host:port the controllers talk to (e.g. a load balancer); default this server\'s own port.' },
  { name: 'authorization-mode', help: 'Ordered list of plug-ins to do authorization on secure port. Defaults to AlwaysAllow. Comma-delimited list of: AlwaysAllow,AlwaysDeny,ABAC,Webhook,RBAC,Node (kube-skew simulates AlwaysAllow, AlwaysDeny and RBAC).' },
  { name: 'authorization-policy-file', help: 'kube-skew: JSON or YAML list of allow rules {user|group, verbs, apiGroups, resources, namespaces, nonResourceURLs}, asked after the --authorization-mode authorizers; with no --authorization-mode the file alone decides.' },
  { name: 'apiserver-count', help: 'The number of apiservers running in the cluster, must be a positive number. (In use when --endpoint-reconciler-type=master-count is enabled.) Default 1. Above 1, a CRD is established 5 s after its names are accepted.' },
  { name: 'max-requests-inflight', help: 'The maximum number of non-mutating requests in flight at a given time; a zero value disables the limit completely. Default 400.' },
  { name: 'max-mutating-requests-inflight', help: 'The maximum number of mutating requests in flight at a given time; a zero value disables the limit completely. Default 200.' },
  { name: 'request-timeout', help: 'An optional field indicating the duration a handler must keep a request open before timing it out. This is the default request timeout for requests. Default 1m0s.' },
  { name: 'max-watches-per-user', help: 'kube-skew: the maximum number of concurrent watches one user (system:masters aside) may hold on this server; beyond it a watch gets 429 with Retry-After: 1. Bounds what one client can pin (sockets, subscriptions); 1000 is far above what a controller manager or kubelet opens. 0 disables. Default 1000.' },
  { name: 'read-header-timeout', help: 'kube-skew: how long a connection may take for its TLS handshake and a request\'s headers before it is closed (upstream\'s fixed http.Server ReadHeaderTimeout). Wall time, not scaled. Default 32s.' },
  { name: 'idle-timeout', help: 'kube-skew: how long an idle keep-alive connection is kept (upstream\'s fixed http.Server IdleTimeout). Wall time, not scaled. Default 90s.' },
  { name: 'write-stall-timeout', help: 'kube-skew: close a connection whose response output has stayed unsent this long (a client that stopped reading; Node would buffer its answers in memory). 0 disables. Wall time, not scaled. Default 1m0s.' },
  { name: 'etcd-compaction-interval', help: 'The interval of compaction requests. If 0, the compaction request from apiserver is disabled. Default 5m0s. kube-skew: on the server\'s scaled clock; the servers of a cluster take turns as kube-apiservers sharing one etcd do.' },
  ...durationFlags,
];

/** A usage error, printed as cobra prints one. */
export class FlagError extends Error {}

/** Parse kube-apiserver-style arguments into flag values. */
export function parseFlags(argv: string[], specs: FlagSpec[] = APISERVER_FLAGS): ServerFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags: ServerFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new FlagError(`unknown command "${arg}" for "kube-skew apiserver"`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = byName.get(name);
    if (!spec) throw new FlagError(`unknown flag: --${name}`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (spec.boolean) value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new FlagError(`flag needs an argument: --${name}`);
      value = next;
      i++;
    }
    const previous = flags[name];
    flags[name] = spec.map && typeof previous === 'string' && previous !== '' ? `${previous},${value}` : value;
  }
  return flags;
}

/** Help text of `kube-skew apiserver`. */
export function apiserverHelp(): string {
  const width = Math.max(...APISERVER_FLAGS.map((f) => f.name.length)) + 4;
  const lines = APISERVER_FLAGS.map((f) => `  --${f.name.padEnd(width)}${f.help}`);
  return `Usage: kube-skew apiserver [flags]\n\nRun one simulated kube-apiserver of a given minor over a shared SQLite store.\n\nFlags:\n${lines.join('\n')}\n\nExample:\n  kube-skew apiserver --emulated-version=1.32 --secure-port=0 --bind-address=127.0.0.1 --storage-path=/tmp/skew/store.db\n`;
}

/** Run the apiserver command; resolves with the process exit code once the server has stopped. */
export async function runApiserver(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(apiserverHelp());
    return 0;
  }
  let server;
  let exitWithStdin = false;
  try {
    const flags = parseFlags(argv);
    exitWithStdin = flags['exit-with-stdin'] === 'true';
    const config = parseServerConfig(flags);
    server = await startApiServer(config);
  } catch (err) {
    if (err instanceof FlagError || err instanceof ConfigError || (err as { code?: string }).code !== undefined) {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url, port: server.port, minor: server.profile.minor, pid: process.pid, id: server.id })}\n`);
  const running = server;
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      // A lifeline still read would keep the process alive after the server has closed.
      if (exitWithStdin) process.stdin.off('end', stop).off('error', stop).destroy();
      void running.close().then(() => resolve(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    if (exitWithStdin) {
      process.stdin.on('end', stop).on('error', stop).resume();
    }
  });
}
