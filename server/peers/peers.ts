/**
 * Everything a server does with its peers, assembled from its minor's profile and flags: the
 * identity lease (always, with APIServerIdentity), the peer endpoint lease (when the proxy gate is
 * on), and — when the gate is on and `--peer-ca-file` is set — the proxy filter with the router of
 * the minor's generation. Flag validation and startup errors follow §3 of the MVP reference.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Store } from '../../storage/store.js';
import type { VersionProfile } from '../../versions/types.js';
import type { Clock } from '../clock.js';
import { ConfigError, type ServerConfig } from '../config.js';
import type { Filter } from '../http/context.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import type { ServerMetrics } from '../metrics.js';
import { apiServerID } from './identity.js';
import { IdentityLeaseController } from './identity-lease.js';
import { EndpointLeaseController, joinHostPort } from './endpoint-lease.js';
import { DiscoveryRouter } from './discovery-router.js';
import { StorageVersionRouter } from './storage-versions.js';
import { MvpMetrics } from './metrics.js';
import { withPeerProxy } from './proxy-filter.js';
import { MergedDiscovery } from './merged-discovery.js';
import { PeerDiscoveryMetrics, registersPeerDiscoveryMetrics } from './discovery-metrics.js';
import type { AggregatedApisHook, DiscoveryDocs } from '../endpoints/discovery.js';
import { PeerTransport } from './transport.js';
import { faultFor } from './faults.js';
import type { PeerRouter } from './routing.js';
import { PassThroughPeerCache, type ExtensionSource, type PeerCacheFilter } from './peer-cache-filter.js';
import { ExclusionMap } from './exclusion-map.js';
import { GVExclusionManager } from './gv-exclusion-manager.js';

/** The feature gate of the Mixed Version Proxy. */
export const MVP_GATE = 'UnknownVersionInteroperabilityProxy';

/** The peer parts of one server. */
export interface Peers {
  id: string;
  /** The proxy filter, when this server proxies. */
  filter?: Filter;
  /** The Gen B router, when this server has one (peer-aggregated discovery reads its cache). */
  discoveryRouter?: DiscoveryRouter;
  /** Peer-aggregated `/apis` (1.35+ with the proxy). */
  aggregatedApis?: AggregatedApisHook;
  /**
   * Start the leases and caches (call once the server is listening and ready); `extensions` are the
   * server's CRD and APIService informers, which the 1.35+ exclusion of extension group/versions follows.
   */
  start(extensions?: readonly ExtensionSource[]): Promise<void>;
  /** Pre-shutdown: stop everything and delete what upstream deletes. */
  stop(): Promise<void>;
}

/** What peer setup needs from the server. */
export interface PeerDeps {
  config: ServerConfig;
  profile: VersionProfile;
  store: Store;
  registry: Registry;
  types: ResourceTypes;
  clock: Clock;
  log: Logger;
  metrics: ServerMetrics;
  docs: DiscoveryDocs;
  /** The server's actual secure port (after listening on port 0). */
  port: () => number;
  /** The public address (advertise/bind fallback). */
  publicAddress: string;
  random: () => number;
}

/** Refuse peer flags that cannot apply, with kube-apiserver's startup errors. */
export function validatePeerFlags(config: ServerConfig, profile: VersionProfile): void {
  const gateKnown = profile.featureSpecs.has(MVP_GATE);
  const gateOn = profile.featureGates.get(MVP_GATE) === true;
  const flags: Array<[string, string]> = [
    ['peer-ca-file', config.peerCAFile],
    ['peer-advertise-ip', config.peerAdvertiseIP],
    ['peer-advertise-port', config.peerAdvertisePort],
  ];
  for (const [name, value] of flags) {
    if (!value) continue;
    if (!gateKnown) throw new ConfigError(`unknown flag: --${name}`);
    if (!gateOn) throw new ConfigError(`--${name} requires UnknownVersionInteroperabilityProxy feature to be turned on`);
  }
  if (gateOn && config.peerCAFile) {
    if (!config.proxyClientCertFile) throw new ConfigError('error building peer proxy handler, proxy-cert-file not specified');
    if (!config.proxyClientKeyFile) throw new ConfigError('error building peer proxy handler, proxy-key-file not specified');
  }
}

/** The address peers dial: `--peer-advertise-ip:--peer-advertise-port` when both are set, else public address:secure port. */
export function peerAddress(config: ServerConfig, publicAddress: string, port: number): string {
  if (config.peerAdvertiseIP && config.peerAdvertisePort) return joinHostPort(config.peerAdvertiseIP, config.peerAdvertisePort);
  return joinHostPort(publicAddress, port);
}

