/**
 * The in-server kube-controller-manager: when `--controllers` names any controller, the server
 * campaigns for the `kube-system/kube-controller-manager` Lease and, while it leads, runs those
 * controllers (namespace, garbagecollector, deployment, root-ca-cert-publisher, serviceaccount, clusterrole-aggregation). They talk to the API over HTTPS through
 * {@link ApiClient}: by default to the server's own port — so they act on that server's view,
 * its Mixed Version Proxy included — or to `--controllers-via` (a load balancer in front of every
 * server, as a kube-controller-manager whose kubeconfig points at one). Identity: the front-proxy
 * client certificate with user `system:kube-controller-manager` and group `system:authenticated`
 * when the server has `--proxy-client-cert-file`, `--proxy-client-key-file` and its own
 * `--requestheader-client-ca-file`; anonymous otherwise. The server's certificate is accepted when
 * it chains to `--peer-ca-file` or is the server's own serving certificate.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { CONTROLLER_NAMES, ConfigError, type ServerConfig } from '../config.js';
import { ApiClient } from './client.js';
import { DeploymentController } from './deployment.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.js';
import { GarbageCollector } from './garbage-collector.js';
import { LeaderElector } from './leader-election.js';
import { NamespaceController } from './namespace.js';
import { RestMapper } from './rest-mapper.js';
import { RootCAPublisher } from './root-ca-publisher.js';
import { ServiceAccountsController } from './serviceaccounts.js';
import { minorInfo } from '../../versions/index.js';

/** The identity the controller manager itself (leader election, discovery) presents as front-proxy headers. */
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';

/** Each controller's ServiceAccount in kube-system (kube-controller-manager's names). */
export const CONTROLLER_SERVICE_ACCOUNTS: Record<string, string> = {
  namespace: 'namespace-controller',
  garbagecollector: 'generic-garbage-collector',
  deployment: 'deployment-controller',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
  serviceaccount: 'service-account-controller',
};

/** What the manager needs from its server. */
export interface ControllerManagerDeps {
  config: ServerConfig;
  clock: Clock;
  log: Logger;
  /** The server's own URL (`https://127.0.0.1:<port>`). */
  selfURL: string;
  /** The server's serving certificate (PEM), trusted as is on the loopback. */
  servingCert: string;
  minor: string;
}

interface Running {
  stop(): void;
}

/** The controller manager of one server. */
export class ControllerManager {
  readonly elector: LeaderElector;
  private running: Running[] = [];
  private mapper: RestMapper | undefined;

  private readonly controllerClients = new Map<string, ApiClient>();

  private constructor(
    readonly client: ApiClient,
    private readonly deps: ControllerManagerDeps,
    readonly controllers: string[],
    /** The CA the root CA publisher writes into every namespace. */
    readonly rootCA: string,
    /** A client speaking as `user` in `groups` (the same identity-less client without front-proxy). */
    private readonly makeClient: (identity?: { user: string; groups: string[] }) => ApiClient,
  ) {
    const d = deps.config.durations;
    this.elector = new LeaderElector({
      client,
      clock: deps.clock,
      log: deps.log,
      host: deps.config.name,
      leaseDurationSeconds: d.leaderElectLeaseDurationSeconds,
      renewDeadlineSeconds: d.leaderElectRenewDeadlineSeconds,
      retryPeriodSeconds: d.leaderElectRetryPeriodSeconds,
      onStartedLeading: () => this.startControllers(),
      onStoppedLeading: () => this.stopControllers(),
      onNewLeader: (id) => deps.log.info({ leader: id }, 'new kube-controller-manager leader'),
    });
  }

