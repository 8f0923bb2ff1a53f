/**
 * The configuration of one simulated kube-apiserver and its validation. Flag names, defaults and
 * startup errors are kube-apiserver's where it has the flag; storage and timing flags are
 * kube-skew's own. `parseServerConfig` turns parsed flag values into a ServerConfig or throws a
 * ConfigError whose message is what kube-apiserver would print.
 */
import { isIP } from 'node:net';
import type { ClockAnchor } from './clock.js';
import { readClockFile } from './clock-file.js';
import { DurationError, parseGoDuration } from './http/duration.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_READ_HEADER_TIMEOUT_MS, DEFAULT_WRITE_STALL_TIMEOUT_MS } from './http/serving.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './filters/request-timeout.js';
import { DEFAULT_MAX_WATCHES_PER_USER } from './filters/watch-limit.js';
import { firstAddress } from './controlplane/service-ip.js';
import { parseCidr, type Cidr } from './registry/service/cidr.js';
import { DEFAULT_NODE_PORT_RANGE, parsePortRange, type PortRange } from './registry/service/port-allocator.js';
import { authorizationModeErrors, DEFAULT_AUTHORIZATION_MODES } from './authz/modes.js';
import { aggregateErrors } from './authz/authorizer.js';
import { NEWEST_MINOR } from '../versions/manifest.js';

/** Named defaults of every duration kube-skew waits for; a time scale shortens them all. */
export const DEFAULT_DURATIONS = {
  /** Identity lease duration (`IdentityLeaseDurationSeconds`). */
  identityLeaseDurationSeconds: 3600,
  /** Identity lease renewal (`IdentityLeaseRenewIntervalPeriod`). */
  identityLeaseRenewIntervalSeconds: 10,
  /** Identity lease GC period (`IdentityLeaseGCPeriod`). */
  identityLeaseGcPeriodSeconds: 3600,
  /** Peer endpoint lease TTL (`DefaultPeerEndpointReconcilerTTL`). */
  peerEndpointLeaseTtlSeconds: 15,
  /** Peer endpoint lease refresh (`DefaultPeerEndpointReconcileInterval`). */
  peerEndpointReconcileIntervalSeconds: 10,
  /** TTL of a server's `/masterleases/` record, the lease endpoint reconciler's (`DefaultEndpointReconcilerTTL`). */
  endpointReconcilerTtlSeconds: 15,
  /** How often the `kubernetes` Service and its endpoints are reconciled (`DefaultEndpointReconcilerInterval`). */
  endpointReconcilerIntervalSeconds: 10,
  /** Local discovery cache refresh in Gen B (`localDiscoveryRefreshInterval`). */
  localDiscoveryRefreshSeconds: 1800,
  /** StorageVersion re-write period. */
  storageVersionUpdateSeconds: 600,
  /** Namespace controller resync. */
  namespaceResyncSeconds: 300,
  /** Namespace controller: delay before a deleted namespace is processed (`namespaceDeletionGracePeriod`). */
  namespaceDeletionGracePeriodSeconds: 5,
  /** Leader election of the controllers: lease duration (kube-controller-manager `--leader-elect-lease-duration`). */
  leaderElectLeaseDurationSeconds: 15,
  /** Leader election: renew deadline (`--leader-elect-renew-deadline`). */
  leaderElectRenewDeadlineSeconds: 10,
  /** Leader election: retry period (`--leader-elect-retry-period`). */
  leaderElectRetryPeriodSeconds: 2,
  /** Garbage collector: how often discovery is re-read and monitors resynced (`GarbageCollector.Sync` period). */
  garbageCollectorSyncPeriodSeconds: 30,
  /** Controllers: how often the shared RESTMapper forgets its cached discovery (kube-controller-manager's reset loop). */
  restMapperResetSeconds: 30,
  /** How long a CRD stays Installing before it is established when `--apiserver-count` is above 1 (upstream's 5 s). */
  crdEstablishingDelaySeconds: 5,
  /** MVP 1.35+: how long a deleted CRD's group/version stays excluded from peer data (`defaultExclusionGracePeriod`). */
  peerExclusionGracePeriodSeconds: 300,
  /** MVP 1.35: how often the exclusion map's reaper runs (`defaultExclusionReaperInterval`). */
  peerExclusionReaperIntervalSeconds: 60,
  /** MVP: how long the proxy's dial to a partitioned peer waits before `i/o timeout` (the transport's 30 s dialer timeout). */
  peerProxyDialTimeoutSeconds: 30,
  /** Aggregator: how often every remote APIService's discovery is probed again (the availability controller's informer resync). */
  aggregatorAvailabilityResyncSeconds: 30,
};

