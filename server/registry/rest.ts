/**
 * The generic REST registry: get, list, create, update, patch, delete and deletecollection for any
 * resource type over the Store, with upstream's object-meta rules (uid, creationTimestamp,
 * generateName, generation, deletionTimestamp and finalizers), per-kind strategies, namespace
 * lifecycle checks and Status errors. Storage errors become Status errors through storage-errors.ts,
 * and nowhere above the registry.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeEvent, ChangeType, Preconditions, Store, StoredObject, Watcher } from '../../storage/store.js';
import { NO_CHANGE } from '../../storage/store.js';
import { isStorageError } from '../../storage/errors.js';
import type { Clock } from '../clock.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  isStatusError,
  namespaceTerminating,
  notFound,
  StatusError,
  successStatus,
  timeout,
  type FieldError,
  type SuccessStatus,
} from '../errors/status.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { interpretListError, interpretStorageError, interpretWatchError } from './storage-errors.js';
import { exactListRevision, type ListOptions } from './list-options.js';
import { clone, formatTime, metaOf, toStorage, toWire, type KubeObject } from './object.js';
import { listPrefix, storageKey, storagePrefixOf, type ResourceType } from './resource-type.js';
import { specOf, strategyFor } from './strategy.js';
import { objectValidator } from './admission.js';
import { selectionFor, type Selection } from './selection.js';
import { recordWrite, type FieldManagerOptions } from './managed-fields.js';
import { converts, decodeOne, decodeStored, encodeStored, recordedVersion } from './codec.js';
import type { KindWriteHooks, WriteHooks, WriteTransaction } from './write-hooks.js';

/** Upstream's optimistic-lock message for a stale resourceVersion on update. */
export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

const NAMESPACES = { group: '', resource: 'namespaces' };
/** How often a write decided on one revision is decided again when another write got in first. */
const MAX_WRITE_ATTEMPTS = 10;
/** Thrown inside a deletion whose object gained a finalizer since it was read. */
const NOW_GRACEFUL = new Error('the object gained a finalizer since it was read');
const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATE_NAME_MAX_PREFIX = 58;

/** Options of writes. */
export interface WriteOptions {
  /** `dryRun=All`: run every check, persist nothing. */
  dryRun?: boolean;
  /** The subresource written (`status`), or '' for the main resource. */
  subresource?: string;
  /** Who writes, for `metadata.managedFields`; writes without one leave them as they were. */
  fieldManager?: FieldManagerOptions;
  /** A check of the object the write computed (the RBAC escalation check); throws a StatusError to refuse. */
  guard?: WriteGuard;
  /**
   * Accept loopback addresses in Endpoints and EndpointSlices. Only the in-process `kubernetes`
   * Endpoints reconciler sets it: kube-skew's servers share one machine and advertise 127.0.0.1,
   * which upstream's validation would refuse (upstream's own integration servers advertise a
   * non-loopback address for that reason). Client writes never carry it.
   */
  allowLoopbackEndpoints?: boolean;
}

/**
 * A synchronous check of the object a create or update is about to store, with the current object
 * on update; it runs inside the write (on a patch's result too) and throws a StatusError to refuse,
 * as upstream's storage wrappers check an `UpdatedObjectInfo`.
 */
export type WriteGuard = (obj: KubeObject, old?: KubeObject) => void;

/** A DeleteOptions body, as far as kube-skew honours it. */
export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

/** The result of a list: items in wire form plus list metadata. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** The result of a delete: the object when deletion waits on finalizers, else a success Status. */
export interface DeleteResult {
  deleted: boolean;
  body: KubeObject | SuccessStatus;
}

/** Callbacks of {@link Registry.watch}. */
export interface RegistryWatchHandlers {
  /** One change, the object in wire form (for DELETED, its last state). */
  onEvent(type: ChangeType, obj: KubeObject): void;
  /** The watch ended (e.g. compacted past); no event follows. */
  onError?(err: Error): void;
}

/** Callbacks of {@link Registry.watchChanges}. */
export interface ChangeWatchHandlers {
  /** One stored change, in revision order. */
  onEvent(event: ChangeEvent): void;
  /** The watch ended; `err` is a Status error (410 Expired for a compacted revision). */
  onError(err: StatusError): void;
}