  /** Build the manager from the server's flags; undefined when `--controllers` is empty. */
  static async create(deps: ControllerManagerDeps): Promise<ControllerManager | undefined> {
    const { config } = deps;
    const controllers = config.controllers ?? [...CONTROLLER_NAMES];
    if (controllers.length === 0) return undefined;
    const read = (file: string): Promise<string> => readFile(file, 'utf8');
    const cas = config.peerCAFile ? [await read(config.peerCAFile)] : [];
    const frontProxy = Boolean(config.proxyClientCertFile && config.proxyClientKeyFile && config.requestHeaderClientCAFile);
    const [cert, key] = frontProxy ? await Promise.all([read(config.proxyClientCertFile), read(config.proxyClientKeyFile)]) : [undefined, undefined];
    const makeClient = (identity?: { user: string; groups: string[] }): ApiClient =>
      new ApiClient({
        url: config.controllersVia || deps.selfURL,
        tls: { cas, pinned: [deps.servingCert], ...(cert && key ? { cert, key } : {}) },
        ...(frontProxy && identity ? { identity } : {}),
        userAgent: `kube-controller-manager/v${deps.minor}.0 (linux/amd64) kube-skew`,
        log: deps.log,
      });
    const client = makeClient({ user: CONTROLLER_MANAGER_USER, groups: ['system:authenticated'] });
    // kube-controller-manager reads --root-ca-file, else publishes the CA of its own kubeconfig: here
    // the CA the controllers' client trusts.
    let rootCA: string;
    try {
      rootCA = config.rootCAFile ? await read(config.rootCAFile) : (cas[0] ?? deps.servingCert);
    } catch (err) {
      throw new ConfigError(`error parsing root-ca-file at ${config.rootCAFile}: ${(err as Error).message}`);
    }
    return new ControllerManager(client, deps, controllers, rootCA, makeClient);
  }

  /** The client of controller `name`, speaking as its ServiceAccount. */
  private clientOf(name: string): ApiClient {
    let c = this.controllerClients.get(name);
    if (!c) {
      const sa = CONTROLLER_SERVICE_ACCOUNTS[name] ?? name;
      c = this.makeClient({ user: `system:serviceaccount:kube-system:${sa}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] });
      this.controllerClients.set(name, c);
    }
    return c;
  }

  /** Start campaigning. */
  start(): void {
    this.elector.start();
  }

  /** Stop leading and campaigning, and close the client. */
  async stop(): Promise<void> {
    this.elector.stop();
    this.stopControllers();
    await Promise.all([this.client.close(), ...[...this.controllerClients.values()].map((c) => c.close())]);
  }

  /** True while this server runs the controllers. */
  isLeader(): boolean {
    return this.elector.isLeader();
  }

  private startControllers(): void {
    const { clock, log, config } = this.deps;
    const d = config.durations;
    this.mapper = new RestMapper(this.client, clock, d.restMapperResetSeconds * 1000);
    const mapper = this.mapper;
    log.info({ controllers: this.controllers, via: this.client.url }, 'started leading: starting controllers');
    for (const name of this.controllers) {
      const client = this.clientOf(name);
      if (name === 'namespace') {
        const c = new NamespaceController({ client, clock, log: log.child({ controller: 'namespace' }), resyncMs: d.namespaceResyncSeconds * 1000, gracePeriodMs: d.namespaceDeletionGracePeriodSeconds * 1000 });
        c.start();
        this.running.push(c);
      } else if (name === 'garbagecollector') {
        const c = new GarbageCollector({
          client,
          mapper,
          clock,
          log: log.child({ controller: 'garbagecollector' }),
          syncPeriodMs: d.garbageCollectorSyncPeriodSeconds * 1000,
          facts: minorInfo(this.deps.minor).garbageCollector,
        });
        c.start();
        this.running.push(c);
      } else if (name === 'root-ca-cert-publisher') {
        const c = new RootCAPublisher({ client, informerClient: this.client, clock, log: log.child({ controller: 'root-ca-cert-publisher' }), rootCA: this.rootCA });
        c.start();
        this.running.push(c);
      } else if (name === 'serviceaccount') {
        const c = new ServiceAccountsController({ client, informerClient: this.client, clock, log: log.child({ controller: 'serviceaccount' }) });
        c.start();
        this.running.push(c);
      } else if (name === 'deployment') {
        const c = new DeploymentController({ client, clock, log: log.child({ controller: 'deployment' }) });
        c.start();
        this.running.push(c);
      } else if (name === 'clusterrole-aggregation') {
        const c = new ClusterRoleAggregationController({ client, clock, log: log.child({ controller: 'clusterrole-aggregation' }) });
        c.start();
        this.running.push(c);
      }
    }
  }

  private stopControllers(): void {
    for (const c of this.running.splice(0)) c.stop();
    this.mapper?.stop();
    this.mapper = undefined;
  }
}
