/**
 * Snapshots of the leases that tell peers about each other, read from the shared store for the
 * run's timeline: the kube-apiserver identity Leases in kube-system (labelled
 * `apiserver.kubernetes.io/identity=kube-apiserver`, expired or not by the cluster's clock) and the
 * peer endpoint lease records. A sampler records a snapshot whenever one differs from the last.
 */
import { IDENTITY_LABEL, IDENTITY_LABEL_VALUE, LEASE_NAMESPACE, leaseExpired } from '../../server/peers/identity-lease.js';
import { PEER_LEASE_PREFIX, joinHostPort, type PeerEndpoint } from '../../server/peers/endpoint-lease.js';
import { storagePrefixOf } from '../../server/registry/resource-type.js';
import type { KubeObject } from '../../server/registry/object.js';
import type { RunContext } from './context.js';
import type { LeaseData, Timeline } from './timeline.js';

/** How often the sampler looks, besides each step's end. */
export const LEASE_SAMPLE_MS = 500;

/** The store prefix of the identity leases. */
const IDENTITY_PREFIX = `${storagePrefixOf('coordination.k8s.io', 'leases')}${LEASE_NAMESPACE}/`;

/** The server of the run whose identity is `id`, if any. */
function serverOf(ctx: Pick<RunContext, 'cluster'>, id: string): string | undefined {
  for (const [name, proc] of ctx.cluster.servers) if (proc.info?.id === id) return name;
  return undefined;
}

/** Read the identity and endpoint leases now. */
export async function readLeases(ctx: Pick<RunContext, 'cluster' | 'store'>): Promise<LeaseData> {
  const now = ctx.cluster.clock.now();
  const { items } = await ctx.store.list(IDENTITY_PREFIX);
  const identity: LeaseData['identity'] = [];
  for (const { value } of items) {
    const lease = value as KubeObject;
    const meta = (lease.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
    if (meta.labels?.[IDENTITY_LABEL] !== IDENTITY_LABEL_VALUE || !meta.name) continue;
    const spec = (lease.spec ?? {}) as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
    const server = serverOf(ctx, meta.name) ?? meta.labels['kubernetes.io/hostname'];
    identity.push({
      id: meta.name,
      ...(server ? { server } : {}),
      ...(spec.holderIdentity ? { holder: spec.holderIdentity } : {}),
      ...(spec.renewTime ? { renewTime: spec.renewTime } : {}),
      ...(spec.leaseDurationSeconds !== undefined ? { durationSeconds: spec.leaseDurationSeconds } : {}),
      expired: leaseExpired(lease, now),
    });
  }
  const endpoints: LeaseData['endpoints'] = [];
  for (const { value } of await ctx.store.listTtl(PEER_LEASE_PREFIX)) {
    const ep = value as unknown as PeerEndpoint;
    const id = ep.metadata?.labels?.apiserverIdentity ?? '';
    const ip = ep.subsets?.[0]?.addresses?.[0]?.ip;
    const port = ep.subsets?.[0]?.ports?.[0]?.port;
    const server = serverOf(ctx, id);
    endpoints.push({ id, ...(server ? { server } : {}), address: ip !== undefined && port !== undefined ? joinHostPort(ip, port) : '' });
  }
  return { identity, endpoints };
}

/** What a snapshot shows, without the renew times that change at every renewal. */
function shape(data: LeaseData): string {
  return JSON.stringify([data.identity.map((l) => [l.id, l.holder, l.expired]), data.endpoints.map((e) => [e.id, e.address])]);
}

/** Samples the leases into a timeline on a period and on demand, recording only changes. */
export class LeaseSampler {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: Pick<RunContext, 'cluster' | 'store'>,
    private readonly timeline: Timeline,
  ) {}

  /** Sample now (one sample at a time); a store that cannot be read skips the sample. */
  sample(): Promise<void> {
    this.running = this.running.then(async () => {
      const data = await readLeases(this.ctx).catch(() => undefined);
      if (!data) return;
      const s = shape(data);
      if (s === this.last) return;
      this.last = s;
      this.timeline.record('leases', data);
    });
    return this.running;
  }

  /** Sample every {@link LEASE_SAMPLE_MS}. */
  start(): void {
    this.timer = setInterval(() => void this.sample(), LEASE_SAMPLE_MS);
    this.timer.unref();
  }

  /** Stop sampling, after a last sample. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sample();
  }
}
