/**
 * The strategy of custom resources, as apiextensions-apiserver's customResourceStrategy: generation
 * starts at 1 and increments on any change outside `metadata`; with the status subresource, create
 * drops `status` and updates keep the stored one; no create on update; every write is pruned,
 * its embedded resources coerced, and defaulted against the version's structural schema first.
 */
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import type { Strategy } from '../strategy.js';
import { applyDefaults } from './default.js';
import { pruneObject } from './prune.js';
import { coerceEmbedded } from './embedded.js';

const cache = new WeakMap<ResourceType, Strategy>();

/** Everything but `metadata`: what a generation change compares for custom resources. */
function nonMetadata(obj: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'metadata' && k !== 'kind' && k !== 'apiVersion') out[k] = v;
  return out;
}

/** The strategy of a custom resource type (built once per type). */
export function customResourceStrategy(type: ResourceType): Strategy {
  let strategy = cache.get(type);
  if (strategy) return strategy;
  const schema = type.custom?.schema;
  strategy = {
    tracksGeneration: true,
    allowCreateOnUpdate: false,
    hasStatus: type.subresources.has('status'),
    canonicalize(obj) {
      pruneObject(obj, schema);
      coerceEmbedded(obj, schema, true);
      applyDefaults(obj, schema);
    },
    generationSubject: nonMetadata,
  };
  cache.set(type, strategy);
  return strategy;
}
