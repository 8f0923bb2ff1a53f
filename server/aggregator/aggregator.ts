/**
 * The kube-aggregator part of one server: its APIService informer, the autoregister controller with
 * the server's built-in group/versions (on start) and its CRD group/versions (always), the local
 * and remote availability controllers, discovery built from APIServices (legacy `/apis` and
 * `/apis/<group>`, the remote group/versions), the `autoregister-completion` check, and the proxy
 * filter the chain installs below the mixed version proxy.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Filter } from '../http/context.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import type { DiscoveryDocs } from '../endpoints/discovery.js';
import type { VersionProfile } from '../../versions/types.js';
import { apiServicePriority } from '../../versions/apiservice-priorities.js';
import { RegistryInformer, type CrdInformer } from '../apiextensions/crd-informer.js';
import { apiServiceName, isAvailable, type APIService } from './apiservice.js';
import { AutoRegisterController } from './autoregister.js';
import { registerCrdApiServices } from './crd-registration.js';
import { legacyGroupsFromApiServices, remoteGroupVersions } from './discovery.js';
import { LocalAvailableController } from './local-available.js';
import { RemoteAvailableController } from './remote-available.js';
import { ServiceResolver } from './service-resolver.js';
import { withAggregatorProxy } from './proxy-filter.js';
import { AuthenticationTrustPublisher, type AuthenticationInfo } from './authentication-trust.js';

/** What the aggregator needs from its server. */
export interface AggregatorDeps {
  registry: Registry;
  types: ResourceTypes;
  docs: DiscoveryDocs;
  profile: VersionProfile;
  clock: Clock;
  log: Logger;
  /** The proxy-client certificate and key (PEM), from `--proxy-client-cert-file`/`--proxy-client-key-file`. */
  clientCert?: { cert: string; key: string };
  /** How often remote APIServices are probed again, in milliseconds. */
  availabilityResyncMs: number;
  /** This server's authentication settings, published in `kube-system/extension-apiserver-authentication`. */
  trust?: AuthenticationInfo;
}

/** The aggregator of one server. */
export interface Aggregator {
  /** The proxy filter (installed by the chain). */
  filter: Filter;
  /** Start the informer and the controllers; resolves after the informer's first LIST. */
  start(crds?: CrdInformer): Promise<void>;
  /**
   * The built-in APIServices this server registers that have not yet been seen `Available`, as
   * upstream's `autoregister-completion` check: once seen, a name never comes back, so an
   * APIService deleted later does not make the server unready.
   */
  pendingApiServices(): string[];
  stop(): void;
  /** The APIService informer (the MVP's exclusion follows aggregated APIServices through it). */
  apiServices: RegistryInformer<APIService>;
}

/** The APIServices kube-apiserver registers for the built-in group/versions it serves. */
export function builtInApiServices(profile: VersionProfile): APIService[] {
  const out: APIService[] = [];
  for (const gv of profile.groups) {
    const p = apiServicePriority(gv.group, gv.version);
    if (!p) continue;
    out.push({ metadata: { name: apiServiceName(gv.group, gv.version) }, spec: { group: gv.group, version: gv.version, groupPriorityMinimum: p.group, versionPriority: p.version } });
  }
  return out;
}

/** Build the aggregator; undefined when the server does not serve apiregistration.k8s.io/v1. */
export function createAggregator(deps: AggregatorDeps): Aggregator | undefined {
  const apiServices = deps.types.lookup('apiregistration.k8s.io', 'v1', 'apiservices');
  if (!apiServices) return undefined;
  const log = deps.log.child({ component: 'aggregator' });
  const informer = new RegistryInformer<APIService>({ registry: deps.registry, type: apiServices, clock: deps.clock, log });
  const resolver = new ServiceResolver(deps.registry, deps.types);
  const common = { registry: deps.registry, apiServices, informer, clock: deps.clock };
  const autoregister = new AutoRegisterController({ ...common, log: log.child({ controller: 'autoregister' }) });
  const local = new LocalAvailableController({ ...common, log: log.child({ controller: 'local-available' }) });
  const remote = new RemoteAvailableController({
    ...common,
    log: log.child({ controller: 'remote-available' }),
    resolver,
    resyncMs: deps.availabilityResyncMs,
    ...(deps.clientCert ? { clientCert: deps.clientCert } : {}),
  });
  const configMaps = deps.types.lookup('', 'v1', 'configmaps');
  const trust =
    deps.trust && configMaps
      ? new AuthenticationTrustPublisher({ registry: deps.registry, configMaps, info: deps.trust, clock: deps.clock, log: log.child({ controller: 'cluster-authentication-trust' }) })
      : undefined;
  let synced = false;
  const publish = (): void => {
    deps.docs.setAggregatedGroups(remoteGroupVersions(informer.list(), remote.resources));
    if (synced) deps.docs.setLegacyGroups(legacyGroupsFromApiServices(informer.list()));
  };
  const builtIns = builtInApiServices(deps.profile);
  const pending = new Set(builtIns.map((s) => s.metadata?.name ?? ''));
  const seen = (svc: APIService): void => {
    if (isAvailable(svc)) pending.delete(svc.metadata?.name ?? '');
  };
  informer.addHandlers({
    onAdd: (s) => (seen(s), publish()),
    onUpdate: (_o, s) => (seen(s), publish()),
    onDelete: publish,
  });
  remote.onChange(publish);
  for (const svc of builtIns) autoregister.addOnStart(svc);
  const filter = withAggregatorProxy({
    apiService: (name) => informer.get(name),
    resolver,
    sendUid: deps.profile.featureGates.get('RemoteRequestHeaderUID') === true,
    ...(deps.clientCert ? { clientCert: deps.clientCert } : {}),
  });
  return {
    filter,
    apiServices: informer,
    async start(crds) {
      await informer.start();
      synced = true;
      for (const svc of informer.list()) seen(svc);
      publish();
      if (crds) registerCrdApiServices(crds, autoregister);
      autoregister.start();
      local.start();
      remote.start();
      trust?.start();
    },
    pendingApiServices: () => [...pending].sort(),
    stop() {
      trust?.stop();
      autoregister.stop();
      local.stop();
      remote.stop();
      informer.stop();
    },
  };
}
