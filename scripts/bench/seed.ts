/**
 * The benchmark's objects: one ConfigMap shape used by every phase on both sides, and seeding
 * through the Store with exactly the key and value an API create would store (the server's own
 * storage key layout and storage form), which is far faster than 10,000 API round trips.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../storage/store.js';
import { formatTime, toStorage, type KubeObject } from '../../server/registry/object.js';
import { storagePrefixOf } from '../../server/registry/resource-type.js';
import { trackUpdate } from '../../server/registry/managed-fields.js';
import { patchMeta } from '../../server/registry/patch-meta.js';

/** The size of the one data value of every benchmark ConfigMap, in characters. */
export const PAYLOAD_CHARS = 256;

const PAYLOAD = 'x'.repeat(PAYLOAD_CHARS);

/** How many seeding creates are in flight at once. */
const SEED_BATCH = 64;

/** The body a client POSTs to create ConfigMap `name` in `namespace`. */
export function configMapBody(namespace: string, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { app: 'kube-skew-bench' } },
    data: { 'config.yaml': PAYLOAD },
  };
}

/** The storage key of ConfigMap `name` in `namespace`, as the server computes it. */
export function configMapKey(namespace: string, name: string): string {
  return `${storagePrefixOf('', 'configmaps')}${namespace}/${name}`;
}

/** The name of the `i`th seeded ConfigMap: zero-padded so key order is numeric order. */
export function seededName(i: number): string {
  return `cm-${String(i).padStart(5, '0')}`;
}

/**
 * Stores `count` ConfigMaps in `namespace` as a create through the API would (uid, creationTimestamp,
 * managedFields, the namespace set, type meta dropped). The namespace must exist for the server to
 * serve them as it would API-created ones; the Store does not check.
 */
export async function seedConfigMaps(store: Store, namespace: string, count: number): Promise<void> {
  const creationTimestamp = formatTime(new Date());
  const one = async (i: number): Promise<void> => {
    const obj = configMapBody(namespace, seededName(i));
    obj.metadata = { ...obj.metadata, uid: randomUUID(), creationTimestamp };
    // The managed fields a create without fieldManager or user agent records.
    trackUpdate(undefined, obj, '', { apiVersion: 'v1', subresource: '', hasStatus: false, lookup: patchMeta({ group: '', version: 'v1', kind: 'ConfigMap' }) }, new Date(Date.parse(creationTimestamp)));
    await store.create(configMapKey(namespace, seededName(i)), toStorage(obj));
  };
  // A batch of creates in flight at once: a network store (etcd) takes a round trip per create.
  for (let first = 0; first < count; first += SEED_BATCH) {
    await Promise.all(Array.from({ length: Math.min(SEED_BATCH, count - first) }, (_, j) => one(first + j)));
  }
}
