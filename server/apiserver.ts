/**
 * One simulated kube-apiserver: loads its minor's VersionProfile, opens the shared store, builds the
 * filter chain and routes, serves HTTPS with fastify, bootstraps the system namespaces, runs its
 * in-process controllers and stops gracefully (`/readyz` fails first, then connections close).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import type { Store } from '../storage/store.js';
import { openConfiguredStore } from './store-backend.js';
import { Compactor } from '../storage/compactor.js';
import { loadProfile } from '../versions/profile.js';
import { minorInfo, versionDocument } from '../versions/minors.js';
import type { VersionProfile } from '../versions/types.js';
import { ScaledClock, type Clock } from './clock.js';
import { followClockFile } from './clock-file.js';
import type { ServerConfig } from './config.js';
import { defaultAdvertiseAddress } from './advertise-address.js';
import { buildHandlerChain } from './chain.js';
import type { Filter, Handler } from './http/context.js';
import { listenHttps } from './http/https-listener.js';
import { HealthChecks } from './health.js';
import { ServerMetrics } from './metrics.js';
import { buildRoutes, type RoutesDeps } from './routes.js';
import { DiscoveryDocs, type AggregatedApisHook } from './endpoints/discovery.js';
import { OpenApiV3 } from './endpoints/openapi.js';
import { OpenApiV2 } from './endpoints/openapi-v2.js';
import { chainAuthorizer, type Authorizer } from './filters/authorization.js';
import { buildAuthorization } from './authz/build.js';
import { BOOTSTRAP_ROLES_HOOK, reconcileBootstrapPolicy } from './authz/rbac/bootstrap.js';
import { registerProtobufBodyDecoder } from './protobuf/body.js';
import { Registry } from './registry/rest.js';
import { ResourceTypes } from './registry/resource-type.js';
import { selfSignedServing } from './cluster/pki.js';
import { bootstrapNamespaces } from './controllers/namespace.js';
import { ControllerManager } from './controllers/manager.js';
import { createPeers } from './peers/peers.js';
import { startApiExtensions } from './apiextensions/apiextensions.js';
import { seededRandom } from './random.js';
import { createAggregator } from './aggregator/aggregator.js';
import { apiServiceExtensions, crdExtensions } from './peers/peer-cache-filter.js';
import { publishesUidHeaders } from '../versions/authentication.js';
import { MasterLeases } from './controlplane/master-leases.js';
import { ComponentStatusStorage, componentProbes } from './registry/componentstatus.js';
import { LeaseEndpointReconciler } from './controlplane/endpoint-reconciler.js';
import { KubernetesServiceController } from './controlplane/kubernetes-service.js';
import { DefaultServiceCIDRController } from './controlplane/default-service-cidr.js';
import { RepairIPAddresses } from './controlplane/repair-ip-addresses.js';
import { serviceWriteHooks } from './registry/service/hooks.js';
import { createServiceAccountTokens } from './serviceaccount/setup.js';

/** Things a caller may inject instead of the defaults (tests fix the clock, share a store, …). */
export interface ApiServerDeps {
  clock?: Clock;
  logger?: Logger;
  store?: Store;
  authorizer?: Authorizer;
  random?: () => number;
}

/** Extension points later layers (the peer proxy, peer-aggregated discovery) plug into. */
export interface ApiServerExtensions {
  peerProxy?: Filter;
  aggregatedApis?: AggregatedApisHook;
  extraRoutes?: RoutesDeps['extra'];
}

/** A started server. */
export interface RunningApiServer {
  readonly config: ServerConfig;
  readonly profile: VersionProfile;
  readonly store: Store;
  readonly registry: Registry;
  readonly types: ResourceTypes;
  readonly clock: Clock;
  readonly health: HealthChecks;
  readonly metrics: ServerMetrics;
  readonly log: Logger;
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The host:port peers and clients are told to use. */
  readonly advertisedAddress: string;
  /** The APIServerID (`apiserver-<26 base32 chars>`). */
  readonly id: string;
  /** Stop gracefully: `/readyz` fails, controllers stop, connections close, the store closes. */
  close(): Promise<void>;
}



