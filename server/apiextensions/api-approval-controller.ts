/**
 * The CRD API approval controller, as upstream's KubernetesAPIApprovalPolicyConformantConditionController:
 * a CRD in a community group (`*.k8s.io`, `*.kubernetes.io`) gets the
 * `KubernetesAPIApprovalPolicyConformant` condition from its `api-approved.kubernetes.io`
 * annotation (`ApprovedAnnotation` True, or `UnapprovedAnnotation`, `MissingAnnotation`,
 * `InvalidAnnotation` False), written only when status, reason or message change. Other CRDs never
 * get it, and since the group is immutable there is never one to remove.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { clone, formatTime } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { findCondition, setCondition, type Crd } from '../registry/custom/crd.js';
import { API_APPROVAL_CONDITION, apiApprovalCondition } from '../registry/custom/crd-api-approval.js';
import type { CrdInformer } from './crd-informer.js';
import { CrdController, writeUnlessStale } from './crd-controller.js';

/** What the controller needs. */
export interface ApiApprovalControllerDeps {
  informer: CrdInformer;
  registry: Registry;
  crds: ResourceType;
  clock: Clock;
  log: Logger;
}

/** The API approval controller of one server. */
export class ApiApprovalController extends CrdController {
  constructor(private readonly deps: ApiApprovalControllerDeps) {
    super(deps.clock, deps.log);
    const consider = (crd: Crd): void => this.queue.add(crd.metadata?.name ?? '');
    deps.informer.addHandlers({ onAdd: consider, onUpdate: (_old, crd) => consider(crd) });
  }

  protected async sync(name: string): Promise<void> {
    const cached = this.deps.informer.get(name);
    if (!cached) return;
    const wanted = apiApprovalCondition(cached);
    if (!wanted) return;
    const current = findCondition(cached, API_APPROVAL_CONDITION);
    if (current && current.status === wanted.status && current.reason === wanted.reason && current.message === wanted.message) return;
    const crd = clone(cached);
    setCondition(crd, wanted, formatTime(this.deps.clock.now()));
    await writeUnlessStale(() => this.deps.registry.update(this.deps.crds, '', name, crd, { subresource: 'status' }));
  }
}