/** Build the peer parts of a server. */
export async function createPeers(deps: PeerDeps): Promise<Peers> {
  const { config, profile, store, registry, types, clock, log } = deps;
  validatePeerFlags(config, profile);
  const id = apiServerID(config.name);
  const gateOn = profile.featureGates.get(MVP_GATE) === true;
  // ≤1.27 has no peerproxy package, so none of its metrics appear on /metrics.
  const facts = profile.mvp;
  const mvpMetrics = new MvpMetrics(profile.featureSpecs.has(MVP_GATE) ? deps.metrics.registry : undefined, facts.gvrLabelledMetrics);
  const leases = types.lookup('coordination.k8s.io', 'v1', 'leases');
  const d = config.durations;

  const identity =
    leases && profile.featureGates.get('APIServerIdentity') !== false
      ? new IdentityLeaseController({
          registry,
          leases,
          clock,
          log,
          id,
          hostname: config.name,
          peerAddress: () => (gateOn ? peerAddress(config, deps.publicAddress, deps.port()) : ''),
          durationSeconds: d.identityLeaseDurationSeconds,
          renewIntervalSeconds: d.identityLeaseRenewIntervalSeconds,
          gcPeriodSeconds: d.identityLeaseGcPeriodSeconds,
          deleteOnStartAndStop: facts.identityLeaseDeletedOnStartAndStop,
        })
      : undefined;

  // Every server with StorageVersionAPI and APIServerIdentity records its StorageVersions, as
  // upstream's storage version manager does whatever the proxy: a 1.33 server with those gates on
  // lets a 1.28–1.32 peer route to it. Only the StorageVersion generation routes by them.
  const storageVersions = types.lookup('internal.apiserver.k8s.io', 'v1alpha1', 'storageversions');
  const storageVersionManager =
    storageVersions && leases && profile.featureGates.get('StorageVersionAPI') === true && profile.featureGates.get('APIServerIdentity') !== false
      ? new StorageVersionRouter({ id, store, registry, types, storageVersions, leases, clock, log, updateSeconds: d.storageVersionUpdateSeconds, allMustResolve: facts.allPeersMustResolve })
      : undefined;
  let router: PeerRouter | undefined;
  let transport: PeerTransport | undefined;
  let discoveryRouter: DiscoveryRouter | undefined;
  let endpointLease: EndpointLeaseController | undefined;
  let merged: MergedDiscovery | undefined;
  let peerDiscoveryMetrics: PeerDiscoveryMetrics | undefined;
  const peerCache = peerCacheFilter(facts.extensionExclusion, clock, d, () => merged?.invalidate());
  if (gateOn && profile.mvpGeneration !== 'none') {
    endpointLease = new EndpointLeaseController({
      store,
      clock,
      log,
      id,
      address: () => peerAddress(config, deps.publicAddress, deps.port()),
      ttlSeconds: d.peerEndpointLeaseTtlSeconds,
      intervalSeconds: d.peerEndpointReconcileIntervalSeconds,
    });
    if (config.peerCAFile && leases) {
      const [ca, cert, key] = await Promise.all([readFile(config.peerCAFile, 'utf8'), readFile(config.proxyClientCertFile, 'utf8'), readFile(config.proxyClientKeyFile, 'utf8')]);
      transport = new PeerTransport({ ca, cert, key }, facts.sendsRemoteUid, { lookup: (address) => faultFor(store, id, address), clock, dialTimeoutMs: d.peerProxyDialTimeoutSeconds * 1000 });
      if (profile.mvpGeneration === 'storage-version') {
        router = storageVersionManager;
      } else {
        const accept =
          facts.peerDiscoveryNoPeer
            ? 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'
            : 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
        discoveryRouter = new DiscoveryRouter({
          id,
          store,
          registry,
          types,
          leases,
          transport,
          clock,
          log,
          localRefreshSeconds: d.localDiscoveryRefreshSeconds,
          options: { coreKey: facts.coreGroupKey, maxRetries: facts.peerDiscoveryMaxRetries, accept, keepGroups: facts.peerDiscoveryNoPeer },
          onSyncError: (type) => mvpMetrics.syncError(type),
          filter: peerCache,
          onFetch: (code) => mvpMetrics.rerouted(code),
        });
        router = discoveryRouter;
        const cache = discoveryRouter;
        if (profile.peerAggregatedDiscovery) {
          peerDiscoveryMetrics = new PeerDiscoveryMetrics(deps.metrics.registry);
          merged = new MergedDiscovery({ id, docs: deps.docs, peers: () => cache.peerDiscovery(), metrics: peerDiscoveryMetrics });
          deps.docs.onChange(() => merged?.invalidate());
        }
      }
    }
  }

  // 1.35–1.36 register the discovery counters whenever the gate is on, handler or not.
  if (!peerDiscoveryMetrics && registersPeerDiscoveryMetrics(facts.peerDiscoveryMetrics, gateOn, merged !== undefined)) {
    peerDiscoveryMetrics = new PeerDiscoveryMetrics(deps.metrics.registry);
  }

  const filter = router && transport ? withPeerProxy({ router, transport, metrics: mvpMetrics, random: deps.random }) : undefined;
  const peers: Peers = {
    id,
    async start(extensions = []) {
      await identity?.start();
      await endpointLease?.start();
      if (router !== storageVersionManager) await storageVersionManager?.start();
      await router?.start();
      if (discoveryRouter) peerCache.start(extensions);
    },
    async stop() {
      if (router !== storageVersionManager) storageVersionManager?.stop();
      router?.stop();
      peerCache.stop();
      await endpointLease?.stop();
      await identity?.stop();
      await transport?.close();
    },
  };
  if (filter) peers.filter = filter;
  if (discoveryRouter) peers.discoveryRouter = discoveryRouter;
  if (merged) peers.aggregatedApis = merged.hook();
  return peers;
}

/** The filter of the peer discovery cache that the minor's exclusion of CRD group/versions asks for. */
function peerCacheFilter(kind: VersionProfile['mvp']['extensionExclusion'], clock: Clock, d: ServerConfig['durations'], onChange: () => void): PeerCacheFilter {
  const gracePeriodMs = d.peerExclusionGracePeriodSeconds * 1000;
  switch (kind) {
    case 'exclusion-map':
      return new ExclusionMap({ clock, gracePeriodMs, reaperIntervalMs: d.peerExclusionReaperIntervalSeconds * 1000, onChange });
    case 'exclusion-manager':
      return new GVExclusionManager({ clock, gracePeriodMs, onChange });
    default:
      return new PassThroughPeerCache(onChange);
  }
}
