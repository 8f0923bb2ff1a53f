/**
 * The registry's storage codec hook: how an object of a resource type is written to and read from
 * the store. Built-in resources are stored without type meta and read at the served version as
 * they are. A custom resource type carries a conversion ({@link CustomResourceConversion}): its
 * objects are converted to the CRD's storage version and stored with that apiVersion recorded, and
 * converted back to the served version on every read, a list in one call, a watch event with its
 * previous object in one call.
 */
import type { ChangeEvent, JsonObject, StoredObject } from '../../storage/store.js';
import { toStorage, type KubeObject } from './object.js';
import type { ResourceType } from './resource-type.js';

/** True when objects of `type` go through a converter (reads and writes are then asynchronous). */
export function converts(type: ResourceType): boolean {
  return type.custom?.conversion !== undefined;
}

/** The apiVersion a stored value was written in, if it was recorded. */
export function recordedVersion(value: JsonObject): string | undefined {
  return typeof value.apiVersion === 'string' ? value.apiVersion : undefined;
}

/** The storage form of `obj` (in `type`'s version): converted to the storage version when `type` converts. */
export async function encodeStored(type: ResourceType, obj: KubeObject): Promise<JsonObject> {
  const conversion = type.custom?.conversion;
  if (!conversion) return toStorage(obj);
  const [converted] = await conversion.converter.convert([{ ...obj, apiVersion: type.groupVersion, kind: type.kind }], conversion.storageApiVersion);
  return toStorage(converted!, conversion.storageApiVersion);
}

/**
 * Stored objects with their values at `type`'s version, in order (one conversion call for all;
 * `asList` names the list kind in conversion errors).
 * A value without a recorded apiVersion was written before versions were recorded: it is taken to
 * be in the storage version.
 */
export async function decodeStored(type: ResourceType, stored: StoredObject[], asList = false): Promise<StoredObject[]> {
  const conversion = type.custom?.conversion;
  if (!conversion || stored.length === 0) return stored;
  const objects = stored.map((s) => ({ ...(s.value as KubeObject), apiVersion: recordedVersion(s.value) ?? conversion.storageApiVersion, kind: type.kind }));
  if (objects.every((o) => o.apiVersion === type.groupVersion)) return stored;
  const converted = await conversion.converter.convert(objects, type.groupVersion, asList ? type.listKind : undefined);
  return stored.map((s, i) => ({ ...s, value: converted[i] as JsonObject }));
}

/** One stored object at `type`'s version. */
export async function decodeOne(type: ResourceType, stored: StoredObject): Promise<StoredObject> {
  return (await decodeStored(type, [stored]))[0]!;
}

/** A watch event's object (and previous object) at `type`'s version, converted in one call. */
export async function decodeEvent(type: ResourceType, event: ChangeEvent): Promise<ChangeEvent> {
  const key = event.key;
  const stored: StoredObject[] = [{ key, rev: event.rev, createRev: 0, value: event.value }];
  if (event.prevValue) stored.push({ key, rev: event.prevRev ?? 0, createRev: 0, value: event.prevValue });
  const [current, previous] = await decodeStored(type, stored);
  return { ...event, value: current!.value, ...(previous ? { prevValue: previous.value } : {}) };
}