/** The durations a server runs with. */
export type Durations = typeof DEFAULT_DURATIONS;

/** kube-apiserver's default service range (`DefaultServiceIPCIDR`). */
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';

/** kube-apiserver's `--etcd-compaction-interval` default. */
export const DEFAULT_ETCD_COMPACTION_INTERVAL_MS = 5 * 60_000;

/** A configuration error, printed as kube-apiserver prints its startup errors. */
export class ConfigError extends Error {
  readonly code = 'CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The validated configuration of one server. */
export interface ServerConfig {
  /** The server's name in kube-skew (stands in for its host name: the identity lease is derived from it). */
  name: string;
  /** The minor this server acts as, from `--emulated-version`. */
  minor: string;
  bindAddress: string;
  /** 0 picks a free port. */
  securePort: number;
  advertiseAddress: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  certDir: string;
  clientCAFile: string;
  requestHeaderClientCAFile: string;
  requestHeaderAllowedNames: string[];
  requestHeaderUsernameHeaders: string[];
  requestHeaderGroupHeaders: string[];
  requestHeaderExtraHeadersPrefix: string[];
  proxyClientCertFile: string;
  proxyClientKeyFile: string;
  peerCAFile: string;
  peerAdvertiseIP: string;
  peerAdvertisePort: string;
  featureGates: string;
  runtimeConfig: string;
  anonymousAuth: boolean;
  /** `--service-account-issuer`: every issuer accepted, the first one signs; empty: no ServiceAccount tokens. */
  serviceAccountIssuers: string[];
  /** `--service-account-key-file`: the files of the keys that verify ServiceAccount tokens. */
  serviceAccountKeyFiles: string[];
  /** `--service-account-signing-key-file`. */
  serviceAccountSigningKeyFile: string;
  /** `--service-account-max-token-expiration` in seconds; 0 is no maximum. */
  serviceAccountMaxTokenExpirationSeconds: number;
  /** `--service-account-extend-token-expiration` (default true). */
  serviceAccountExtendTokenExpiration: boolean;
  /** `--api-audiences`, defaulted to the first issuer. */
  apiAudiences: string[];
  /** `--storage-path`: the SQLite file ('' when the store is etcd). */
  storagePath: string;
  /** The etcd store (`--etcd-servers` and friends), when set; otherwise SQLite at `storagePath`. */
  etcd?: EtcdConfig;
  /**
   * Where the server's clock starts: every duration (leases, GC, watch timeouts) runs `scale` times
   * faster than the wall from `time`. From --time-scale/--time-origin, or read from --clock-file.
   */
  clock: ClockAnchor;
  /** kube-skew: the cluster's clock file, which the server follows as it changes ('' for none). */
  clockFile: string;
  durations: Durations;
  /** pino level: silent, error, warn, info, debug. */
  logLevel: string;
  /** Seed of the server's random choices (peer choice); absent means unseeded. */
  randomSeed?: number;
  /** kube-skew: a JSON or YAML authorization policy file, asked after the modes ('' or absent: none). */
  authorizationPolicyFile?: string;
  /**
   * `--authorization-mode`, in order (default AlwaysAllow; empty when only kube-skew's policy file
   * decides, i.e. the file without the flag).
   */
  authorizationModes?: string[];
  /** kube-skew `--controllers`: the in-server controllers this server runs when it leads; empty: it never leads. */
  controllers?: string[];
  /** kube-skew `--controllers-via`: the URL the controllers talk to; '' (or absent): this server's own port. */
  controllersVia?: string;
  /** `--apiserver-count` (default 1, deprecated upstream): above 1, CRDs are established after a delay. */
  apiserverCount: number;
  /** `--max-requests-inflight` (default 400); 0 is no limit. */
  maxRequestsInFlight: number;
  /** `--max-mutating-requests-inflight` (default 200); 0 is no limit. */
  maxMutatingRequestsInFlight: number;
  /** `--request-timeout` in milliseconds (default 1m0s). */
  requestTimeoutMs: number;
  /** kube-skew `--max-watches-per-user` (default 1000); 0 is no limit. */
  maxWatchesPerUser: number;
  /** kube-skew `--read-header-timeout` in milliseconds (upstream's fixed 32s). */
  readHeaderTimeoutMs: number;
  /** kube-skew `--idle-timeout` in milliseconds (upstream's fixed 90s). */
  idleTimeoutMs: number;
  /** kube-skew `--write-stall-timeout` in milliseconds (default 60s); 0 disables it. */
  writeStallTimeoutMs: number;
  /** `--etcd-compaction-interval` in milliseconds of the server's clock (default 5m); 0 disables compaction. */
  etcdCompactionIntervalMs: number;
  /** `--service-cluster-ip-range` as given ('' for upstream's default 10.0.0.0/24). */
  serviceClusterIPRange: string;
  /** The ClusterIP of the `kubernetes` Service: the first address of the primary service range. */
  apiServerServiceIP: string;
  /** The parsed service ranges: the primary, then the secondary of the other family if given. */
  serviceCIDRs: Cidr[];
  /** `--service-node-port-range` (default 30000-32767). */
  serviceNodePortRange: PortRange;
  /**
   * `--root-ca-file` (kube-controller-manager's flag; the controllers run in the server): the CA
   * the root CA publisher writes into every namespace's `kube-root-ca.crt`. '' falls back to the
   * CA the controllers' client trusts, as kube-controller-manager falls back to its kubeconfig's.
   */
  rootCAFile: string;
}

/** Raw flag values as the CLI parses them (strings, as on a command line). */
export type ServerFlags = Partial<Record<string, string | boolean | string[]>>;

function str(flags: ServerFlags, name: string, fallback = ''): string {
  const v = flags[name];
  if (v === undefined || v === false) return fallback;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parsePort(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`invalid argument "${value}" for "--${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  const n = Number(value);
  if (n > 65535) throw new ConfigError(`--${flag} ${n} must be between 1 and 65535, inclusive. It cannot be turned off with 0`);
  return n;
}

/** A non-negative int flag, with pflag's parse error and kube-apiserver's `can not be negative value`. */
function parseCount(flags: ServerFlags, flag: string, fallback: number): number {
  const value = str(flags, flag, String(fallback));
  if (!/^[-+]?\d+$/.test(value)) throw new ConfigError(`invalid argument "${value}" for "--${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  const n = Number(value);
  if (n < 0) throw new ConfigError(`--${flag} can not be negative value`);
  return n;
}

/** A non-negative Go duration flag (`1m0s`), in milliseconds. */
function parseDurationFlag(flags: ServerFlags, flag: string, fallbackMs: number, positive = false): number {
  const value = str(flags, flag);
  if (value === '') return fallbackMs;
  let ms: number;
  try {
    ms = parseGoDuration(value);
  } catch (err) {
    if (err instanceof DurationError) throw new ConfigError(`invalid argument "${value}" for "--${flag}" flag: ${err.message}`);
    throw err;
  }
  if (ms < 0) throw new ConfigError(`--${flag} can not be negative value`);
  if (positive && ms === 0) throw new ConfigError(`invalid argument "${value}" for "--${flag}" flag: must be a positive duration`);
  return ms;
}

/** Parse `--emulated-version` (`1.32` or `kube=1.32`) into a minor. */
export function parseEmulatedVersion(value: string): string {
  const v = value.startsWith('kube=') ? value.slice('kube='.length) : value;
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(v);
  if (!m) throw new ConfigError(`invalid argument "${value}" for "--emulated-version" flag: version ${JSON.stringify(v)} is not in the form of major.minor`);
  return `${m[1]}.${m[2]}`;
}

/** kube-apiserver's etcd flags. */
export interface EtcdConfig {
  /** `--etcd-servers`, split at commas. */
  servers: string[];
  /** `--etcd-prefix` (default `/registry`). */
  prefix: string;
  /** `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile` ('' when unset). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** The etcd store's flags, or undefined when `--etcd-servers` is unset. */
function parseEtcdFlags(flags: ServerFlags): EtcdConfig | undefined {
  const servers = list(str(flags, 'etcd-servers'));
  if (servers.length === 0) return undefined;
  return { servers, prefix: str(flags, 'etcd-prefix', '/registry'), caFile: str(flags, 'etcd-cafile'), certFile: str(flags, 'etcd-certfile'), keyFile: str(flags, 'etcd-keyfile') };
}

/** Build a ServerConfig from flag values; throws ConfigError for invalid input. */
export function parseServerConfig(flags: ServerFlags): ServerConfig {
  const bindAddress = str(flags, 'bind-address', '0.0.0.0');
  if (!isIP(bindAddress)) throw new ConfigError(`invalid argument "${bindAddress}" for "--bind-address" flag: failed to parse IP: "${bindAddress}"`);
  const advertiseAddress = str(flags, 'advertise-address');
  if (advertiseAddress && !isIP(advertiseAddress)) throw new ConfigError(`invalid argument "${advertiseAddress}" for "--advertise-address" flag: failed to parse IP: "${advertiseAddress}"`);
  const peerAdvertiseIP = str(flags, 'peer-advertise-ip');
  if (peerAdvertiseIP && !isIP(peerAdvertiseIP)) throw new ConfigError(`invalid argument "${peerAdvertiseIP}" for "--peer-advertise-ip" flag: failed to parse IP: "${peerAdvertiseIP}"`);
  const storagePath = str(flags, 'storage-path');
  const etcd = parseEtcdFlags(flags);
  if (!storagePath && !etcd) throw new ConfigError('--storage-path is required: the SQLite file every server of the cluster shares (or --etcd-servers for an etcd store)');
  const timeScale = Number(str(flags, 'time-scale', '1'));
  if (!(timeScale > 0)) throw new ConfigError(`invalid argument "${str(flags, 'time-scale')}" for "--time-scale" flag: must be a positive number`);
  const originText = str(flags, 'time-origin');
  const timeOrigin = originText === '' ? Date.now() : Number(originText);
  if (!Number.isSafeInteger(timeOrigin) || timeOrigin < 0) throw new ConfigError(`invalid argument "${originText}" for "--time-origin" flag: must be milliseconds since the epoch`);
  const clockFile = str(flags, 'clock-file');
  let clock: ClockAnchor = { wall: timeOrigin, time: timeOrigin, scale: timeScale };
  if (clockFile) {
    try {
      clock = readClockFile(clockFile);
    } catch (err) {
      throw new ConfigError(`invalid argument "${clockFile}" for "--clock-file" flag: ${(err as Error).message}`);
    }
  }
  const durations = { ...DEFAULT_DURATIONS };
  for (const key of Object.keys(durations) as Array<keyof Durations>) {
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const raw = str(flags, flag);
    if (raw === '') continue;
    const n = Number(raw);
    if (!(n > 0)) throw new ConfigError(`invalid argument "${raw}" for "--${flag}" flag: must be a positive number of seconds`);
    durations[key] = n;
  }
  const tlsCertFile = str(flags, 'tls-cert-file');
  const tlsPrivateKeyFile = str(flags, 'tls-private-key-file');
  if (Boolean(tlsCertFile) !== Boolean(tlsPrivateKeyFile)) {
    throw new ConfigError('--tls-cert-file and --tls-private-key-file must both be specified or neither');
  }
  const seedText = str(flags, 'random-seed');
  if (seedText !== '' && !/^\d+$/.test(seedText)) throw new ConfigError(`invalid argument "${seedText}" for "--random-seed" flag: must be a non-negative integer`);
  return {
    ...(seedText !== '' ? { randomSeed: Number(seedText) } : {}),
    name: str(flags, 'server-name', 'apiserver'),
    minor: parseEmulatedVersion(str(flags, 'emulated-version', NEWEST_MINOR)),
    bindAddress,
    securePort: parsePort('secure-port', str(flags, 'secure-port', '6443')),
    advertiseAddress,
    tlsCertFile,
    tlsPrivateKeyFile,
    certDir: str(flags, 'cert-dir'),
    clientCAFile: str(flags, 'client-ca-file'),
    requestHeaderClientCAFile: str(flags, 'requestheader-client-ca-file'),
    requestHeaderAllowedNames: list(str(flags, 'requestheader-allowed-names')),
    requestHeaderUsernameHeaders: list(str(flags, 'requestheader-username-headers', 'X-Remote-User')),
    requestHeaderGroupHeaders: list(str(flags, 'requestheader-group-headers', 'X-Remote-Group')),
    requestHeaderExtraHeadersPrefix: list(str(flags, 'requestheader-extra-headers-prefix', 'X-Remote-Extra-')),
    proxyClientCertFile: str(flags, 'proxy-client-cert-file'),
    proxyClientKeyFile: str(flags, 'proxy-client-key-file'),
    peerCAFile: str(flags, 'peer-ca-file'),
    peerAdvertiseIP,
    peerAdvertisePort: str(flags, 'peer-advertise-port'),
    featureGates: str(flags, 'feature-gates'),
    runtimeConfig: str(flags, 'runtime-config'),
    anonymousAuth: str(flags, 'anonymous-auth', 'true') !== 'false',
    ...parseServiceAccountFlags(flags),
    storagePath,
    ...(etcd ? { etcd } : {}),
    clock,
    clockFile,
    durations,
    logLevel: str(flags, 'log-level', 'warn'),
    authorizationPolicyFile: str(flags, 'authorization-policy-file'),
    authorizationModes: parseAuthorizationModes(flags),
    controllers: parseControllers(flags),
    controllersVia: parseControllersVia(str(flags, 'controllers-via')),
    apiserverCount: parseApiserverCount(str(flags, 'apiserver-count', '1')),
    maxRequestsInFlight: parseCount(flags, 'max-requests-inflight', 400),
    maxMutatingRequestsInFlight: parseCount(flags, 'max-mutating-requests-inflight', 200),
    requestTimeoutMs: parseDurationFlag(flags, 'request-timeout', DEFAULT_REQUEST_TIMEOUT_MS),
    maxWatchesPerUser: parseCount(flags, 'max-watches-per-user', DEFAULT_MAX_WATCHES_PER_USER),
    readHeaderTimeoutMs: parseDurationFlag(flags, 'read-header-timeout', DEFAULT_READ_HEADER_TIMEOUT_MS, true),
    idleTimeoutMs: parseDurationFlag(flags, 'idle-timeout', DEFAULT_IDLE_TIMEOUT_MS, true),
    writeStallTimeoutMs: parseDurationFlag(flags, 'write-stall-timeout', DEFAULT_WRITE_STALL_TIMEOUT_MS),
    etcdCompactionIntervalMs: parseDurationFlag(flags, 'etcd-compaction-interval', DEFAULT_ETCD_COMPACTION_INTERVAL_MS),
    serviceClusterIPRange: str(flags, 'service-cluster-ip-range'),
    apiServerServiceIP: apiServerServiceIP(str(flags, 'service-cluster-ip-range')),
    serviceCIDRs: serviceCIDRs(str(flags, 'service-cluster-ip-range')),
    serviceNodePortRange: serviceNodePortRange(str(flags, 'service-node-port-range', DEFAULT_NODE_PORT_RANGE)),
    rootCAFile: str(flags, 'root-ca-file'),
  };
}

/**
 * The `kubernetes` Service's ClusterIP from `--service-cluster-ip-range`, as kube-apiserver's
 * getServiceIPAndRanges: the first address of the first (primary) range, 10.0.0.1 for the default.
 */
function apiServerServiceIP(ranges: string): string {
  const primary = ranges === '' ? DEFAULT_SERVICE_CLUSTER_IP_RANGE : ranges.split(',')[0]!;
  const ip = firstAddress(primary);
  if (ip === undefined) throw new ConfigError('service-cluster-ip-range[0] is not a valid cidr');
  return ip;
}

/**
 * `--service-cluster-ip-range` as kube-apiserver's getServiceIPAndRanges and its validation take
 * it: one CIDR, or two of different families (dual-stack).
 */
function serviceCIDRs(ranges: string): Cidr[] {
  const entries = (ranges === '' ? DEFAULT_SERVICE_CLUSTER_IP_RANGE : ranges).split(',').map((r) => r.trim());
  if (entries.length > 2) throw new ConfigError('--service-cluster-ip-range must not contain more than two entries');
  const cidrs = entries.map((entry, i) => {
    const cidr = parseCidr(entry);
    if (!cidr) throw new ConfigError(`service-cluster-ip-range[${i}] is not a valid cidr`);
    return cidr;
  });
  if (cidrs.length === 2 && cidrs[0]!.family === cidrs[1]!.family) {
    throw new ConfigError('--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family');
  }
  return cidrs;
}

/** `--service-node-port-range` as `utilnet.PortRange.Set` parses it. */
function serviceNodePortRange(value: string): PortRange {
  try {
    return parsePortRange(value);
  } catch (err) {
    throw new ConfigError(`invalid argument "${value}" for "--service-node-port-range" flag: ${(err as Error).message}`);
  }
}

/** Upstream's bounds of `--service-account-max-token-expiration`: 1 hour to 2^32 seconds. */
const MAX_TOKEN_EXPIRATION_BOUNDS_MS = [3600_000, 2 ** 32 * 1000] as const;

/**
 * The ServiceAccount token flags, as kube-apiserver validates them: a signing key and key files need
 * an issuer and the other way round (kube-skew, unlike kube-apiserver since 1.20, lets a server run
 * without any, then it has no token subresource), the maximum expiration lies between 1 hour and
 * 2^32 seconds, and `--api-audiences` defaults to the first issuer.
 */
function parseServiceAccountFlags(flags: ServerFlags): Pick<ServerConfig, 'serviceAccountIssuers' | 'serviceAccountKeyFiles' | 'serviceAccountSigningKeyFile' | 'serviceAccountMaxTokenExpirationSeconds' | 'serviceAccountExtendTokenExpiration' | 'apiAudiences'> {
  const issuers = list(str(flags, 'service-account-issuer'));
  const keyFiles = list(str(flags, 'service-account-key-file'));
  const signingKeyFile = str(flags, 'service-account-signing-key-file');
  if (issuers.length > 0 || signingKeyFile) {
    if (issuers.length === 0) throw new ConfigError('service-account-issuer is a required flag');
    if (!signingKeyFile) throw new ConfigError('service-account-signing-key-file is a required flag');
    if (keyFiles.length === 0) throw new ConfigError('service-account-key-file is a required flag');
  }
  for (const issuer of issuers) {
    if (issuer.includes(':')) {
      try {
        new URL(issuer);
      } catch {
        throw new ConfigError(`service-account-issuer ${JSON.stringify(issuer)} contained a ':' but was not a valid URL`);
      }
    }
  }
  const maxMs = parseDurationFlag(flags, 'service-account-max-token-expiration', 0);
  if (maxMs !== 0 && (maxMs < MAX_TOKEN_EXPIRATION_BOUNDS_MS[0] || maxMs > MAX_TOKEN_EXPIRATION_BOUNDS_MS[1])) throw new ConfigError('the service-account-max-token-expiration must be between 1 hour and 2^32 seconds');
  const audiences = list(str(flags, 'api-audiences'));
  return {
    serviceAccountIssuers: issuers,
    serviceAccountKeyFiles: keyFiles,
    serviceAccountSigningKeyFile: signingKeyFile,
    serviceAccountMaxTokenExpirationSeconds: Math.floor(maxMs / 1000),
    serviceAccountExtendTokenExpiration: str(flags, 'service-account-extend-token-expiration', 'true') !== 'false',
    apiAudiences: audiences.length > 0 ? audiences : issuers.slice(0, 1),
  };
}

/** `--authorization-mode`, validated with kube-apiserver's errors (see authz/modes.ts for the policy file's place). */
function parseAuthorizationModes(flags: ServerFlags): string[] {
  if (flags['authorization-mode'] === undefined) return str(flags, 'authorization-policy-file') ? [] : [...DEFAULT_AUTHORIZATION_MODES];
  const modes = list(str(flags, 'authorization-mode'));
  const errors = authorizationModeErrors(modes);
  if (errors.length > 0) throw new ConfigError(aggregateErrors(errors));
  return modes;
}

/** `--apiserver-count`: a positive integer, as kube-apiserver's `MasterCount` validation wants. */
function parseApiserverCount(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value)) throw new ConfigError(`invalid argument "${value}" for "--apiserver-count" flag: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  if (n <= 0) throw new ConfigError(`--apiserver-count should be a positive number, but value '${n}' provided`);
  return n;
}

/** The controllers kube-skew runs in a server (kube-controller-manager's names). */
export const CONTROLLER_NAMES = ['namespace', 'garbagecollector', 'deployment', 'root-ca-cert-publisher', 'serviceaccount', 'clusterrole-aggregation'] as const;

/** `--controllers`: a comma list of CONTROLLER_NAMES, `*` for all; absent means all, empty means none. */
function parseControllers(flags: ServerFlags): string[] {
  if (flags.controllers === undefined) return [...CONTROLLER_NAMES];
  const names = list(str(flags, 'controllers'));
  const out = new Set<string>();
  for (const name of names) {
    if (name === '*') CONTROLLER_NAMES.forEach((n) => out.add(n));
    else if ((CONTROLLER_NAMES as readonly string[]).includes(name)) out.add(name);
    else throw new ConfigError(`invalid argument "${str(flags, 'controllers')}" for "--controllers" flag: unknown controller "${name}" (known: ${CONTROLLER_NAMES.join(', ')})`);
  }
  return [...out];
}

/** `--controllers-via`: an https URL without a path, or ''. */
function parseControllersVia(value: string): string {
  if (value === '') return '';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`invalid argument "${value}" for "--controllers-via" flag: not a URL`);
  }
  if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search) {
    throw new ConfigError(`invalid argument "${value}" for "--controllers-via" flag: want https://host:port`);
  }
  return `https://${url.host}`;
}
