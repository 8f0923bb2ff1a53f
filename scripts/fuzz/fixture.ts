/**
 * What the fuzzer keeps on the server under test: the fuzz namespace with the target ConfigMap and
 * a few more (labelled as seeded), created before the first batch and restored when gone; and the
 * removal, after each batch, of whatever the batch's accepted writes created, so objects (some
 * huge: thousands of labels, megabytes of data) do not pile up and slow every later list.
 */
import { FUZZ_NAMESPACE, SEEDED_CONFIGMAPS, TARGET_CONFIGMAP, type FuzzCase } from './case.js';
import { CONFIGMAPS, TARGET_PATH } from './generators/targets.js';
import type { Transport } from './transport.js';
import { NEWEST_API, newestApiObject } from '../bench/newest-api.js';

/** Large MutatingAdmissionPolicies seeded for cut cases to read in part. */
const SEEDED_POLICIES = 8;

/** The label that marks what the fixture seeded; cleanup removes everything else. */
const SEED_LABEL = 'fuzz-seed';

/** Collections of the fuzz namespace the fuzzer may create objects in (and the controllers, ReplicaSets). */
const CLEANED = [
  `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps`,
  `/api/v1/namespaces/${FUZZ_NAMESPACE}/secrets`,
  `/api/v1/namespaces/${FUZZ_NAMESPACE}/pods`,
  `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/deployments`,
  `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/replicasets`,
];

function request(method: string, path: string, body?: unknown): FuzzCase {
  return {
    category: 'paths',
    variant: 'fixture',
    method,
    path,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  };
}

async function status(t: Transport, c: FuzzCase): Promise<{ status: number; text: string }> {
  const o = await t.send(c);
  if (o.kind !== 'answered') throw new Error(`${c.method} ${c.path}: ${o.kind}${'error' in o ? ` ${o.error}` : ''}`);
  return { status: o.responses[0]!.status, text: o.responses[0]!.body.toString('utf8') };
}

function seeded(name: string): Record<string, unknown> {
  const obj = CONFIGMAPS.object(name);
  const meta = obj.metadata as { labels: Record<string, string> };
  meta.labels = { ...meta.labels, [SEED_LABEL]: 'true' };
  return obj;
}

/** Creates the fuzz namespace, the target ConfigMap and the seeded ones that are missing. */
export async function seed(t: Transport): Promise<void> {
  const create = async (path: string, obj: unknown): Promise<void> => {
    const r = await status(t, request('POST', path, obj));
    if (r.status !== 201 && r.status !== 409) throw new Error(`seeding ${path}: ${r.status} ${r.text.slice(0, 200)}`);
  };
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FUZZ_NAMESPACE } });
  await create(CONFIGMAPS.collection, seeded(TARGET_CONFIGMAP));
  for (let i = 0; i < SEEDED_CONFIGMAPS; i++) await create(CONFIGMAPS.collection, seeded(`fuzz-${i}`));
  // Large objects of the newest API, so that a list of them is long enough to be cut in the middle.
  for (let i = 0; i < SEEDED_POLICIES; i++) await create(NEWEST_API.path, newestApiObject(`fuzz-${i}`, 20_000));
}

/** How long a server of an older minor may take to forward the newest API (its proxy's first peer sync). */
const PROXY_SYNC_MS = 60_000;

/** Resolves once the server `t` sends to answers a list of the newest API with a 200 (through its proxy). */
export async function untilProxied(t: Transport): Promise<void> {
  const deadline = Date.now() + PROXY_SYNC_MS;
  try {
    for (;;) {
      const r = await status(t, request('GET', `${NEWEST_API.path}?limit=1`)).catch((err: Error) => ({ status: 0, text: err.message }));
      if (r.status === 200) return;
      if (Date.now() > deadline) throw new Error(`the proxying server still answers ${r.status} ${r.text.slice(0, 200)} for ${NEWEST_API.path} after ${PROXY_SYNC_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    t.close();
  }
}

/**
 * Removes what accepted writes created: everything unseeded in the fuzz namespace's collections,
 * and the namespaces named in `namespaces`; then restores the target if a write removed or
 * relabelled it. Returns nothing; the caller discards the store changes this makes.
 */
export async function cleanUp(t: Transport, namespaces: Iterable<string>): Promise<void> {
  for (const path of CLEANED) await status(t, request('DELETE', `${path}?labelSelector=${encodeURIComponent(`!${SEED_LABEL}`)}`));
  for (const ns of namespaces) if (ns !== FUZZ_NAMESPACE) await status(t, request('DELETE', `/api/v1/namespaces/${ns}`));
  if ((await status(t, request('GET', TARGET_PATH))).status === 404) await seed(t);
}
