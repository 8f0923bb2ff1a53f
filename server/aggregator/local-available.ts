/**
 * The local availability controller, as kube-aggregator's: every APIService without
 * `spec.service` is `Available` `True` with reason `Local`.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { CrdController, writeUnlessStale } from '../apiextensions/crd-controller.js';
import type { RegistryInformer } from '../apiextensions/crd-informer.js';
import { isLocal, withAvailable, type APIService } from './apiservice.js';

/** The condition of every Local APIService. */
export const LOCAL_AVAILABLE = { status: 'True', reason: 'Local', message: 'Local APIServices are always available' } as const;

/** What the availability controllers write through and read from. */
export interface AvailabilityDeps {
  registry: Registry;
  apiServices: ResourceType;
  informer: RegistryInformer<APIService>;
  clock: Clock;
  log: Logger;
}

/** Marks Local APIServices available. */
export class LocalAvailableController extends CrdController {
  constructor(private readonly deps: AvailabilityDeps) {
    super(deps.clock, deps.log);
    const enqueue = (s: APIService): void => this.queue.add(s.metadata?.name ?? '');
    deps.informer.addHandlers({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });
  }

  protected async sync(name: string): Promise<void> {
    const svc = this.deps.informer.get(name);
    if (!svc || !isLocal(svc)) return;
    const next = withAvailable(svc, LOCAL_AVAILABLE, this.deps.clock.now());
    if (next) await writeUnlessStale(() => this.deps.registry.update(this.deps.apiServices, '', name, next, { subresource: 'status' }));
  }
}
