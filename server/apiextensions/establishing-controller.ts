/**
 * The CRD establishing controller, as upstream's EstablishingController: a CRD whose names are
 * accepted and that is not yet established becomes `Established` `True` (`InitialNamesAccepted`,
 * `the initial names have been accepted`). The CRD handler queues it on every informer update; with
 * `--apiserver-count` above 1 upstream waits 5 s first, so that every server of an HA cluster is
 * serving before clients are told they may use the resource (the delay is a named default here).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { clone, formatTime } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { isConditionTrue, setCondition, type Crd } from '../registry/custom/crd.js';
import type { CrdInformer } from './crd-informer.js';
import { CrdController, writeUnlessStale } from './crd-controller.js';

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
export class EstablishingController extends CrdController {
  constructor(private readonly deps: EstablishingControllerDeps) {
    super(deps.clock, deps.log);
    const consider = (crd: Crd): void => {
      if (awaitsEstablishing(crd)) this.queue.addAfter(crd.metadata?.name ?? '', deps.delayMs);
    };
    deps.informer.addHandlers({ onAdd: consider, onUpdate: (_old, crd) => consider(crd) });
  }

  protected async sync(name: string): Promise<void> {
    const cached = this.deps.informer.get(name);
    if (!cached || !awaitsEstablishing(cached)) return;
    const crd = clone(cached);
    setCondition(crd, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, formatTime(this.deps.clock.now()));
    await writeUnlessStale(() => this.deps.registry.update(this.deps.crds, '', name, crd, { subresource: 'status' }));
  }
}
