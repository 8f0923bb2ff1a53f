/**
 * The CRD naming controller, as upstream's NamingConditionController: accepts a CRD's requested
 * names unless another CRD of the group already holds them (`PluralConflict`, `SingularConflict`,
 * `ShortNamesConflict`, `KindConflict`, `ListKindConflict` with `"x" is already in use`), writes
 * `status.acceptedNames` and `NamesAccepted` (`NoConflicts`, `no conflicts found`), and sets
 * `Established` to `False`/`Installing` once the names are accepted (`NotAccepted` before). A write
 * may free names, so every other CRD of the group is reconsidered; so is the group when a CRD goes.
 * One worker, as upstream (the name reservation is not safe to run concurrently).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { clone, formatTime } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { findCondition, isConditionEquivalent, setCondition, type Crd, type CrdCondition, type CrdNames } from '../registry/custom/crd.js';
import type { CrdInformer } from './crd-informer.js';
import { CrdController, writeUnlessStale } from './crd-controller.js';

/** What the controller needs. */
export interface NamingControllerDeps {
  informer: CrdInformer;
  registry: Registry;
  crds: ResourceType;
  clock: Clock;
  log: Logger;
}

type Condition = Omit<CrdCondition, 'lastTransitionTime'>;

function sameNames(a: CrdNames | undefined, b: CrdNames | undefined): boolean {
  const norm = (n: CrdNames | undefined): string =>
    JSON.stringify([n?.plural ?? '', n?.singular ?? '', n?.shortNames ?? [], n?.kind ?? '', n?.listKind ?? '', n?.categories ?? []]);
  return norm(a) === norm(b);
}

/** `"x" is already in use` unless the name is ours already or free. */
function conflictOf(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined {
  if ((requested ?? '') === (accepted ?? '')) return undefined;
  if (!used.has(requested ?? '')) return undefined;
  return `${JSON.stringify(requested ?? '')} is already in use`;
}

/** The naming controller of one server. */
export class NamingController extends CrdController {
  /** CRDs this controller wrote, newer than the informer may show yet (upstream's mutation cache). */
  private readonly written = new Map<string, Crd>();

  constructor(private readonly deps: NamingControllerDeps) {
    super(deps.clock, deps.log);
    deps.informer.addHandlers({
      onAdd: (crd) => this.queue.add(crd.metadata?.name ?? ''),
      onUpdate: (_old, crd) => this.queue.add(crd.metadata?.name ?? ''),
      onDelete: (crd) => this.queue.add(crd.metadata?.name ?? ''),
    });
  }

  /** The freshest copy of a CRD: the informer's, or the one this controller wrote when newer. */
  private freshest(crd: Crd): Crd {
    const mine = this.written.get(crd.metadata?.name ?? '');
    if (mine && Number(mine.metadata?.resourceVersion) > Number(crd.metadata?.resourceVersion)) return mine;
    return crd;
  }

  private namesInUse(group: string): { resources: Set<string>; kinds: Set<string> } {
    const resources = new Set<string>();
    const kinds = new Set<string>();
    for (const listed of this.deps.informer.list()) {
      if (listed.spec?.group !== group) continue;
      const names = this.freshest(listed).status?.acceptedNames ?? {};
      resources.add(names.plural ?? '');
      resources.add(names.singular ?? '');
      for (const s of names.shortNames ?? []) resources.add(s);
      kinds.add(names.kind ?? '');
      kinds.add(names.listKind ?? '');
    }
    return { resources, kinds };
  }

  /** Upstream's calculateNamesAndConditions. */
  private calculate(crd: Crd): { names: CrdNames; namesAccepted: Condition; established: Condition } {
    const { resources, kinds } = this.namesInUse(crd.spec.group);
    const requested = crd.spec.names ?? {};
    const accepted = crd.status?.acceptedNames ?? {};
    const names: CrdNames = { ...accepted };
    let namesAccepted: Condition = { type: 'NamesAccepted', status: 'Unknown' };
    const fail = (reason: string, message: string): void => {
      namesAccepted = { type: 'NamesAccepted', status: 'False', reason, message };
    };
    const accept = (field: 'plural' | 'singular' | 'kind' | 'listKind', reason: string, used: Set<string>): void => {
      const conflict = conflictOf(requested[field], accepted[field], used);
      if (conflict) fail(reason, conflict);
      else names[field] = requested[field] ?? '';
    };
    accept('plural', 'PluralConflict', resources);
    accept('singular', 'SingularConflict', resources);
    if (JSON.stringify(requested.shortNames ?? []) !== JSON.stringify(accepted.shortNames ?? [])) {
      const mine = new Set(accepted.shortNames ?? []);
      const errors: string[] = [];
      for (const short of requested.shortNames ?? []) {
        if (mine.has(short) || short === accepted.plural || short === accepted.singular) continue;
        const err = conflictOf(short, '', resources);
        if (err) errors.push(err);
      }
      // utilerrors.NewAggregate: one message alone, several as `[a, b]`.
      if (errors.length) fail('ShortNamesConflict', errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
      else if (requested.shortNames) names.shortNames = requested.shortNames;
      else delete names.shortNames;
    }
    accept('kind', 'KindConflict', kinds);
    accept('listKind', 'ListKindConflict', kinds);
    if (requested.categories) names.categories = requested.categories;
    else delete names.categories;
    if (namesAccepted.status === 'Unknown') namesAccepted = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };

    let established: Condition = findCondition(crd, 'Established') ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
    if (established.status !== 'True' && namesAccepted.status === 'True') {
      established = { type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' };
    }
    return { names: orderedNames(names), namesAccepted, established };
  }

  protected async sync(name: string): Promise<void> {
    const cached = this.deps.informer.get(name);
    if (!cached) {
      this.written.delete(name);
      this.requeueGroup(name);
      return;
    }
    if (sameNames(cached.spec?.names, cached.status?.acceptedNames)) return;
    const { names, namesAccepted, established } = this.calculate(cached);
    if (sameNames(cached.status?.acceptedNames, names) && isConditionEquivalent(namesAccepted as CrdCondition, findCondition(cached, 'NamesAccepted'))) return;
    const crd = clone(cached);
    const now = formatTime(this.deps.clock.now());
    crd.status = { ...(crd.status ?? {}), acceptedNames: names };
    setCondition(crd, namesAccepted, now);
    setCondition(crd, established, now);
    const written = await writeUnlessStale(async () => {
      const { object } = await this.deps.registry.update(this.deps.crds, '', name, crd, { subresource: 'status' });
      this.written.set(name, object as Crd);
    });
    if (written) this.requeueGroup(name);
  }

  /** Queue every other CRD of the group of `name` (`<plural>.<group>`). */
  private requeueGroup(name: string): void {
    const group = name.slice(name.indexOf('.') + 1);
    for (const crd of this.deps.informer.list()) {
      if (crd.spec?.group === group && crd.metadata?.name !== name) this.queue.add(crd.metadata?.name ?? '');
    }
  }
}

/** acceptedNames in upstream's field order. */
function orderedNames(n: CrdNames): CrdNames {
  const out: CrdNames = { plural: n.plural ?? '' };
  if (n.singular) out.singular = n.singular;
  if (n.shortNames?.length) out.shortNames = n.shortNames;
  out.kind = n.kind ?? '';
  if (n.listKind) out.listKind = n.listKind;
  if (n.categories?.length) out.categories = n.categories;
  return out;
}
