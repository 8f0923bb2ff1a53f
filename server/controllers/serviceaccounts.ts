/**
 * kube-controller-manager's serviceaccount controller
 * (pkg/controller/serviceaccount/serviceaccounts_controller.go): every Active namespace has a
 * ServiceAccount named `default`. A namespace is looked at when it is added or updated and when one
 * of its ServiceAccounts is deleted, so a deleted `default` comes back. A namespace that is not
 * Active (Terminating) is left alone, and a create refused because the namespace is terminating or
 * answered AlreadyExists is no error. Failures retry with the work queue's backoff. One worker, as
 * upstream runs it.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { isAlreadyExists, type ApiClient, type ApiObject, type GVR } from './client.js';
import { Informer } from './informer.js';
import { runWorkers, WorkQueue } from './workqueue.js';

const NAMESPACES: GVR = { group: '', version: 'v1', resource: 'namespaces' };
const SERVICE_ACCOUNTS: GVR = { group: '', version: 'v1', resource: 'serviceaccounts' };
/** The ServiceAccounts every namespace gets (`DefaultServiceAccountsControllerOptions`). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

/** What the controller needs. */
export interface ServiceAccountsControllerDeps {
  client: ApiClient;
  /**
   * The client the informers list and watch with: kube-controller-manager's shared informers run as
   * its own identity, while the controller writes as its ServiceAccount (default: `client`).
   */
  informerClient?: ApiClient;
  clock: Clock;
  log: Logger;
}

/** True for the 403 a create gets in a terminating namespace (cause NamespaceTerminating). */
function isNamespaceTerminating(err: unknown): boolean {
  const e = err as { code?: number; status?: { details?: { causes?: Array<{ reason?: string }> } } };
  return e.code === 403 && (e.status?.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

/** The serviceaccount controller. */
export class ServiceAccountsController {
  private readonly queue: WorkQueue<string>;
  private readonly namespaces: Informer;
  private readonly accounts: Informer;

  constructor(private readonly deps: ServiceAccountsControllerDeps) {
    this.queue = new WorkQueue<string>(deps.clock);
    const enqueueNamespace = (ns: ApiObject): void => {
      if (ns.metadata?.name) this.queue.add(ns.metadata.name);
    };
    this.namespaces = new Informer({ client: deps.informerClient ?? deps.client, gvr: NAMESPACES, clock: deps.clock, log: deps.log, handlers: { onAdd: enqueueNamespace, onUpdate: (_o, n) => enqueueNamespace(n) } });
    this.accounts = new Informer({
      client: deps.informerClient ?? deps.client,
      gvr: SERVICE_ACCOUNTS,
      clock: deps.clock,
      log: deps.log,
      handlers: {
        onDelete: (sa) => {
          if (sa.metadata?.namespace) this.queue.add(sa.metadata.namespace);
        },
      },
    });
  }

  /** Start the informers and the worker. */
  start(): void {
    this.namespaces.start();
    this.accounts.start();
    void runWorkers(this.queue, 1, (ns) => this.work(ns));
  }

  /** Stop. */
  stop(): void {
    this.namespaces.stop();
    this.accounts.stop();
    this.queue.shutdown();
  }

  private async work(namespace: string): Promise<void> {
    try {
      await this.sync(namespace);
      this.queue.forget(namespace);
    } catch (err) {
      this.deps.log.debug({ err, namespace }, 'serviceaccount sync failed');
      this.queue.addRateLimited(namespace);
    }
  }

  private async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns) return;
    if ((ns.status as { phase?: string } | undefined)?.phase !== 'Active') return;
    for (const name of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.accounts.get(`${namespace}/${name}`)) continue;
      try {
        await this.deps.client.create(SERVICE_ACCOUNTS, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
      } catch (err) {
        if (isAlreadyExists(err) || isNamespaceTerminating(err)) continue;
        throw err;
      }
    }
  }
}
