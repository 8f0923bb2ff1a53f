/**
 * Watch streams: newline-delimited JSON events with headers flushed at once, upstream's
 * resourceVersion semantics (synthetic ADDED events for an unset or `0` resourceVersion and for
 * `sendInitialEvents`), selector transitions (an object that stops matching is DELETED, one that
 * starts matching is ADDED), bookmarks, `timeoutSeconds`, and a 410 ERROR event for a compacted
 * resourceVersion.
 */
import type { MinorInfo } from '../../versions/minors.js';
import type { ChangeEvent, Watcher } from '../../storage/store.js';
import type { Clock, ClockTimer } from '../clock.js';
import type { RequestContext } from '../http/context.js';
import { internalError, unclassifiedError, type Status } from '../errors/status.js';
import { converts, decodeEvent } from '../registry/codec.js';
import { isConversionError } from '../registry/custom/conversion/converter.js';
import type { Registry } from '../registry/rest.js';
import type { ListOptions } from '../registry/list-options.js';
import { toWire, type KubeObject } from '../registry/object.js';
import { isExpiredWatch } from '../registry/storage-errors.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { OutputChoice } from './output.js';
import { transformContentType } from './output.js';
import { printerOf } from './custom-table.js';
import { toTable } from './table.js';

/** How often a watch with `allowWatchBookmarks` gets a BOOKMARK (upstream sends about one a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** Upstream's `--min-request-timeout` default: a watch without timeoutSeconds lasts 1800–3600 s. */
export const MIN_REQUEST_TIMEOUT_SECONDS = 1800;

/** What a watch needs from the server (the registry owns the store's watch). */
export interface WatchDeps {
  registry: Registry;
  clock: Clock;
  /** The facts of the simulated minor (Table columns, review metadata and more differ between minors). */
  minor: MinorInfo;
  random?: () => number;
  /** Called when the stream opens and closes (metrics). */
  onOpen?(): void;
  onClose?(): void;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Serve a watch on `type` in `namespace` (all namespaces when ''), optionally one object by `name`. */
export async function serveWatch(
  ctx: RequestContext,
  deps: WatchDeps,
  type: ResourceType,
  namespace: string,
  name: string,
  opts: ListOptions,
  output: OutputChoice,
): Promise<void> {
  const selection = deps.registry.selection(type, opts);
  const matches = (obj: KubeObject | undefined): boolean => {
    if (!obj) return false;
    if (name && obj.metadata?.name !== name) return false;
    return selection.matches(obj);
  };

  // Initial state, when the resourceVersion semantics call for it.
  const rv = opts.resourceVersion;
  const wantsInitial = opts.sendInitialEvents === true || (opts.sendInitialEvents === undefined && (rv === '' || rv === '0'));
  let startRev: number;
  let initial: KubeObject[] = [];
  if (wantsInitial) {
    const list = await deps.registry.list(type, namespace, { ...opts, limit: 0, continue: '', resourceVersion: '', resourceVersionMatch: '' });
    startRev = Number(list.resourceVersion);
    initial = list.items.filter((o) => !name || o.metadata?.name === name);
  } else {
    startRev = rv === '' ? await deps.registry.currentRevision() : Number(rv);
  }

  const contentType = output.as === 'table' ? transformContentType('Table', output.version) : 'application/json';
  ctx.reply.hijack();
  const res = ctx.res;
  ctx.statusCode = 200;
  const headers: Record<string, string | string[]> = { ...ctx.headers, 'content-type': contentType, 'transfer-encoding': 'chunked' };
  res.writeHead(200, headers);
  res.flushHeaders();

  let firstObject = true;
  const encode = (eventType: EventType, object: KubeObject | Status): string => {
    let obj: unknown = object;
    if (output.as === 'table' && (eventType === 'ADDED' || eventType === 'MODIFIED' || eventType === 'DELETED')) {
      const table = toTable({ kind: type.kind, group: type.group, ...printerOf(type), items: [object as KubeObject], listMeta: {}, includeObject: 'Metadata', now: deps.clock.now(), printers: deps.minor.printers, apiVersion: `meta.k8s.io/${output.version}` });
      if (!firstObject) table.columnDefinitions = [];
      firstObject = false;
      obj = table;
    } else if (output.as === 'partial' && eventType !== 'ERROR' && eventType !== 'BOOKMARK') {
      obj = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${output.version}`, metadata: (object as KubeObject).metadata };
    }
    return `${JSON.stringify({ type: eventType, object: obj })}\n`;
  };

  let closed = false;
  let watcher: Watcher | undefined;
  let lastRev = startRev;
  const timers: ClockTimer[] = [];
  deps.onOpen?.();
  const finish = (): void => {
    if (closed) return;
    closed = true;
    watcher?.stop();
    for (const t of timers) t.cancel();
    deps.onClose?.();
    if (!res.writableEnded) res.end();
  };
  res.on('close', finish);
  ctx.req.on('close', () => {
    if (ctx.req.destroyed && !res.writableEnded) finish();
  });

  const write = (text: string): void => {
    if (!closed) res.write(text);
  };
  const bookmark = (extra?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(lastRev) };
    if (extra) metadata.annotations = extra;
    write(encode('BOOKMARK', { kind: type.kind, apiVersion: type.groupVersion, metadata } as KubeObject));
  };

  for (const obj of initial) write(encode('ADDED', { kind: type.kind, apiVersion: type.groupVersion, ...obj }));
  if (opts.sendInitialEvents === true) bookmark({ 'k8s.io/initial-events-end': 'true' });

  const onEvent = (event: ChangeEvent): void => {
    lastRev = event.rev;
    const current = toWire(type, { key: event.key, rev: event.rev, createRev: 0, value: event.value });
    const previous = event.prevValue ? toWire(type, { key: event.key, rev: event.prevRev ?? 0, createRev: 0, value: event.prevValue }) : undefined;
    const now = event.type !== 'DELETED' && matches(current);
    const before = event.type !== 'ADDED' && matches(previous);
    if (event.type === 'DELETED') {
      if (before || matches(current)) write(encode('DELETED', current));
    } else if (now && before) write(encode('MODIFIED', current));
    else if (now) write(encode('ADDED', current));
    // Leaving the selection: upstream's cacher sends the previous content at this event's revision.
    else if (before) write(encode('DELETED', toWire(type, { key: event.key, rev: event.rev, createRev: 0, value: event.prevValue ?? event.value })));
  };

  // Custom resources are converted from their stored version, asynchronously: events queue up so
  // that they stay in order; a failed conversion ends the watch with an ERROR event.
  let converting = Promise.resolve();
  const onStoreEvent = (event: ChangeEvent): void => {
    if (!converts(type)) return onEvent(event);
    converting = converting.then(async () => {
      if (closed) return;
      try {
        onEvent(await decodeEvent(type, event));
      } catch (err) {
        write(encode('ERROR', (isConversionError(err) ? unclassifiedError(err.message) : internalError((err as Error).message)).status));
        finish();
      }
    });
  };

  watcher = deps.registry.watchChanges(type, namespace, name, startRev, {
    onEvent: onStoreEvent,
    onError: (err) => {
      if (isExpiredWatch(err)) write(encode('ERROR', err.status));
      finish();
    },
  });

  const random = deps.random ?? Math.random;
  const seconds = opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0 ? opts.timeoutSeconds : MIN_REQUEST_TIMEOUT_SECONDS * (1 + random());
  timers.push(deps.clock.setTimeout(finish, seconds * 1000));
  if (opts.allowWatchBookmarks) timers.push(deps.clock.setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));
}