/** Dependencies of the registry. */
export interface RegistryDeps {
  store: Store;
  clock: Clock;
  /** Random source for generateName suffixes; injectable for tests. */
  random?: () => number;
  /**
   * Whether creates check that their namespace exists and is not terminating in this store (default
   * true); false for a server whose namespaces live in another (an aggregated API server).
   */
  namespaceLifecycle?: boolean;
  /** Per-kind work besides storing (Service allocation); see {@link Registry.setWriteHooks}. */
  writeHooks?: WriteHooks;
}

/** One update or patch: what {@link Registry.mutate} decides a write on. */
interface Mutation {
  type: ResourceType;
  namespace: string;
  name: string;
  /** The client's desired object, from the current one. */
  desired: (current: KubeObject) => KubeObject;
  opts: WriteOptions;
  /** The body to create when the object is missing and the kind allows create-on-update. */
  createBody: KubeObject | undefined;
}

/** The generic registry over one Store. */
export class Registry {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly namespaceLifecycle: boolean;
  private writeHooks: WriteHooks | undefined;

  constructor(deps: RegistryDeps) {
    this.namespaceLifecycle = deps.namespaceLifecycle !== false;
    this.writeHooks = deps.writeHooks;
    this.store = deps.store;
    this.clock = deps.clock;
    this.random = deps.random ?? Math.random;
  }

  /**
   * Install the per-kind write hooks; hooks that write other objects through this registry (the
   * IPAddress allocator) are built after it, hence a setter.
   */
  setWriteHooks(hooks: WriteHooks): void {
    this.writeHooks = hooks;
  }

  /** The hooks of a write of `type`'s main resource, if its kind has any. */
  private hooksFor(type: ResourceType, opts: WriteOptions): KindWriteHooks | undefined {
    return opts.subresource ? undefined : this.writeHooks?.forType(type);
  }

