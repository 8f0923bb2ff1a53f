/**
 * The CRD establishing controller, as upstream's EstablishingController: a CRD whose names are
 * accepted and that is not yet established becomes `Established` `True` (`InitialNamesAccepted`,
 * `the initial names have been accepted`). The CRD handler queues it on every informer update; with
 * `--apiserver-count` above 1 upstream waits 5 s first, so that every server of an HA cluster is
 * serving before clients are told they may use the resource (the delay is a named default here).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import { WorkQueue, runWorkers } from '../controllers/workqueue.js';
import { clone, formatTime } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { isConditionTrue, setCondition, type Crd } from '../registry/custom/crd.js';
import type { CrdInformer } from './crd-informer.js';

/** What the controller needs. */
export interface EstablishingControllerDeps {
  informer: CrdInformer;
  registry: Registry;
  crds: ResourceType;
  clock: Clock;
  log: Logger;
  /** How long a CRD stays Installing before it is established (0 with one apiserver). */
  delayMs: number;
}

/** True when the CRD waits to be established. */
function awaitsEstablishing(crd: Crd): boolean {
  return !isConditionTrue(crd, 'Established') && isConditionTrue(crd, 'NamesAccepted');
}

/** The establishing controller of one server. */
export class EstablishingController {
  private readonly queue: WorkQueue<string>;

  constructor(private readonly deps: EstablishingControllerDeps) {
    this.queue = new WorkQueue(deps.clock);
    const consider = (crd: Crd): void => {
      if (awaitsEstablishing(crd)) this.queue.addAfter(crd.metadata?.name ?? '', deps.delayMs);
    };
    deps.informer.addHandlers({ onAdd: consider, onUpdate: (_old, crd) => consider(crd) });
  }

  /** Start the single worker. */
  start(): void {
    void runWorkers(this.queue, 1, (name) => this.process(name));
  }

  /** Stop the worker. */
  stop(): void {
    this.queue.shutdown();
  }

  private async process(name: string): Promise<void> {
    try {
      await this.sync(name);
      this.queue.forget(name);
    } catch (err) {
      this.deps.log.warn({ err, crd: name }, 'establishing controller sync failed');
      this.queue.addRateLimited(name);
    }
  }

  private async sync(name: string): Promise<void> {
    const cached = this.deps.informer.get(name);
    if (!cached || !awaitsEstablishing(cached)) return;
    const crd = clone(cached);
    setCondition(crd, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, formatTime(this.deps.clock.now()));
    try {
      await this.deps.registry.update(this.deps.crds, '', name, crd, { subresource: 'status' });
    } catch (err) {
      if (isStatusError(err) && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}
