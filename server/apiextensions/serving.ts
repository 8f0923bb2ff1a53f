/**
 * What a server serves from its own view of CRDs, as upstream's CRD handler, discovery controller
 * and OpenAPI controllers keep it: after every informer event the custom ResourceTypes (CRDs whose
 * names are accepted or that are established; the registry then serves every verb for them), the
 * custom group/versions of discovery and the OpenAPI v3 documents and v2 definitions of custom
 * resources (established CRDs only) are rebuilt from the informer's store.
 */
import { celEnvironmentFacts } from '../../versions/cel.js';
import type { VersionProfile } from '../../versions/types.js';
import type { DiscoveryDocs } from '../endpoints/discovery.js';
import type { OpenApiV3 } from '../endpoints/openapi.js';
import { customOpenApiDocs } from '../endpoints/custom-openapi.js';
import type { OpenApiV2 } from '../endpoints/openapi-v2.js';
import { customOpenApiV2Definitions } from '../endpoints/custom-openapi-v2.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import { customGroupVersions } from '../registry/custom/group-versions.js';
import { customResourceTypes } from '../registry/custom/resource-type.js';
import { FIELD_SELECTORS_GATE } from '../registry/custom/crd-strategy.js';
import type { CrdInformer } from './crd-informer.js';
import type { ServiceDialer } from '../registry/custom/conversion/webhook-converter.js';

/** What serving custom resources updates. */
export interface CustomServingTargets {
  types: ResourceTypes;
  docs: DiscoveryDocs;
  /** The OpenAPI v3 documents, when the server publishes them. */
  openapi?: OpenApiV3;
  /** The OpenAPI v2 document, when the server publishes it. */
  openapiV2?: OpenApiV2;
  profile: VersionProfile;
  /** Resolves the Services of conversion webhooks. */
  serviceDialer?: ServiceDialer;
}

/** Keep the targets in line with the informer; returns nothing to stop (the informer stops). */
export function serveCustomResources(informer: CrdInformer, targets: CustomServingTargets): void {
  const gates = targets.profile.featureGates;
  const options = {
    optionalOldSelf: gates.get('CRDValidationRatcheting') === true,
    celLibraries: celEnvironmentFacts(targets.profile.minor).storedExpressions,
    fieldSelectors: gates.get(FIELD_SELECTORS_GATE) === true,
    ...(targets.serviceDialer ? { serviceDialer: targets.serviceDialer } : {}),
  };
  const rebuild = (): void => {
    const crds = informer.list();
    targets.types.setCustom(crds.flatMap((crd) => customResourceTypes(crd, options)));
    targets.docs.setCustomGroups(customGroupVersions(crds));
    targets.openapi?.setCustom(customOpenApiDocs(targets.profile, crds));
    targets.openapiV2?.setCustom(customOpenApiV2Definitions(targets.profile, crds));
  };
  informer.addHandlers({ onAdd: rebuild, onUpdate: rebuild, onDelete: rebuild });
}
