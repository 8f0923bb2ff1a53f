/**
 * Event validation as pkg/apis/core/validation/events.go. Every Event passes the legacy rules: an
 * Event without eventTime must sit in its involvedObject's namespace (or `default` when the object
 * is cluster-scoped); one with eventTime needs reportingController (qualified name),
 * reportingInstance, action and reason (each at most 128 characters) and a message of at most 1024.
 * Writes through events.k8s.io/v1 also get the strict rules: eventTime required, type Normal or
 * Warning, the deprecated fields unset, series count ≥ 2 with lastObservedTime, and on update the
 * identifying fields immutable. Paths are upstream's internal names (`involvedObject`, `message`,
 * `reportingController`), whichever version the client wrote.
 */
import type { FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import { isQualifiedName } from '../validation.js';
import { immutable, invalid, invalidEach, obj, required, str } from './field.js';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

/** An Event in upstream's internal shape, whichever API version it was written in. */
interface InternalEvent {
  namespace: string;
  involvedObject: Record<string, unknown>;
  reason: string;
  message: string;
  source: Record<string, unknown>;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  count: number;
  type: string;
  eventTime: unknown;
  series: Record<string, unknown> | undefined;
  action: string;
  related: unknown;
  reportingController: string;
  reportingInstance: string;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function internal(event: KubeObject, eventsGroup: boolean): InternalEvent {
  const e = event as Record<string, unknown>;
  const series = e['series'] === undefined || e['series'] === null ? undefined : obj(e['series']);
  const pick = (core: string, events: string): unknown => e[eventsGroup ? events : core];
  return {
    namespace: str(obj(e['metadata'])['namespace']),
    involvedObject: obj(pick('involvedObject', 'regarding')),
    reason: str(e['reason']),
    message: str(pick('message', 'note')),
    source: obj(pick('source', 'deprecatedSource')),
    firstTimestamp: pick('firstTimestamp', 'deprecatedFirstTimestamp'),
    lastTimestamp: pick('lastTimestamp', 'deprecatedLastTimestamp'),
    count: typeof pick('count', 'deprecatedCount') === 'number' ? (pick('count', 'deprecatedCount') as number) : 0,
    type: str(e['type']),
    eventTime: e['eventTime'],
    series,
    action: str(e['action']),
    related: e['related'],
    reportingController: str(pick('reportingComponent', 'reportingController')),
    reportingInstance: str(e['reportingInstance']),
  };
}

function legacy(ev: InternalEvent): FieldError[] {
  const errs: FieldError[] = [];
  const involvedNamespace = str(ev.involvedObject['namespace']);
  const mismatch = invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace');
  if (!present(ev.eventTime)) {
    if (involvedNamespace === '') {
      if (ev.namespace !== '' && ev.namespace !== 'default') errs.push(mismatch);
    } else if (ev.namespace !== involvedNamespace) {
      errs.push(mismatch);
    }
    return errs;
  }
  if (involvedNamespace === '' && ev.namespace !== 'default' && ev.namespace !== 'kube-system') errs.push(mismatch);
  if (ev.reportingController === '') errs.push(required('reportingController', ''));
  errs.push(...invalidEach('reportingController', ev.reportingController, isQualifiedName(ev.reportingController)));
  if (ev.reportingInstance === '') errs.push(required('reportingInstance', ''));
  if (ev.reportingInstance.length > REPORTING_INSTANCE_LIMIT) errs.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
  if (ev.action === '') errs.push(required('action', ''));
  if (ev.action.length > ACTION_LIMIT) errs.push(invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
  if (ev.reason === '') errs.push(required('reason', ''));
  if (ev.reason.length > REASON_LIMIT) errs.push(invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
  if (ev.message.length > NOTE_LIMIT) errs.push(invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  return errs;
}

function series(ev: InternalEvent): FieldError[] {
  if (!ev.series) return [];
  const errs: FieldError[] = [];
  const count = typeof ev.series['count'] === 'number' ? ev.series['count'] : 0;
  if (count < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (!present(ev.series['lastObservedTime'])) errs.push(required('series.lastObservedTime', ''));
  return errs;
}

function strictCreate(ev: InternalEvent): FieldError[] {
  const errs = series(ev);
  if (!present(ev.eventTime)) errs.push(required('eventTime', ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${ev.type}`));
  if (present(ev.firstTimestamp)) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (present(ev.lastTimestamp)) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (ev.count !== 0) errs.push(invalid('count', '', 'needs to be unset'));
  if (present(ev.source['component']) || present(ev.source['host'])) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

function strictUpdate(ev: InternalEvent, old: InternalEvent): FieldError[] {
  const errs: FieldError[] = [];
  if (JSON.stringify(ev.series ?? null) !== JSON.stringify(old.series ?? null)) errs.push(...series(ev));
  const fields: Array<keyof InternalEvent> = ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'reason', 'type', 'eventTime', 'action', 'related', 'reportingController', 'reportingInstance'];
  for (const f of fields) errs.push(...immutable(f, ev[f], old[f]));
  return errs;
}

/** The field errors of an Event (core/v1 or events.k8s.io); `old` marks an update. */
export function validateEvent(event: KubeObject, old: KubeObject | undefined, type?: ResourceType): FieldError[] {
  const eventsGroup = type?.group === 'events.k8s.io';
  const ev = internal(event, eventsGroup);
  const errs = legacy(ev);
  // core/v1 and events.k8s.io/v1beta1 keep the legacy rules only, for backwards compatibility.
  if (!eventsGroup || type?.version === 'v1beta1') return errs;
  if (old) errs.push(...strictUpdate(ev, internal(old, eventsGroup)));
  else errs.push(...strictCreate(ev));
  return errs;
}
