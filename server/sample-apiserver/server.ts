/**
 * The sample-apiserver: an aggregated API server built from kube-skew's own server parts, as
 * upstream's sample-apiserver is built from the generic apiserver: the wardle profile's discovery,
 * the generic registry over its own SQLite store (a file, or `:memory:`), the same routes and filter
 * chain, served over HTTPS with its own serving certificate. Requests are authenticated only by
 * request headers from a client certificate the front-proxy CA signed with an allowed CN (or by a
 * client certificate of the client CA, when the trust names one); anonymous requests get 401.
 * Authorization is delegated to the cluster as upstream's: SubjectAccessReviews through
 * `--authorization-kubeconfig`, cached, with `system:masters` and the health paths allowed without
 * asking (server/authz/delegating.ts). Namespaces are not checked: they live in the cluster, not in
 * this store.
 */
import { readFile } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import type { Store } from '../../storage/store.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { minorInfo, versionDocument } from '../../versions/minors.js';
import { systemClock, type Clock } from '../clock.js';
import { buildHandlerChain } from '../chain.js';
import { HealthChecks } from '../health.js';
import { ServerMetrics } from '../metrics.js';
import { buildRoutes } from '../routes.js';
import { DiscoveryDocs } from '../endpoints/discovery.js';
import { delegatingAuthorizer } from '../authz/delegating.js';
import { webhookAuthorizer } from '../authz/webhook.js';
import { httpsSubjectAccessReviewer } from '../authz/sar-client.js';
import { Registry } from '../registry/rest.js';
import { ResourceTypes } from '../registry/resource-type.js';
import { listenHttps } from '../http/https-listener.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_READ_HEADER_TIMEOUT_MS, DEFAULT_WRITE_STALL_TIMEOUT_MS } from '../http/serving.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../filters/request-timeout.js';
import type { KubeconfigTarget, RequestHeaderTrust } from './trust.js';
import { wardleProfile } from './wardle.js';

/** How one sample-apiserver runs. */
export interface SampleApiServerConfig {
  bindAddress: string;
  /** 0 picks a free port. */
  securePort: number;
  /** Serving certificate (chain) and key files. */
  certFile: string;
  keyFile: string;
  /** The SQLite file of its own objects, or `:memory:`. */
  storagePath: string;
  trust: RequestHeaderTrust;
  authorization: DelegatedAuthorization;
  logLevel: string;
}

/** Where and how authorization is delegated (`--authorization-*` flags). */
export interface DelegatedAuthorization {
  /** The cluster that answers SubjectAccessReviews (`--authorization-kubeconfig`). */
  target: KubeconfigTarget;
  allowTtlMs?: number;
  denyTtlMs?: number;
  alwaysAllowPaths?: string[];
}

/** A running sample-apiserver. */
export interface RunningSampleApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Start a sample-apiserver; resolves once it listens. */
export async function startSampleApiServer(config: SampleApiServerConfig, deps: { clock?: Clock; logger?: Logger } = {}): Promise<RunningSampleApiServer> {
  const profile = wardleProfile();
  const clock = deps.clock ?? systemClock;
  const log = (deps.logger ?? pino({ level: config.logLevel })).child({ server: 'sample-apiserver' });
  const store: Store = openSqliteStore(config.storagePath, { now: () => clock.now().getTime(), logger: log });
  const registry = new Registry({ store, clock, namespaceLifecycle: false });
  const types = new ResourceTypes(profile);
  const health = new HealthChecks();
  for (const check of ['ping', 'log', 'etcd']) health.add(check, () => undefined);
  const metrics = new ServerMetrics();
  let port = config.securePort;
  const routes = buildRoutes({
    version: versionDocument(profile) as unknown as Record<string, unknown>,
    health,
    metrics,
    discovery: new DiscoveryDocs(profile, () => `${config.bindAddress}:${port}`),
    resources: { types, registry, clock, minor: minorInfo(profile.minor), watchListEnabled: false },
  });
  const chain = buildHandlerChain(routes, {
    serverName: 'sample-apiserver',
    metrics,
    clock,
    limits: { maxRequestsInFlight: 400, maxMutatingRequestsInFlight: 200, maxWatchesPerUser: 0, requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS },
    authentication: { ...config.trust, anonymous: false },
    authorizer: delegatingAuthorizer({
      ...(config.authorization.alwaysAllowPaths ? { alwaysAllowPaths: config.authorization.alwaysAllowPaths } : {}),
      webhook: webhookAuthorizer(httpsSubjectAccessReviewer(config.authorization.target, { clock }), {
        clock,
        ...(config.authorization.allowTtlMs !== undefined ? { allowTtlMs: config.authorization.allowTtlMs } : {}),
        ...(config.authorization.denyTtlMs !== undefined ? { denyTtlMs: config.authorization.denyTtlMs } : {}),
      }),
    }),
  });
  const [cert, key] = await Promise.all([readFile(config.certFile, 'utf8'), readFile(config.keyFile, 'utf8')]);
  const listener = await listenHttps({
    cert,
    key,
    cas: [config.trust.requestHeaderCA, config.trust.clientCA].filter((c): c is string => Boolean(c)),
    limits: { readHeaderTimeoutMs: DEFAULT_READ_HEADER_TIMEOUT_MS, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS, requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS, writeStallTimeoutMs: DEFAULT_WRITE_STALL_TIMEOUT_MS },
    port: config.securePort,
    host: config.bindAddress,
    clock,
    log,
    chain,
  });
  port = listener.port;
  return {
    url: listener.url,
    port,
    async close() {
      await listener.close();
      await store.close();
    },
  };
}
