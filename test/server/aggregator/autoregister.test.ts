/**
 * The autoregister table over one shared store, as kubernetes/kubernetes#96486 meets it: two
 * servers' controllers share a fake APIService store (each sees every write at once, as the same
 * etcd). A server that does not serve a group/version leaves alone the "onstart" APIService another
 * server registered after it started, deletes it once when it starts again, and the registering
 * server, having synced it, never recreates it; only its own restart does. An "always" (CRD)
 * APIService is recreated whenever it goes.
 */
import t from 'tap';
import { pino } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { AutoRegisterController } from '../../../server/aggregator/autoregister.js';
import { AUTOMANAGED_LABEL, type APIService } from '../../../server/aggregator/apiservice.js';
import type { RegistryHandlers } from '../../../server/apiextensions/crd-informer.js';
import { scaledClock } from '../../../server/clock.js';

/** One store of APIServices that every informer view shares; writes reach every view's handlers. */
class SharedStore {
  readonly objects = new Map<string, APIService>();
  private readonly handlers: Array<RegistryHandlers<APIService>> = [];
  private uid = 0;
  deletes = 0;

  view(): { addHandlers(h: RegistryHandlers<APIService>): void; get(name: string): APIService | undefined; list(): APIService[] } {
    return {
      addHandlers: (h) => void this.handlers.push(h),
      get: (name) => this.objects.get(name),
      list: () => [...this.objects.values()],
    };
  }

  registry(): unknown {
    return {
      create: async (_type: unknown, _ns: string, obj: APIService) => {
        const name = obj.metadata?.name ?? '';
        const created = { ...obj, metadata: { ...obj.metadata, uid: `uid-${++this.uid}` } };
        this.objects.set(name, created);
        for (const h of this.handlers) h.onAdd?.(created);
        return created;
      },
      update: async (_type: unknown, _ns: string, name: string, obj: APIService) => {
        const old = this.objects.get(name)!;
        this.objects.set(name, obj);
        for (const h of this.handlers) h.onUpdate?.(old, obj);
        return obj;
      },
      delete: async (_type: unknown, _ns: string, name: string) => {
        const old = this.objects.get(name);
        if (!old) return undefined;
        this.objects.delete(name);
        this.deletes++;
        for (const h of this.handlers) h.onDelete?.(old);
        return old;
      },
    };
  }
}

const log = pino({ level: 'silent' });
const clock = scaledClock(1);
const V1BETA3: APIService = { metadata: { name: 'v1beta3.flowcontrol.apiserver.k8s.io' }, spec: { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', groupPriorityMinimum: 16100, versionPriority: 18 } };
const V1: APIService = { metadata: { name: 'v1.flowcontrol.apiserver.k8s.io' }, spec: { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', groupPriorityMinimum: 16100, versionPriority: 21 } };
const WIDGETS: APIService = { metadata: { name: 'v1.example.com' }, spec: { group: 'example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 100 } };

const nameOf = (s: APIService): string => s.metadata?.name ?? '';

/** A server's controller over the shared store, started as its server starts: what it wants on start and always. */
function server(store: SharedStore, onStart: APIService[], always: APIService[] = []): AutoRegisterController {
  const c = new AutoRegisterController({ registry: store.registry() as never, apiServices: {} as never, informer: store.view() as never, clock, log });
  for (const s of onStart) c.addOnStart(s);
  for (const s of always) c.addAlways(s);
  c.start();
  return c;
}

/** Let the single workers drain. */
const settle = (): Promise<void> => sleep(50);

t.test('an onstart APIService deleted by a server that does not serve it stays deleted', async (t) => {
  const store = new SharedStore();
  const older = server(store, [V1, V1BETA3]);
  await settle();
  t.same([...store.objects.keys()].sort(), [nameOf(V1), nameOf(V1BETA3)], 'the older server registers both');
  t.equal(store.objects.get(nameOf(V1BETA3))?.metadata?.labels?.[AUTOMANAGED_LABEL], 'onstart');

  const newer = server(store, [V1]);
  await settle();
  t.notOk(store.objects.has(nameOf(V1BETA3)), 'the newer server, finding it at start and not wanting it, deletes it');
  t.equal(store.deletes, 1, 'once');
  t.ok(store.objects.has(nameOf(V1)), 'the APIService both want is kept');

  await settle();
  t.notOk(store.objects.has(nameOf(V1BETA3)), 'the older server synced it at start and does not recreate it');
  older.stop();
  const restarted = server(store, [V1, V1BETA3]);
  await settle();
  t.equal(store.objects.get(nameOf(V1BETA3))?.metadata?.uid, 'uid-3', 'only its restart registers it again, a new object');
  t.equal(store.deletes, 1, 'which the running newer server leaves alone: not present at its start');
  newer.stop();
  restarted.stop();
});

t.test('an always APIService (a CRD group/version) is recreated by the server that wants it', async (t) => {
  const store = new SharedStore();
  const wants = server(store, [V1], [WIDGETS]);
  await settle();
  t.ok(store.objects.has(nameOf(WIDGETS)));
  t.equal(store.objects.get(nameOf(WIDGETS))?.metadata?.labels?.[AUTOMANAGED_LABEL], 'true');
  const other = server(store, [V1]);
  await settle();
  t.ok(store.deletes >= 1, 'a server without the CRD deletes it');
  t.ok(store.objects.has(nameOf(WIDGETS)), 'and the server that wants it always creates it again');
  wants.stop();
  other.stop();
});
