/**
 * kube-controller-manager's root CA publisher (pkg/controller/certificates/rootcacertpublisher):
 * every namespace has a ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster's root CA and
 * whose `kubernetes.io/description` annotation says what it is for. A namespace added (or updated
 * while Active) is synced; so is one whose `kube-root-ca.crt` is deleted or changed, which brings
 * the ConfigMap back or restores its data and annotation (other annotations and labels a user adds
 * are kept, as upstream keeps them). A create refused because the namespace is gone or terminating
 * is not retried. One worker, as kube-controller-manager starts it; failures back off as
 * client-go's default controller rate limiter does.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ApiError, isNotFound, type ApiClient, type ApiObject, type GVR } from './client.js';
import { Informer } from './informer.js';
import { runWorkers, WorkQueue } from './workqueue.js';

/** The ConfigMap's name (`RootCACertConfigMapName`). */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** The annotation that describes it (`DescriptionAnnotation`). */
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** Upstream's description, word for word. */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';
/** Workers kube-controller-manager runs the publisher with. */
export const ROOT_CA_PUBLISHER_WORKERS = 1;
/** How long a key waits for the ConfigMap informer's first list (WaitForNamedCacheSync polls every 100 ms). */
const SYNC_POLL_MS = 100;

const NAMESPACES: GVR = { group: '', version: 'v1', resource: 'namespaces' };
const CONFIGMAPS: GVR = { group: '', version: 'v1', resource: 'configmaps' };

/** What the publisher needs. */
export interface RootCAPublisherDeps {
  client: ApiClient;
  /**
   * The client the informers list and watch with: kube-controller-manager's shared informers run as
   * its own identity, while the controller writes as its ServiceAccount (default: `client`).
   */
  informerClient?: ApiClient;
  clock: Clock;
  log: Logger;
  /** The PEM to publish. */
  rootCA: string;
}

function namespaceTerminatingCause(err: unknown): boolean {
  return err instanceof ApiError && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

function sameData(data: unknown, want: Record<string, string>): boolean {
  if (!data || typeof data !== 'object') return false;
  const d = data as Record<string, unknown>;
  return Object.keys(d).length === Object.keys(want).length && Object.entries(want).every(([k, v]) => d[k] === v);
}

/** The root CA publisher. */
export class RootCAPublisher {
  private readonly queue: WorkQueue<string>;
  private readonly namespaces: Informer;
  private readonly configMaps: Informer;

  constructor(private readonly deps: RootCAPublisherDeps) {
    this.queue = new WorkQueue<string>(deps.clock);
    const onConfigMap = (cm: ApiObject): void => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP && cm.metadata.namespace) this.queue.add(cm.metadata.namespace);
    };
    this.configMaps = new Informer({
      client: deps.informerClient ?? deps.client,
      gvr: CONFIGMAPS,
      clock: deps.clock,
      log: deps.log,
      handlers: { onUpdate: (_old, cm) => onConfigMap(cm), onDelete: onConfigMap },
    });
    this.namespaces = new Informer({
      client: deps.informerClient ?? deps.client,
      gvr: NAMESPACES,
      clock: deps.clock,
      log: deps.log,
      handlers: {
        onAdd: (ns) => ns.metadata.name && this.queue.add(ns.metadata.name),
        onUpdate: (_old, ns) => {
          if ((ns.status as { phase?: string } | undefined)?.phase === 'Active' && ns.metadata.name) this.queue.add(ns.metadata.name);
        },
      },
    });
  }

  /** Start the informers and the worker. */
  start(): void {
    this.configMaps.start();
    this.namespaces.start();
    void runWorkers(this.queue, ROOT_CA_PUBLISHER_WORKERS, (ns) => this.work(ns));
  }

  /** Stop the informers and the worker. */
  stop(): void {
    this.namespaces.stop();
    this.configMaps.stop();
    this.queue.shutdown();
  }

  private async work(namespace: string): Promise<void> {
    if (!this.configMaps.hasSynced()) {
      this.queue.addAfter(namespace, SYNC_POLL_MS);
      return;
    }
    try {
      await this.sync(namespace);
      this.queue.forget(namespace);
    } catch (err) {
      this.deps.log.warn({ namespace, err: (err as Error).message }, 'syncing root CA ConfigMap failed');
      this.queue.addRateLimited(namespace);
    }
  }

  /** Upstream's syncNamespace: create the ConfigMap, or put its data and annotation back. */
  private async sync(namespace: string): Promise<void> {
    const { client, rootCA } = this.deps;
    const data = { 'ca.crt': rootCA };
    const cm = this.configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    if (!cm) {
      try {
        await client.create(CONFIGMAPS, namespace, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
          data,
        });
      } catch (err) {
        if (isNotFound(err) || namespaceTerminatingCause(err)) return;
        throw err;
      }
      return;
    }
    if (sameData(cm.data, data) && (cm.metadata.annotations?.[DESCRIPTION_ANNOTATION] ?? '') !== '') return;
    const updated: ApiObject = {
      ...cm,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data,
      metadata: { ...cm.metadata, annotations: { ...(cm.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
    };
    await client.update(CONFIGMAPS, namespace, ROOT_CA_CONFIGMAP, updated);
  }
}
