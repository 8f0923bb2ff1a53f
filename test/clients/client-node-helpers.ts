/**
 * What the @kubernetes/client-node tests share: polling, the Status body of an ApiException, and an
 * informer started with its callbacks recorded as lines.
 */
import type { ApiException, Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { TestLike } from '../fixtures/cluster.js';

/** Poll `pred` until it is true (resolves true) or `ms` passed (resolves false). */
export async function waitUntil(pred: () => boolean | Promise<boolean>, ms = 10_000, every = 25): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, every));
  }
  return true;
}

/** The Status body of an ApiException (client-node hands over the raw JSON text). */
export function statusBody(err: ApiException<unknown>): any {
  return typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
}

/** The callbacks an informer made, as `add NAME VALUE` / `update NAME VALUE` / `delete NAME` lines, and its errors. */
export interface InformerRecord {
  seen: string[];
  errors: unknown[];
  connected(): boolean;
}

/** Records `informer`'s callbacks (`value` picks what add/update lines show), starts it, and stops it in teardown. */
export async function startRecording<T extends KubernetesObject>(
  t: TestLike,
  informer: Informer<T> & ObjectCache<T>,
  value: (o: T) => unknown,
): Promise<InformerRecord> {
  const seen: string[] = [];
  const errors: unknown[] = [];
  let connected = false;
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${value(o)}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${value(o)}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  informer.on('connect', () => (connected = true));
  informer.on('error', (e) => errors.push(e));
  t.teardown(() => informer.stop());
  await informer.start();
  return { seen, errors, connected: () => connected };
}
