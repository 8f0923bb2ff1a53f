/**
 * What the generators aim at: the resource endpoints of the fuzz namespace and cluster-scoped ones,
 * with a well-formed object for each that a generator then breaks.
 */
import type { Rng } from '../rng.js';
import { FUZZ_NAMESPACE, TARGET_CONFIGMAP } from '../case.js';

/** One resource endpoint. */
export interface Target {
  /** The collection path, e.g. `/api/v1/namespaces/fuzz/configmaps`. */
  collection: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** A well-formed object of this kind named `name`. */
  object(name: string): Record<string, unknown>;
}

const ns = FUZZ_NAMESPACE;

export const TARGETS: readonly Target[] = [
  {
    collection: `/api/v1/namespaces/${ns}/configmaps`,
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespaced: true,
    object: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { app: 'fuzz' } }, data: { key: 'value' } }),
  },
  {
    collection: `/api/v1/namespaces/${ns}/secrets`,
    apiVersion: 'v1',
    kind: 'Secret',
    namespaced: true,
    object: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', data: { key: 'dmFsdWU=' } }),
  },
  {
    collection: `/apis/apps/v1/namespaces/${ns}/deployments`,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespaced: true,
    object: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    }),
  },
  {
    collection: `/api/v1/namespaces/${ns}/pods`,
    apiVersion: 'v1',
    kind: 'Pod',
    namespaced: true,
    object: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }),
  },
  {
    collection: '/api/v1/namespaces',
    apiVersion: 'v1',
    kind: 'Namespace',
    namespaced: false,
    object: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  },
];

/** The ConfigMap target (updates and patches aim at {@link TARGET_CONFIGMAP} in it). */
export const CONFIGMAPS = TARGETS[0]!;

/** A random target. */
export function pickTarget(rng: Rng): Target {
  return rng.pick(TARGETS);
}

/** A name no object has: writes that get through create something the fuzzer can recognise. */
export function freshName(rng: Rng): string {
  return `fz-${rng.string(10)}`;
}

/** The path of the object every update and patch aims at. */
export const TARGET_PATH = `${CONFIGMAPS.collection}/${TARGET_CONFIGMAP}`;

/** A write's method and path: a create on a collection, or an update of the target ConfigMap. */
export function writeEndpoint(rng: Rng): { method: string; path: string; target: Target; name: string } {
  if (rng.chance(0.3)) return { method: 'PUT', path: TARGET_PATH, target: CONFIGMAPS, name: TARGET_CONFIGMAP };
  const target = pickTarget(rng);
  return { method: 'POST', path: target.collection, target, name: freshName(rng) };
}
