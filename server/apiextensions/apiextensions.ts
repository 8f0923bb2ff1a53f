/**
 * The apiextensions-apiserver part of one server: its own CRD informer, the serving of custom
 * resources and their discovery from that informer, and the CRD controllers every kube-apiserver
 * runs (naming, establishing, API approval, finalizer), not leader-elected, writing through the registry as
 * upstream's write through their loopback client.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { VersionProfile } from '../../versions/types.js';
import type { DiscoveryDocs } from '../endpoints/discovery.js';
import type { OpenApiV3 } from '../endpoints/openapi.js';
import type { OpenApiV2 } from '../endpoints/openapi-v2.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import { CRD_GROUP, CRD_RESOURCE } from '../registry/custom/crd.js';
import { ApiApprovalController } from './api-approval-controller.js';
import { CrdInformer } from './crd-informer.js';
import { EstablishingController } from './establishing-controller.js';
import { FinalizerController } from './finalizer-controller.js';
import { NamingController } from './naming-controller.js';
import { serveCustomResources } from './serving.js';
import { ServiceResolver } from '../aggregator/service-resolver.js';

/** What the extensions need from their server. */
export interface ApiExtensionsDeps {
  registry: Registry;
  types: ResourceTypes;
  docs: DiscoveryDocs;
  /** The OpenAPI v3 documents the custom resources' documents join. */
  openapi?: OpenApiV3;
  /** The OpenAPI v2 document, when the server publishes it. */
  openapiV2?: OpenApiV2;
  profile: VersionProfile;
  clock: Clock;
  log: Logger;
  /** How long a CRD stays Installing before the establishing controller establishes it. */
  establishingDelayMs: number;
}

/** The running extensions of one server. */
export interface ApiExtensions {
  /** The server's CRD informer (the Mixed Version Proxy's exclusion follows it). */
  crds: CrdInformer;
  /** Stop the controllers and the informer. */
  stop(): void;
}

/**
 * Start serving CRDs; resolves after the informer's first LIST. Undefined when the server does not
 * serve apiextensions.k8s.io/v1 (then no CRD can exist through it).
 */
export async function startApiExtensions(deps: ApiExtensionsDeps): Promise<ApiExtensions | undefined> {
  const crds = deps.types.lookup(CRD_GROUP, 'v1', CRD_RESOURCE);
  if (!crds) return undefined;
  const log = deps.log.child({ component: 'apiextensions' });
  const informer = new CrdInformer({ registry: deps.registry, crds, clock: deps.clock, log });
  serveCustomResources(informer, { types: deps.types, docs: deps.docs, profile: deps.profile, serviceDialer: new ServiceResolver(deps.registry, deps.types), ...(deps.openapi ? { openapi: deps.openapi } : {}), ...(deps.openapiV2 ? { openapiV2: deps.openapiV2 } : {}) });
  const common = { informer, registry: deps.registry, crds, clock: deps.clock };
  const controllers = [
    new NamingController({ ...common, log: log.child({ controller: 'crd-naming' }) }),
    new EstablishingController({ ...common, log: log.child({ controller: 'crd-establishing' }), delayMs: deps.establishingDelayMs }),
    new ApiApprovalController({ ...common, log: log.child({ controller: 'crd-api-approval' }) }),
    new FinalizerController({ ...common, log: log.child({ controller: 'crd-finalizer' }) }),
  ];
  await informer.start();
  for (const c of controllers) c.start();
  return {
    crds: informer,
    stop() {
      for (const c of controllers) c.stop();
      informer.stop();
    },
  };
}
