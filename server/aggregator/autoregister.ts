/**
 * The autoregister controller of one server, as kube-aggregator's: the APIServices the server
 * wants (its built-in group/versions "on start", its CRD group/versions "always") are reconciled
 * against the shared store by upstream's table:
 *
 *   current \ desired                     | none        | on start    | always
 *   not found                             | -           | create once | create
 *   not automanaged                       | -           | -           | -
 *   on start, not present at start        | -           | -           | -
 *   on start, present at start            | delete once | update once | update once
 *   always                                | delete      | update once | update
 *
 * "Present at start" is the set of APIServices the server's informer held when the controller
 * started. So a server that does not serve a group/version deletes, once, the `onstart` APIService
 * another server registered for it, and the other server, having synced it once, never recreates
 * it: kubernetes/kubernetes#96486, reproduced across minors over the one store.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { isStatusError } from '../errors/status.js';
import { CrdController, writeUnlessStale } from '../apiextensions/crd-controller.js';
import type { RegistryInformer } from '../apiextensions/crd-informer.js';
import { AUTOMANAGED_LABEL, MANAGE_CONTINUOUSLY, MANAGE_ON_START, type APIService } from './apiservice.js';

/** What the controller writes through and reads from. */
export interface AutoRegisterDeps {
  registry: Registry;
  apiServices: ResourceType;
  informer: RegistryInformer<APIService>;
  clock: Clock;
  log: Logger;
}

function managedType(svc: APIService | undefined): string {
  return svc?.metadata?.labels?.[AUTOMANAGED_LABEL] ?? '';
}

/** The autoregister controller. */
export class AutoRegisterController extends CrdController {
  private readonly desired = new Map<string, APIService>();
  private readonly synced = new Set<string>();
  private atStart: Set<string> | undefined;

  constructor(private readonly deps: AutoRegisterDeps) {
    super(deps.clock, deps.log);
    deps.informer.addHandlers({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_o, s) => this.enqueue(s),
      onDelete: (s) => this.enqueue(s),
    });
  }

  private enqueue(svc: APIService): void {
    if (this.atStart) this.queue.add(svc.metadata?.name ?? '');
  }

  /** Register `svc` to be created once when the server starts (built-in group/versions). */
  addOnStart(svc: APIService): void {
    this.addDesired(svc, MANAGE_ON_START);
  }

  /** Register `svc` to be kept as it is for as long as the server wants it (CRD group/versions). */
  addAlways(svc: APIService): void {
    this.addDesired(svc, MANAGE_CONTINUOUSLY);
  }

  /** No longer want the APIService `name`. */
  remove(name: string): void {
    this.desired.delete(name);
    if (this.atStart) this.queue.add(name);
  }

  private addDesired(svc: APIService, kind: string): void {
    const name = svc.metadata?.name ?? '';
    this.desired.set(name, { ...svc, metadata: { ...svc.metadata, labels: { ...svc.metadata?.labels, [AUTOMANAGED_LABEL]: kind } } });
    if (this.atStart) this.queue.add(name);
  }

  /** Start: remember what existed, then reconcile every wanted and every existing APIService. Call after the informer synced. */
  override start(): void {
    this.atStart = new Set(this.deps.informer.list().map((s) => s.metadata?.name ?? ''));
    for (const name of new Set([...this.atStart, ...this.desired.keys()])) this.queue.add(name);
    super.start();
  }

  protected async sync(name: string): Promise<void> {
    const hasSynced = this.synced.has(name);
    await this.check(name, hasSynced);
    this.synced.add(name);
  }

  private async check(name: string, hasSynced: boolean): Promise<void> {
    const { registry, apiServices, informer } = this.deps;
    const desired = this.desired.get(name);
    const current = informer.get(name);
    if (!current && !desired) return;
    if (desired && managedType(desired) === MANAGE_ON_START && hasSynced) return;
    if (!current && desired) {
      await writeUnlessStale(() => registry.create(apiServices, '', { apiVersion: apiServices.groupVersion, kind: apiServices.kind, ...desired }));
      return;
    }
    const kind = managedType(current);
    if (kind !== MANAGE_ON_START && kind !== MANAGE_CONTINUOUSLY) return;
    if (kind === MANAGE_ON_START && !this.atStart?.has(name)) return;
    if (kind === MANAGE_ON_START && hasSynced) return;
    if (!desired) {
      const uid = current!.metadata?.uid;
      try {
        await registry.delete(apiServices, '', name, uid ? { preconditions: { uid } } : {});
      } catch (err) {
        if (!(isStatusError(err) && (err.code === 404 || err.code === 409))) throw err;
      }
      return;
    }
    if (JSON.stringify(current!.spec) === JSON.stringify(desired.spec)) return;
    await writeUnlessStale(() => registry.update(apiServices, '', name, { ...current!, spec: desired.spec }));
  }
}