/** Start one server from its configuration. Resolves once it is listening and its namespaces exist. */
export async function startApiServer(config: ServerConfig, deps: ApiServerDeps = {}, ext: ApiServerExtensions = {}): Promise<RunningApiServer> {
  // Resolved first, as kube-apiserver's option completion does: a host without a usable address
  // refuses to start before anything is opened.
  const host = defaultAdvertiseAddress(config);
  const profile = loadProfile({ minor: config.minor, runtimeConfig: config.runtimeConfig, featureGates: config.featureGates });
  const log = (deps.logger ?? pino({ level: config.logLevel })).child({ server: config.name, version: config.minor });
  const ownClock = deps.clock ? undefined : new ScaledClock(config.clock);
  const clock: Clock = deps.clock ?? ownClock!;
  const unfollowClock = ownClock && config.clockFile ? followClockFile(ownClock, config.clockFile, (err) => log.warn({ err }, 'clock file unreadable; keeping the current time')) : undefined;
  const store = deps.store ?? openConfiguredStore(config, () => clock.now().getTime(), log);
  const ownsStore = deps.store === undefined;
  const compactor = new Compactor(store, clock, config.etcdCompactionIntervalMs, log);

  const certDir = config.certDir || join(dirname(config.storagePath), `${config.name}-certs`);
  const serving = config.tlsCertFile
    ? { certFile: config.tlsCertFile, keyFile: config.tlsPrivateKeyFile }
    : await selfSignedServing(certDir, hostname(), [host]);
  const [cert, key] = await Promise.all([readFile(serving.certFile, 'utf8'), readFile(serving.keyFile, 'utf8')]);
  const clientCA = config.clientCAFile ? await readFile(config.clientCAFile, 'utf8') : undefined;
  const requestHeaderCA = config.requestHeaderClientCAFile ? await readFile(config.requestHeaderClientCAFile, 'utf8') : undefined;
  const cas = [clientCA, requestHeaderCA].filter((c): c is string => c !== undefined);
  const authentication = {
    ...(clientCA ? { clientCA } : {}),
    ...(requestHeaderCA ? { requestHeaderCA } : {}),
    requestHeaderAllowedNames: config.requestHeaderAllowedNames,
    usernameHeaders: config.requestHeaderUsernameHeaders,
    groupHeaders: config.requestHeaderGroupHeaders,
    extraHeaderPrefixes: config.requestHeaderExtraHeadersPrefix,
  };

  const types = new ResourceTypes(profile);
  registerProtobufBodyDecoder();
  // generateName suffixes stay unseeded: servers sharing a seed would otherwise collide.
  const registry = new Registry({ store, clock, ...(deps.random ? { random: deps.random } : {}) });
  // Service ClusterIPs and NodePorts, allocated in the shared store (unseeded, like generateName).
  const serviceHooks = serviceWriteHooks({
    store,
    registry,
    types,
    minor: profile.minor,
    featureGates: profile.featureGates,
    serviceCIDRs: config.serviceCIDRs,
    nodePortRange: config.serviceNodePortRange,
    random: deps.random ?? Math.random,
    now: () => clock.now(),
  });
  registry.setWriteHooks(serviceHooks);
  const tokens = await createServiceAccountTokens(config, profile.featureGates, registry, types, clock);
  const authorization = await buildAuthorization({ config, registry, types, clock, log });
  const health = new HealthChecks();
  const metrics = new ServerMetrics();
  let shuttingDown = false;
  health.add('ping', () => undefined);
  health.add('log', () => undefined);
  health.add('etcd', () => undefined);
  health.add('shutdown', () => (shuttingDown ? 'shutting down' : undefined), ['readyz']);
  const namespacesHook = health.postStartHook('start-system-namespaces-controller');

  let port = config.securePort;
  const random = deps.random ?? (config.randomSeed !== undefined ? seededRandom(config.randomSeed) : Math.random);
  const docs = new DiscoveryDocs(profile, () => `${host}:${port}`);
  const openapi = new OpenApiV3(profile);
  const openapiV2 = new OpenApiV2(profile, openapi, () => clock.now());
  const peers = await createPeers({ config, profile, store, registry, types, clock, log, metrics, docs, port: () => port, publicAddress: host, random });
  const proxyClientCert =
    config.proxyClientCertFile && config.proxyClientKeyFile
      ? { cert: await readFile(config.proxyClientCertFile, 'utf8'), key: await readFile(config.proxyClientKeyFile, 'utf8') }
      : undefined;
  const aggregator = createAggregator({
    registry,
    types,
    docs,
    profile,
    clock,
    log,
    availabilityResyncMs: config.durations.aggregatorAvailabilityResyncSeconds * 1000,
    ...(proxyClientCert ? { clientCert: proxyClientCert } : {}),
    // kube-skew has no --requestheader-uid-headers: the list is empty, as upstream's default.
    trust: { ...authentication, ...(publishesUidHeaders(profile.minorNumber) ? { uidHeaders: [] } : {}) },
  });
  if (aggregator) {
    health.add('autoregister-completion', () => {
      const missing = aggregator.pendingApiServices();
      return missing.length > 0 ? `missing APIService: [${missing.join(' ')}]` : undefined;
    });
  }
  const routes = buildRoutes({
    version: versionDocument(profile) as unknown as Record<string, unknown>,
    health,
    metrics,
    discovery: docs,
    resources: {
      types,
      registry,
      clock,
      minor: minorInfo(profile.minor),
      watchListEnabled: profile.featureGates.get('WatchList') === true,
      authorizer: authorization.chain,
      ...(authorization.writeGuard ? { writeGuard: authorization.writeGuard } : {}),
      componentStatuses: new ComponentStatusStorage(
        componentProbes({ store, clock, localControllerManager: config.controllers === undefined || config.controllers.length > 0 }),
        minorInfo(profile.minor).writesNullCreationTimestamp,
      ),
      tokenRequest: { registry, types, clock, facts: tokens.facts, ...(tokens.issuer ? { issuer: tokens.issuer } : {}) },
      tokenReview: { apiAudiences: tokens.apiAudiences, writesNullCreationTimestamp: minorInfo(profile.minor).writesNullCreationTimestamp, ...(tokens.authenticator ? { tokenAuthenticator: tokens.authenticator } : {}) },
      onOpen: () => metrics.longRunning.inc({ verb: 'WATCH' }),
      onClose: () => metrics.longRunning.dec({ verb: 'WATCH' }),
      ...(deps.random ? { random: deps.random } : {}),
    },
    ...((ext.aggregatedApis ?? peers.aggregatedApis) ? { aggregatedApis: (ext.aggregatedApis ?? peers.aggregatedApis)! } : {}),
    extra: [...(ext.extraRoutes ?? []), openapi.handler, openapiV2.handler],
  });
  const chain: Handler = buildHandlerChain(routes, {
    serverName: config.name,
    metrics,
    servedRoute: (info) => {
      const type = types.lookup(info.apiGroup, info.apiVersion, info.resource);
      return type !== undefined && (info.subresource === '' || type.subresources.has(info.subresource));
    },
    clock,
    limits: {
      maxRequestsInFlight: config.maxRequestsInFlight,
      maxMutatingRequestsInFlight: config.maxMutatingRequestsInFlight,
      maxWatchesPerUser: config.maxWatchesPerUser,
      requestTimeoutMs: config.requestTimeoutMs,
    },
    authorizer: deps.authorizer ?? chainAuthorizer(authorization.chain),
    authentication: { ...authentication, anonymous: config.anonymousAuth, apiAudiences: tokens.apiAudiences, ...(tokens.authenticator ? { tokenAuthenticator: tokens.authenticator } : {}) },
    ...((ext.peerProxy ?? peers.filter) ? { peerProxy: (ext.peerProxy ?? peers.filter)! } : {}),
    ...(aggregator ? { aggregatorProxy: aggregator.filter } : {}),
  });

  // The RBAC listers are synced before the first request is authorized, as kube-apiserver's
  // informers are before it serves.
  await authorization.start();
  const listener = await listenHttps({
    key,
    cert,
    cas,
    limits: {
      readHeaderTimeoutMs: config.readHeaderTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      writeStallTimeoutMs: config.writeStallTimeoutMs,
    },
    port: config.securePort,
    host: config.bindAddress,
    clock,
    log,
    chain,
  });
  port = listener.port;

  await bootstrapNamespaces(registry, types);
  namespacesHook();
  // With MultiCIDRServiceAllocator the allocator needs the default ServiceCIDR before any Service.
  const serviceCIDRType = types.preferred('networking.k8s.io', 'servicecidrs');
  const defaultServiceCIDR =
    serviceHooks.mode !== 'bitmap' && serviceCIDRType
      ? new DefaultServiceCIDRController({ registry, type: serviceCIDRType, cidrs: config.serviceCIDRs.map((c) => c.text), clock, log })
      : undefined;
  await defaultServiceCIDR?.start();
  const ipAddressType = types.preferred('networking.k8s.io', 'ipaddresses');
  const servicesType = types.lookup('', 'v1', 'services');
  const repairIPAddresses =
    defaultServiceCIDR && serviceCIDRType && ipAddressType && servicesType
      ? new RepairIPAddresses({ registry, services: servicesType, ipAddresses: ipAddressType, serviceCIDRs: serviceCIDRType, clock, log })
      : undefined;
  await repairIPAddresses?.start();
  if (authorization.rbac) {
    // Upstream disables the hook when RBAC is not a mode.
    const rbacHook = health.postStartHook(BOOTSTRAP_ROLES_HOOK);
    await reconcileBootstrapPolicy(registry, types, profile.minor, log);
    rbacHook();
  }
  const extensionsHook = health.postStartHook('start-apiextensions-controllers');
  const extensions = await startApiExtensions({
    registry,
    types,
    docs,
    openapi,
    openapiV2,
    profile,
    clock,
    log,
    establishingDelayMs: config.apiserverCount > 1 ? config.durations.crdEstablishingDelaySeconds * 1000 : 0,
  });
  extensionsHook();
  const autoregisterHook = health.postStartHook('kube-apiserver-autoregistration');
  await aggregator?.start(extensions?.crds);
  autoregisterHook();
  await peers.start([...(extensions ? [crdExtensions(extensions.crds)] : []), ...(aggregator ? [apiServiceExtensions(aggregator.apiServices)] : [])]);

  const url = listener.url;
  // Every kube-apiserver keeps the `kubernetes` Service and lists itself in its endpoints.
  const kubernetesService = new KubernetesServiceController({
    registry,
    types,
    reconciler: new LeaseEndpointReconciler({
      registry,
      types,
      leases: new MasterLeases(store, config.durations.endpointReconcilerTtlSeconds),
      removesLastEndpointOnStop: minorInfo(profile.minor).removesLastEndpointOnStop,
    }),
    clock,
    log,
    self: () => ({ ip: host, port }),
    serviceIP: config.apiServerServiceIP,
    intervalMs: config.durations.endpointReconcilerIntervalSeconds * 1000,
    ready: () => health.run('readyz', false)?.ok === true,
  });
  await kubernetesService.start();
  // kube-controller-manager's controllers, run while this server holds the controller-manager lease.
  const controllers = await ControllerManager.create({ config, clock, log, selfURL: url, servingCert: cert, minor: profile.minor });
  controllers?.start();
  compactor.start();
  let closing: Promise<void> | undefined;
  return {
    config,
    profile,
    store,
    registry,
    types,
    clock,
    health,
    metrics,
    log,
    url,
    port,
    advertisedAddress: `${host}:${port}`,
    id: peers.id,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        compactor.stop();
        // Upstream removes its endpoint in a pre-shutdown hook, before the listener stops.
        await kubernetesService.stop();
        defaultServiceCIDR?.stop();
        repairIPAddresses?.stop();
        await controllers?.stop();
        authorization.stop();
        extensions?.stop();
        aggregator?.stop();
        // The listener closes before the peer machinery stops, so that no request is ever answered
        // by a proxy that has already forgotten its peers (a false local 404).
        await listener.close();
        await peers.stop();
        if (ownsStore) await store.close();
        unfollowClock?.();
      })();
      return closing;
    },
  };
}
