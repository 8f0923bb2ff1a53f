/**
 * ListOptions from a request's query, validated as upstream's `ValidateListOptions` does, with
 * upstream's errors: 400 for unparsable values, 422 `ListOptions.meta.k8s.io "" is invalid` for
 * forbidden combinations.
 */
import { badRequest, invalid, type FieldError } from '../errors/status.js';
import { queryBool } from '../request-info.js';

/** Parsed list/watch options. */
export interface ListOptions {
  labelSelector: string;
  fieldSelector: string;
  watch: boolean;
  allowWatchBookmarks: boolean;
  /** Absent when the parameter was not sent. */
  sendInitialEvents?: boolean;
  /** '' when absent. */
  resourceVersion: string;
  resourceVersionMatch: '' | 'NotOlderThan' | 'Exact';
  /** 0 = no limit. */
  limit: number;
  continue: string;
  /** Absent when not sent. */
  timeoutSeconds?: number;
}

/** Options that select every object, from the start: what in-process informers and controllers list with. */
export const LIST_EVERYTHING: ListOptions = { labelSelector: '', fieldSelector: '', watch: false, allowWatchBookmarks: false, resourceVersion: '', resourceVersionMatch: '', limit: 0, continue: '' };

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
  return n;
}

/** Parse and validate list options; `watchListEnabled` is the WatchList gate of the server's minor. */
export function parseListOptions(query: URLSearchParams, isWatch: boolean, watchListEnabled: boolean): ListOptions {
  const match = query.get('resourceVersionMatch') ?? '';
  const opts: ListOptions = {
    labelSelector: query.get('labelSelector') ?? '',
    fieldSelector: query.get('fieldSelector') ?? '',
    watch: isWatch,
    allowWatchBookmarks: queryBool(query, 'allowWatchBookmarks'),
    resourceVersion: query.get('resourceVersion') ?? '',
    resourceVersionMatch: match as ListOptions['resourceVersionMatch'],
    limit: intParam(query, 'limit') ?? 0,
    continue: query.get('continue') ?? '',
  };
  if (query.has('sendInitialEvents')) opts.sendInitialEvents = queryBool(query, 'sendInitialEvents');
  const timeout = intParam(query, 'timeoutSeconds');
  if (timeout !== undefined) opts.timeoutSeconds = timeout;

  const errs: FieldError[] = [];
  if (match !== '' && match !== 'NotOlderThan' && match !== 'Exact') {
    errs.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', value: match, detail: 'supported values: "Exact", "NotOlderThan", ""' });
  }
  if (opts.resourceVersion !== '' && !/^\d+$/.test(opts.resourceVersion)) {
    throw badRequest(`invalid resource version ${JSON.stringify(opts.resourceVersion)}`);
  }
  if (match !== '' && !isWatch) {
    if (opts.resourceVersion === '') errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' });
    if (opts.continue !== '') errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden when continue is provided' });
    if (match === 'Exact' && opts.resourceVersion === '0') errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
  }
  if (opts.sendInitialEvents !== undefined) {
    if (!isWatch) errs.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for list' });
    else {
      if (!watchListEnabled) errs.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' });
      if (match !== 'NotOlderThan') errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
      if (!opts.allowWatchBookmarks) errs.push({ type: 'FieldValueForbidden', field: 'allowWatchBookmarks', detail: 'sendInitialEvents requires setting allowWatchBookmarks to true' });
    }
  } else if (isWatch && match !== '') {
    errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
  }
  if (opts.limit < 0) opts.limit = 0;
  if (errs.length > 0) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);
  return opts;
}

/**
 * The revision a list must be read at, or undefined when it reads the latest state (upstream's
 * storage ValidateListOptions). `Exact` reads at `resourceVersion`; so does the legacy form that
 * sends a non-zero `resourceVersion` and a `limit` without `resourceVersionMatch`, which etcd
 * serves exactly and which expires (410) once the revision is compacted. `NotOlderThan`, `0`, and
 * the legacy form without a limit read the latest state.
 */
export function exactListRevision(opts: ListOptions): number | undefined {
  if (opts.resourceVersion === '' || opts.resourceVersion === '0' || opts.continue !== '') return undefined;
  const legacyExact = opts.resourceVersionMatch === '' && opts.limit > 0;
  return opts.resourceVersionMatch === 'Exact' || legacyExact ? Number(opts.resourceVersion) : undefined;
}
