/**
 * The CRD finalizer, as upstream's CRDFinalizer: a deleted CRD that still carries
 * `customresourcecleanup.apiextensions.k8s.io` is marked Terminating `InstanceDeletionInProgress`,
 * its custom resources are deleted namespace by namespace through the registry (deletecollection,
 * so finalizers and the garbage collector apply), the controller polls every 5 s for up to a
 * minute until none is left (`InstanceDeletionCompleted`, else `InstanceDeletionCheck` and a
 * retry), and then removes the finalizer so the CRD goes. A CRD never established skips the
 * deletion (`NeverEstablished`).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { LIST_EVERYTHING } from '../registry/list-options.js';
import { clone, formatTime, type KubeObject } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER, hasFinalizer, isConditionTrue, removeCondition, setCondition, storageVersionOf, type Crd, type CrdCondition } from '../registry/custom/crd.js';
import { customResourceTypes } from '../registry/custom/resource-type.js';
import type { CrdInformer } from './crd-informer.js';
import { CrdController, writeUnlessStale } from './crd-controller.js';

/** Upstream's poll for remaining instances: every 5 s, for up to 1 min. */
export const INSTANCE_POLL_INTERVAL_MS = 5_000;
export const INSTANCE_POLL_TIMEOUT_MS = 60_000;

type Condition = Omit<CrdCondition, 'lastTransitionTime'>;

/** What the controller needs. */
export interface FinalizerControllerDeps {
  informer: CrdInformer;
  registry: Registry;
  crds: ResourceType;
  clock: Clock;
  log: Logger;
}

function isBeingFinalized(crd: Crd): boolean {
  return Boolean(crd.metadata?.deletionTimestamp) && hasFinalizer(crd, CUSTOM_RESOURCE_CLEANUP_FINALIZER);
}

/** The CRD finalizer of one server. */
export class FinalizerController extends CrdController {
  constructor(private readonly deps: FinalizerControllerDeps) {
    super(deps.clock, deps.log);
    deps.informer.addHandlers({
      onAdd: (crd) => {
        if (isBeingFinalized(crd)) this.queue.add(crd.metadata?.name ?? '');
      },
      onUpdate: (oldCrd, crd) => {
        if (!isBeingFinalized(crd)) return;
        // A change of the Terminating condition alone is this controller's own write: no requeue.
        const strip = (c: Crd): string => {
          const copy = clone(c);
          delete copy.metadata?.resourceVersion;
          removeCondition(copy, 'Terminating');
          return JSON.stringify(copy);
        };
        if (oldCrd.metadata?.resourceVersion === crd.metadata?.resourceVersion || strip(oldCrd) !== strip(crd)) this.queue.add(crd.metadata?.name ?? '');
      },
    });
  }

  /** Write the Terminating condition through the status subresource; false when the CRD changed or went. */
  private setTerminating(name: string, condition: Condition): Promise<boolean> {
    const withCondition = (current: KubeObject): KubeObject => {
      const crd = clone(current) as Crd;
      setCondition(crd, condition, formatTime(this.deps.clock.now()));
      return crd;
    };
    return writeUnlessStale(() => this.deps.registry.patch(this.deps.crds, '', name, withCondition, { subresource: 'status' }));
  }

  protected async sync(name: string): Promise<void> {
    const cached = this.deps.informer.get(name);
    if (!cached || !isBeingFinalized(cached)) return;
    if (!(await this.setTerminating(name, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }))) return;
    let outcome: Condition;
    if (isConditionTrue(cached, 'Established')) {
      const { condition, error } = await this.deleteInstances(cached);
      if (error) {
        await this.setTerminating(name, condition);
        throw error;
      }
      outcome = condition;
    } else {
      outcome = { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' };
    }
    if (!(await this.setTerminating(name, outcome))) return;
    const withoutFinalizer = (current: KubeObject): KubeObject => {
      const crd = clone(current);
      const meta = crd.metadata ?? {};
      meta.finalizers = (meta.finalizers ?? []).filter((f) => f !== CUSTOM_RESOURCE_CLEANUP_FINALIZER);
      crd.metadata = meta;
      return crd;
    };
    await writeUnlessStale(() => this.deps.registry.patch(this.deps.crds, '', name, withoutFinalizer));
  }

  /** The type the CRD's instances are listed and deleted through (its storage version when served). */
  private instanceType(crd: Crd): ResourceType | undefined {
    const types = customResourceTypes(crd);
    return types.find((t) => t.version === storageVersionOf(crd)) ?? types[0];
  }

  private async deleteInstances(crd: Crd): Promise<{ condition: Condition; error?: Error }> {
    const { registry, clock } = this.deps;
    const failed = (message: string, error: Error): { condition: Condition; error: Error } => ({
      condition: { type: 'Terminating', status: 'True', reason: 'InstanceDeletionFailed', message },
      error,
    });
    const type = this.instanceType(crd);
    const names = crd.status?.acceptedNames ?? {};
    if (!type) {
      const err = new Error(`unable to find a custom resource client for ${names.plural ?? ''}.${crd.spec.group}: no served version`);
      return failed(`could not list instances: ${err.message}`, err);
    }
    let items: KubeObject[];
    try {
      items = (await registry.list(type, '', LIST_EVERYTHING)).items;
    } catch (err) {
      return failed(`could not list instances: ${(err as Error).message}`, err as Error);
    }
    const errors: string[] = [];
    const namespaces = new Set(items.map((i) => i.metadata?.namespace ?? ''));
    for (const namespace of namespaces) {
      try {
        await registry.deleteCollection(type, namespace, LIST_EVERYTHING);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length) {
      const message = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
      return failed(`could not issue all deletes: ${message}`, new Error(message));
    }
    const deadline = clock.now().getTime() + INSTANCE_POLL_TIMEOUT_MS;
    for (;;) {
      const left = (await registry.list(type, '', LIST_EVERYTHING)).items.length;
      if (left === 0) return { condition: { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' } };
      this.deps.log.debug({ crd: crd.metadata?.name, left }, 'waiting for custom resources to be removed');
      if (clock.now().getTime() + INSTANCE_POLL_INTERVAL_MS > deadline) {
        const err = new Error('timed out waiting for the condition');
        return { condition: { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCheck', message: `could not confirm zero CustomResources remaining: ${err.message}` }, error: err };
      }
      await new Promise<void>((resolve) => clock.setTimeout(resolve, INSTANCE_POLL_INTERVAL_MS));
    }
  }
}
