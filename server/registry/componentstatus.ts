/**
 * componentstatuses (core/v1, deprecated since 1.19), upstream's virtual REST storage
 * (pkg/registry/core/componentstatus/rest.go): nothing is stored; every GET and LIST probes the
 * components kube-apiserver knows (serversToValidate) and answers one ComponentStatus each, with one
 * `Healthy` condition whose status is True, False or Unknown for the probe's Success, Failure or
 * Unknown, and its message and error. Selectors are ignored, as upstream ignores them. A name that
 * is not a component is upstream's unclassified 500 `Component not found: <name>`.
 *
 * What each name probes in kube-skew ({@link componentProbes}):
 * - `scheduler`: `https://127.0.0.1:10259/healthz`, exactly as upstream; kube-skew runs no scheduler,
 *   so unless one runs on the machine it is Unhealthy with Go's `connection refused` text.
 * - `controller-manager`: upstream asks the kube-controller-manager on the server's own host
 *   (`https://127.0.0.1:10257/healthz`). kube-skew's runs inside the server when `--controllers`
 *   names any controller (leading or standing by, as a co-located one would be), and its `/healthz`
 *   would say `ok`; with `--controllers=` the server asks port 10257 as upstream does.
 * - `etcd-0`: the store the server uses (SQLite or etcd), `ok` when it answers a read.
 */
import type { Store } from '../../storage/store.js';
import type { Clock } from '../clock.js';
import { unclassifiedError } from '../errors/status.js';
import { httpsHealthProbe, inProcessProbe, storeProbe, type ComponentProbe, type ProbeOutcome } from './component-probes.js';

/** kube-controller-manager's secure port (`ports.KubeControllerManagerPort`). */
export const KUBE_CONTROLLER_MANAGER_PORT = 10257;
/** kube-scheduler's secure port (`DefaultKubeSchedulerPort`). */
export const KUBE_SCHEDULER_PORT = 10259;

/** The condition status of a probe result (`ToConditionStatus`). */
function conditionStatus(result: ProbeOutcome['result']): 'True' | 'False' | 'Unknown' {
  return result === 'Success' ? 'True' : result === 'Failure' ? 'False' : 'Unknown';
}

/** The components a server validates, by name, in the order a list returns them. */
export type ComponentProbes = ReadonlyArray<readonly [string, ComponentProbe]>;

/**
 * The components a server validates: `scheduler`, `controller-manager` and `etcd-0`, in that order
 * (upstream probes a map, so its order varies from call to call).
 */
export function componentProbes(deps: { store: Store; clock: Clock; localControllerManager: boolean }): ComponentProbes {
  return [
    ['scheduler', httpsHealthProbe(deps.clock, '127.0.0.1', KUBE_SCHEDULER_PORT, '/healthz')],
    ['controller-manager', deps.localControllerManager ? inProcessProbe() : httpsHealthProbe(deps.clock, '127.0.0.1', KUBE_CONTROLLER_MANAGER_PORT, '/healthz')],
    ['etcd-0', storeProbe(deps.store)],
  ];
}

/** The componentstatuses storage of one server. */
export class ComponentStatusStorage {
  constructor(
    private readonly probes: ComponentProbes,
    /** Whether the minor writes `creationTimestamp: null` for objects without one. */
    private readonly nullCreationTimestamp: boolean,
  ) {}

  /** Probe every component at once (upstream runs them in parallel). */
  async list(): Promise<Array<Record<string, unknown>>> {
    return Promise.all(this.probes.map(([name, probe]) => this.status(name, probe)));
  }

  /** Probe one component. */
  async get(name: string): Promise<Record<string, unknown>> {
    const entry = this.probes.find(([n]) => n === name);
    if (!entry) throw unclassifiedError(`Component not found: ${name}`);
    return { kind: 'ComponentStatus', apiVersion: 'v1', ...(await this.status(name, entry[1])) };
  }

  private async status(name: string, probe: ComponentProbe): Promise<Record<string, unknown>> {
    const outcome = await probe();
    // message and error are omitempty.
    const condition: Record<string, string> = { type: 'Healthy', status: conditionStatus(outcome.result) };
    if (outcome.message) condition.message = outcome.message;
    if (outcome.error) condition.error = outcome.error;
    return {
      metadata: this.nullCreationTimestamp ? { name, creationTimestamp: null } : { name },
      conditions: [condition],
    };
  }
}