  /** Run `fn`, translating storage errors into Status errors for `type`/`name`. */
  private async run<T>(type: ResourceType, name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw interpretStorageError(err, type, name);
    }
  }

  /** GET one object. */
  async get(type: ResourceType, namespace: string, name: string): Promise<KubeObject> {
    return this.run(type, name, async () => {
      const stored = await this.store.get(storageKey(type, namespace, name));
      if (!stored) throw notFound(type.gr, name);
      return toWire(type, await decodeOne(type, stored));
    });
  }

  /** The store's current revision (a list's resourceVersion when nothing else applies). */
  currentRevision(): Promise<number> {
    return this.store.currentRevision();
  }

  /** LIST with selectors, limit/continue and resourceVersion semantics. */
  async list(type: ResourceType, namespace: string, opts: ListOptions): Promise<ListResult> {
    const selection = selectionFor(type, opts.labelSelector, opts.fieldSelector);
    const prefix = listPrefix(type, namespace);
    return this.run(type, '', async () => {
      let afterKey: string | undefined;
      let atRev: number | undefined;
      if (opts.continue) {
        if (opts.resourceVersion !== '') throw badRequest('specifying resource version is not allowed when using continue');
        const decoded = decodeContinue(opts.continue, prefix);
        afterKey = decoded.afterKey;
        atRev = decoded.rev;
      } else if (opts.resourceVersion !== '' && opts.resourceVersion !== '0') {
        const rv = Number(opts.resourceVersion);
        const current = await this.store.currentRevision();
        if (rv > current) throw timeout(`Too large resource version: ${rv}, current: ${current}`, 1);
        atRev = exactListRevision(opts);
      }
      try {
        const listOpts: Parameters<Store['list']>[1] = { filter: (v) => selection.matches(v as KubeObject) };
        if (opts.limit > 0) listOpts.limit = opts.limit;
        if (afterKey !== undefined) listOpts.afterKey = afterKey;
        if (atRev !== undefined) listOpts.atRev = atRev;
        const page = await this.store.list(prefix, listOpts);
        const result: ListResult = {
          items: (await decodeStored(type, page.items, true)).map((s) => toWire(type, s, false)),
          resourceVersion: String(page.rev),
        };
        if (page.continueKey !== undefined) {
          result.continue = encodeContinue(prefix, page.continueKey, page.rev);
          if (page.remaining !== undefined && selection.empty) result.remainingItemCount = page.remaining;
        }
        return result;
      } catch (err) {
        throw interpretListError(err, type, prefix, afterKey);
      }
    });
  }

  /** Check the namespace exists and is not terminating before creating in it. */
  private async admitNamespace(type: ResourceType, namespace: string, name: string): Promise<void> {
    if (!type.namespaced || !this.namespaceLifecycle) return;
    const ns = await this.store.get(`${storagePrefixOf('', 'namespaces')}${namespace}`);
    if (!ns) throw notFound(NAMESPACES, namespace);
    const phase = ((ns.value as KubeObject).status as { phase?: string } | undefined)?.phase;
    if (phase === 'Terminating' || (ns.value as KubeObject).metadata?.deletionTimestamp) throw namespaceTerminating(type.gr, name, namespace);
  }

  private generateName(prefix: string): string {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += GENERATE_NAME_ALPHABET[Math.floor(this.random() * GENERATE_NAME_ALPHABET.length)];
    return prefix.slice(0, GENERATE_NAME_MAX_PREFIX) + suffix;
  }

  /** Check a body's type meta against the endpoint it was sent to. */
  private checkTypeMeta(type: ResourceType, obj: KubeObject): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== type.groupVersion) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${type.groupVersion})`);
    }
    if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== type.kind) {
      throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${type.kind})`);
    }
  }

  /** Bring the body's namespace in line with the request's, as `rest.BeforeCreate`/`BeforeUpdate` do. */
  private checkNamespace(type: ResourceType, obj: KubeObject, namespace: string): void {
    const meta = metaOf(obj);
    if (type.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
  }

  /** POST: create an object. */
  async create(type: ResourceType, namespace: string, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const obj = clone(body);
    this.checkTypeMeta(type, obj);
    this.checkNamespace(type, obj, namespace);
    const meta = metaOf(obj);
    if (!meta.name && meta.generateName) meta.name = this.generateName(meta.generateName);
    const name = meta.name ?? '';
    const strategy = strategyFor(type);
    strategy.canonicalize?.(obj);
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(this.clock.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.selfLink;
    if (strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    if (strategy.hasStatus) delete obj.status;
    strategy.prepareForCreate?.(obj);
    recordWrite(type, undefined, obj, opts, this.clock.now(), strategy.hasStatus);
    const hooks = this.hooksFor(type, opts);
    if (!hooks) return this.createChecked(type, namespace, name, obj, opts);
    // Upstream's BeginCreate runs before validation; its work is undone when the create fails.
    const txn = await hooks.beginCreate(obj, opts.dryRun === true);
    let created: KubeObject;
    try {
      created = await this.createChecked(type, namespace, name, obj, opts);
    } catch (err) {
      await txn.revert();
      throw err;
    }
    await txn.commit();
    return created;
  }

  /** Validate a prepared create and store it. */
  private async createChecked(type: ResourceType, namespace: string, name: string, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    this.validate(type, obj, true, undefined, opts);
    opts.guard?.(obj);
    return this.run(type, name, async () => {
      await this.admitNamespace(type, namespace, name);
      const key = storageKey(type, namespace, name);
      if (opts.dryRun) {
        if (await this.store.get(key)) throw alreadyExists(type.gr, name);
        return toWire(type, { key, rev: 0, createRev: 0, value: toStorage(obj) });
      }
      const stored = await this.store.create(key, await encodeStored(type, obj));
      return toWire(type, await decodeOne(type, stored));
    });
  }

  private validate(type: ResourceType, obj: KubeObject, isCreate: boolean, old?: KubeObject, opts: WriteOptions = {}): void {
    const errors: FieldError[] = objectValidator(type)(obj, isCreate, old, { allowLoopbackEndpoints: opts.allowLoopbackEndpoints === true });
    if (errors.length > 0) throw invalid(type.gk, metaOf(obj).name ?? '', errors);
  }

  /**
   * Compute the object a write produces from the current one: the shared core of update and patch.
   * `next` is the client's desired object. Throws a StatusError to refuse.
   */
  private prepareUpdate(type: ResourceType, namespace: string, name: string, current: StoredObject, next: KubeObject, opts: WriteOptions): KubeObject {
    const out = this.computeUpdate(type, namespace, name, current, next, opts);
    this.checkUpdate(type, out, current, opts);
    return out;
  }

  /** The object an update produces, before validation (see {@link prepareUpdate}). */
  private computeUpdate(type: ResourceType, namespace: string, name: string, current: StoredObject, next: KubeObject, opts: WriteOptions): KubeObject {
    const old = current.value as KubeObject;
    const oldMeta = old.metadata ?? {};
    const obj = clone(next);
    this.checkTypeMeta(type, obj);
    this.checkNamespace(type, obj, namespace);
    const meta = metaOf(obj);
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    meta.name = name;
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== String(current.rev)) {
      throw conflict(type.gr, name, OPTIMISTIC_LOCK_MESSAGE);
    }
    if (meta.uid && oldMeta.uid && meta.uid !== oldMeta.uid) {
      throw conflict(type.gr, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${oldMeta.uid}`);
    }
    const strategy = strategyFor(type);
    let out: KubeObject;
    if (opts.subresource === 'status') {
      out = { ...clone(old), status: obj.status };
      if (out.status === undefined) delete out.status;
    } else if (opts.subresource === 'finalize') {
      out = clone(old);
      const finalizers = (obj.spec as { finalizers?: unknown } | undefined)?.finalizers;
      out.spec = { ...((out.spec as object) ?? {}), finalizers: Array.isArray(finalizers) ? finalizers : [] };
    } else {
      out = obj;
      const outMeta = metaOf(out);
      outMeta.uid = oldMeta.uid;
      if (oldMeta.creationTimestamp) outMeta.creationTimestamp = oldMeta.creationTimestamp;
      if (oldMeta.deletionTimestamp) outMeta.deletionTimestamp = oldMeta.deletionTimestamp;
      else delete outMeta.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined) outMeta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      else delete outMeta.deletionGracePeriodSeconds;
      if (oldMeta.generateName !== undefined && outMeta.generateName === undefined) outMeta.generateName = oldMeta.generateName;
      if (strategy.hasStatus) {
        if (old.status === undefined) delete out.status;
        else out.status = clone(old.status);
      }
      strategy.prepareForUpdate?.(out, old);
      if (strategy.tracksGeneration) {
        const generation = oldMeta.generation ?? 1;
        const subject = strategy.generationSubject ?? specOf;
        const changed = JSON.stringify(subject(out)) !== JSON.stringify(subject(old));
        outMeta.generation = changed ? generation + 1 : generation;
      } else if (oldMeta.generation !== undefined) {
        outMeta.generation = oldMeta.generation;
      } else {
        delete outMeta.generation;
      }
    }
    strategy.canonicalize?.(out);
    recordWrite(type, old, out, opts, this.clock.now(), strategy.hasStatus);
    return out;
  }

  /** Validate an update's object against the stored one and run the write's guard. */
  private checkUpdate(type: ResourceType, out: KubeObject, current: StoredObject, opts: WriteOptions): void {
    const old = current.value as KubeObject;
    const oldMeta = old.metadata ?? {};
    // Validation sees the resourceVersion the write is based on, as upstream's unconditional update fills it in.
    metaOf(out).resourceVersion = String(current.rev);
    const oldWithRV: KubeObject = { ...old, metadata: { ...oldMeta, resourceVersion: String(current.rev) } };
    this.validate(type, out, false, oldWithRV, opts);
    delete metaOf(out).resourceVersion;
    opts.guard?.(out, old);
  }

  /**
   * PUT: replace an object (or its status). A missing object is created only for kinds that allow
   * create-on-update. Returns the object and whether it was created.
   */
  async update(
    type: ResourceType,
    namespace: string,
    name: string,
    body: KubeObject,
    opts: WriteOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    return this.mutate(type, namespace, name, () => body, opts, strategyFor(type).allowCreateOnUpdate && !opts.subresource ? body : undefined);
  }

  /**
   * PATCH: apply `patch` to the current object and write the result. `patch` runs inside the write
   * transaction and must be synchronous; it throws a StatusError to refuse.
   */
  async patch(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: (current: KubeObject) => KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    return (await this.mutate(type, namespace, name, patch, opts, undefined)).object;
  }

  private async mutate(
    type: ResourceType,
    namespace: string,
    name: string,
    desired: (current: KubeObject) => KubeObject,
    opts: WriteOptions,
    createBody: KubeObject | undefined,
  ): Promise<{ object: KubeObject; created: boolean }> {
    const key = storageKey(type, namespace, name);
    return this.run(type, name, async () => {
      const hooks = this.hooksFor(type, opts);
      if (hooks) return this.mutateWithHooks(key, { type, namespace, name, desired, opts, createBody }, hooks);
      if (opts.dryRun) {
        const stored = await this.store.get(key);
        if (!stored) {
          if (createBody) return { object: await this.create(type, namespace, { ...createBody }, opts), created: true };
          throw notFound(type.gr, name);
        }
        const current = await decodeOne(type, stored);
        const out = this.prepareUpdate(type, namespace, name, current, desired(toWire(type, current)), opts);
        return { object: toWire(type, { ...current, value: toStorage(out) }), created: false };
      }
      if (converts(type)) return this.mutateConverted(key, { type, namespace, name, desired, opts, createBody });
      // A write that leaves an object marked for deletion without finalizers deletes it instead, as
      // upstream's Store.Update does (errEmptiedFinalizers, then deleteWithoutFinalizers): the emptied
      // object is never stored, so watchers see one DELETED event and a crash between two writes cannot
      // leave it behind with nobody left to delete it. The deletion is conditional on the revision the
      // decision was made on; when another write came first, the decision is made again.
      for (let attempt = 1; ; attempt++) {
        let emptied: { object: KubeObject; rev: number } | undefined;
        let stored: StoredObject;
        try {
          stored = await this.store.update(key, (current) => {
            emptied = undefined;
            const out = this.prepareUpdate(type, namespace, name, current, desired(toWire(type, current)), opts);
            if (deletesOnUpdate(type, out)) {
              emptied = { object: out, rev: current.rev };
              return NO_CHANGE;
            }
            const value = toStorage(out);
            return JSON.stringify(value) === JSON.stringify(current.value) ? NO_CHANGE : value;
          });
        } catch (err) {
          if (createBody && isStorageError(err, 'KeyNotFound')) return this.createOnUpdate(type, namespace, name, createBody, opts);
          throw err;
        }
        if (emptied === undefined) return { object: toWire(type, stored), created: false };
        const deleted = await this.deleteEmptied(type, key, emptied, attempt);
        if (deleted) return deleted;
      }
    });
  }

  /**
   * {@link mutate} for a type whose objects are converted (custom resources): the current object is
   * read and converted to the request's version, the write decided on it and converted to the
   * storage version, then written only if the object is still at the revision read; otherwise the
   * write is decided again, as upstream's GuaranteedUpdate does on a stale cached object.
   */
  private async mutateConverted(key: string, m: Mutation): Promise<{ object: KubeObject; created: boolean }> {
    const { type, namespace, name, desired, opts, createBody } = m;
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.get(key);
      if (!stored) {
        if (createBody) return this.createOnUpdate(type, namespace, name, createBody, opts);
        throw notFound(type.gr, name);
      }
      const current = await decodeOne(type, stored);
      const out = this.prepareUpdate(type, namespace, name, current, desired(toWire(type, current)), opts);
      if (deletesOnUpdate(type, out)) {
        const deleted = await this.deleteEmptied(type, key, { object: out, rev: stored.rev }, attempt);
        if (deleted) return deleted;
        continue;
      }
      const value = await encodeStored(type, out);
      if (JSON.stringify(value) === JSON.stringify(stored.value)) return { object: toWire(type, current), created: false };
      try {
        const written = await this.store.update(key, () => value, { rev: stored.rev });
        return { object: toWire(type, await decodeOne(type, written)), created: false };
      } catch (err) {
        if (isStorageError(err, 'Conflict') && attempt < MAX_WRITE_ATTEMPTS) continue;
        if (isStorageError(err, 'KeyNotFound') && attempt < MAX_WRITE_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /**
   * {@link mutate} for a kind with write hooks (Services): the update is computed on the object read,
   * the hooks' work (allocations) done before validation, then the object written only if it is
   * still at the revision read; otherwise the hooks' work is undone and the write decided again.
   * A dry run runs the hooks in their dry-run mode and writes nothing.
   */
  private async mutateWithHooks(key: string, m: Mutation, hooks: KindWriteHooks): Promise<{ object: KubeObject; created: boolean }> {
    const { type, namespace, name, desired, opts, createBody } = m;
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.get(key);
      if (!stored) {
        if (createBody) return this.createOnUpdate(type, namespace, name, createBody, opts);
        throw notFound(type.gr, name);
      }
      const current = await decodeOne(type, stored);
      const old = current.value as KubeObject;
      const out = this.computeUpdate(type, namespace, name, current, desired(toWire(type, current)), opts);
      const txn: WriteTransaction = await hooks.beginUpdate(out, old, opts.dryRun === true);
      let result: { object: KubeObject; created: boolean } | undefined;
      try {
        this.checkUpdate(type, out, current, opts);
        if (opts.dryRun) {
          result = { object: toWire(type, { ...current, value: toStorage(out) }), created: false };
        } else if (deletesOnUpdate(type, out)) {
          await txn.revert();
          const deleted = await this.deleteEmptied(type, key, { object: out, rev: stored.rev }, attempt, old);
          if (deleted) return deleted;
          continue;
        } else {
          const value = await encodeStored(type, out);
          if (JSON.stringify(value) === JSON.stringify(stored.value)) result = { object: toWire(type, current), created: false };
          else result = { object: toWire(type, await decodeOne(type, await this.store.update(key, () => value, { rev: stored.rev }))), created: false };
        }
      } catch (err) {
        await txn.revert();
        if ((isStorageError(err, 'Conflict') || isStorageError(err, 'KeyNotFound')) && attempt < MAX_WRITE_ATTEMPTS) continue;
        throw err;
      }
      await txn.commit();
      return result;
    }
  }

  /** The create an update turns into when the object is missing and the kind allows it. */
  private async createOnUpdate(type: ResourceType, namespace: string, name: string, createBody: KubeObject, opts: WriteOptions): Promise<{ object: KubeObject; created: boolean }> {
    const meta = metaOf(clone(createBody));
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    const body = clone(createBody);
    metaOf(body).name = name;
    delete metaOf(body).resourceVersion;
    return { object: await this.create(type, namespace, body, opts), created: true };
  }

  /**
   * Delete an object a write left marked for deletion without finalizers, conditional on the
   * revision the write was decided on; undefined when another write came first (decide again).
   */
  private async deleteEmptied(
    type: ResourceType,
    key: string,
    emptied: { object: KubeObject; rev: number },
    attempt: number,
    stored: KubeObject = emptied.object,
  ): Promise<{ object: KubeObject; created: boolean } | undefined> {
    try {
      await this.store.delete(key, { rev: emptied.rev });
      await this.writeHooks?.forType(type)?.afterDelete(stored);
    } catch (err) {
      if (isStorageError(err, 'Conflict') && attempt < MAX_WRITE_ATTEMPTS) return undefined;
      // Another request deleted it first: upstream ignores that NotFound too.
      if (!isStorageError(err, 'KeyNotFound')) throw err;
    }
    // Upstream answers with the object the update computed, at the revision it was based on.
    return { object: toWire(type, { key, rev: emptied.rev, createRev: 0, value: toStorage(emptied.object) }), created: false };
  }

  /**
   * DELETE one object. With finalizers (or a propagation policy that adds one) the object gets a
   * deletionTimestamp and stays; otherwise it is removed and a success Status is returned.
   */
  async delete(type: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const key = storageKey(type, namespace, name);
    return this.run(type, name, async () => {
      for (let attempt = 1; ; attempt++) {
        const result = await this.deleteOnce(type, name, key, opts, attempt < MAX_WRITE_ATTEMPTS);
        if (result !== undefined) return result;
      }
    });
  }

  /**
   * One pass of {@link delete}: decide on the current object and write. The immediate deletion is
   * conditional on the request's preconditions only, as upstream's (etcd3 `conditionalDelete` retries
   * on a newer revision), so a write that lands between the read and the delete does not turn into a
   * 409; but when that write gave the object a finalizer, the pass returns undefined (when `mayRetry`)
   * and the caller decides again.
   */
  private async deleteOnce(type: ResourceType, name: string, key: string, opts: DeleteOptions, mayRetry: boolean): Promise<DeleteResult | undefined> {
    const current = await this.store.get(key);
    if (!current) throw notFound(type.gr, name);
    const pre = opts.preconditions ?? {};
    const currentMeta = (current.value as KubeObject).metadata ?? {};
    // Upstream's rest.BeforeDelete checks the preconditions first, naming the kind as the resource.
    const byKind = { group: type.group, resource: type.kind };
    if (pre.uid !== undefined && pre.uid !== currentMeta.uid) {
      throw conflict(byKind, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${currentMeta.uid ?? ''}). The object might have been deleted and then recreated`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== String(current.rev)) {
      throw conflict(byKind, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.rev}). The object might have been modified`);
    }
    const markForDeletion = strategyFor(type).markForDeletion;
    if (markForDeletion && !currentMeta.deletionTimestamp) {
      const now = this.clock.now();
      if (opts.dryRun) return { deleted: false, body: toWire(type, await decodeOne(type, { ...current, value: toStorage(markForDeletion(current.value as KubeObject, now), recordedVersion(current.value)) })) };
      const stored = await this.store.update(key, (cur) => ((cur.value as KubeObject).metadata?.deletionTimestamp ? NO_CHANGE : toStorage(markForDeletion(cur.value as KubeObject, now), recordedVersion(cur.value))), pre.uid !== undefined ? { uid: pre.uid } : undefined);
      return { deleted: false, body: toWire(type, await decodeOne(type, stored)) };
    }
    const extraFinalizer = opts.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : opts.propagationPolicy === 'Orphan' ? 'orphan' : undefined;
    const graceful = (value: KubeObject): boolean => (value.metadata?.finalizers ?? []).length > 0 || extraFinalizer !== undefined || hasSpecFinalizers(type, value);
    if (graceful(current.value as KubeObject)) {
      const now = formatTime(this.clock.now());
      const mark = (value: KubeObject): KubeObject => {
        const out = clone(value);
        const meta = metaOf(out);
        const isNamespace = type.group === '' && type.resource === 'namespaces';
        if (!meta.deletionTimestamp) {
          meta.deletionTimestamp = now;
          if (!isNamespace) meta.deletionGracePeriodSeconds = 0;
        }
        if (extraFinalizer && !(meta.finalizers ?? []).includes(extraFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), extraFinalizer];
        if (isNamespace) out.status = { ...((out.status as object) ?? {}), phase: 'Terminating' };
        return out;
      };
      if (opts.dryRun) return { deleted: false, body: toWire(type, await decodeOne(type, { ...current, value: toStorage(mark(current.value as KubeObject), recordedVersion(current.value)) })) };
      const stored = await this.store.update(key, (cur) => {
        const next = toStorage(mark(cur.value as KubeObject), recordedVersion(cur.value));
        return JSON.stringify(next) === JSON.stringify(cur.value) ? NO_CHANGE : next;
      });
      return { deleted: false, body: toWire(type, await decodeOne(type, stored)) };
    }
    if (opts.dryRun) return { deleted: true, body: this.deletedStatus(type, current) };
    const preconditions: Preconditions = {};
    if (pre.uid !== undefined) preconditions.uid = pre.uid;
    if (pre.resourceVersion !== undefined) preconditions.rev = Number(pre.resourceVersion);
    try {
      const gone = await this.store.delete(key, preconditions, (cur) => {
        if (cur.rev !== current.rev && graceful(cur.value as KubeObject)) throw NOW_GRACEFUL;
      });
      await this.writeHooks?.forType(type)?.afterDelete(gone.value as KubeObject);
      return { deleted: true, body: this.deletedStatus(type, gone) };
    } catch (err) {
      if (err === NOW_GRACEFUL && mayRetry) return undefined;
      if (err === NOW_GRACEFUL) throw conflict(type.gr, name, OPTIMISTIC_LOCK_MESSAGE);
      throw err;
    }
  }

  private deletedStatus(type: ResourceType, stored: StoredObject): SuccessStatus {
    const meta = (stored.value as KubeObject).metadata ?? {};
    const details: { name: string; group?: string; kind: string; uid?: string } = { name: meta.name ?? '', kind: type.resource };
    if (type.group) details.group = type.group;
    if (meta.uid) details.uid = meta.uid;
    return successStatus({ name: details.name, ...(details.group ? { group: details.group } : {}), kind: details.kind, ...(details.uid ? { uid: details.uid } : {}) });
  }

  /** DELETE a collection: delete every object the options select; returns the list of what was deleted. */
  async deleteCollection(type: ResourceType, namespace: string, listOpts: ListOptions, opts: DeleteOptions = {}): Promise<ListResult> {
    const page = await this.list(type, namespace, { ...listOpts, limit: 0, continue: '' });
    const deleted: KubeObject[] = [];
    for (const item of page.items) {
      const meta = item.metadata ?? {};
      try {
        const result = await this.delete(type, meta.namespace ?? '', meta.name ?? '', opts);
        deleted.push(result.deleted ? item : (result.body as KubeObject));
      } catch (err) {
        if (isStatusError(err) && err.code === 404) continue;
        throw err;
      }
    }
    return { items: deleted, resourceVersion: page.resourceVersion };
  }

  /**
   * Watch every object of `type` (in `namespace`, or all) after revision `afterRev`, objects in wire
   * form: the in-process informers' watch (the watch endpoint streams its own).
   */
  watch(type: ResourceType, namespace: string, afterRev: number, handlers: RegistryWatchHandlers): Watcher {
    return this.watchChanges(type, namespace, '', afterRev, {
      onEvent: (event) => handlers.onEvent(event.type, toWire(type, { key: event.key, rev: event.rev, createRev: 0, value: event.value })),
      onError: (err) => handlers.onError?.(err),
    });
  }

  /**
   * Watch the stored changes of `type` in `namespace` (all when '') after revision `afterRev`, or
   * of one object when `name` is set: the events as the store reports them (with the previous
   * value, which selector transitions need). However the store reports a failure (at once or
   * later), it reaches `onError` once, after this call returns, as a Status error
   * ({@link interpretWatchError}: 410 for a compacted revision); no event follows it.
   */
  watchChanges(type: ResourceType, namespace: string, name: string, afterRev: number, handlers: ChangeWatchHandlers): Watcher {
    let stopped = false;
    const fail = (err: unknown): void => {
      if (stopped) return;
      stopped = true;
      handlers.onError(interpretWatchError(err, type));
    };
    const key = name === '' ? listPrefix(type, namespace) : storageKey(type, type.namespaced ? namespace : '', name);
    let inner: Watcher | undefined;
    try {
      inner = this.store.watch(key, afterRev, { onEvent: (event) => !stopped && handlers.onEvent(event), onError: fail });
    } catch (err) {
      queueMicrotask(() => fail(err));
    }
    return {
      stop: () => {
        stopped = true;
        inner?.stop();
      },
    };
  }

  /** The selection (label and field selectors) for a list or watch; exposed for the watch endpoint. */
  selection(type: ResourceType, opts: ListOptions): Selection {
    return selectionFor(type, opts.labelSelector, opts.fieldSelector);
  }
}

/** True when writing `obj` would leave an object marked for deletion with no finalizer: it is deleted instead. */
function deletesOnUpdate(type: ResourceType, obj: KubeObject): boolean {
  const meta = obj.metadata ?? {};
  return Boolean(meta.deletionTimestamp) && (meta.finalizers ?? []).length === 0 && !hasSpecFinalizers(type, obj);
}

/** Namespaces keep `spec.finalizers` (the `kubernetes` finalizer) besides metadata finalizers. */
function hasSpecFinalizers(type: ResourceType, obj: KubeObject): boolean {
  if (type.group !== '' || type.resource !== 'namespaces') return false;
  const spec = obj.spec as { finalizers?: string[] } | undefined;
  return (spec?.finalizers ?? []).length > 0;
}

export { StatusError };
