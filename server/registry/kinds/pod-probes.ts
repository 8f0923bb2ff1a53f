/**
 * Container probes and lifecycle handlers, after pkg/apis/core/validation's `validateProbe`,
 * `validateLivenessProbe`/`validateReadinessProbe`/`validateStartupProbe`, `validateLifecycle` and
 * `validateHandler`: exactly one handler (exec, httpGet, tcpSocket, grpc; sleep for lifecycle
 * hooks), its own rules (command required, path required, port number or name, scheme HTTP/HTTPS,
 * header names, sleep within the grace period), non-negative delays, periods and thresholds,
 * successThreshold 1 for liveness and startup probes, a positive probe-level grace period and none on
 * readiness probes.
 *
 * core/v1 defaulting ({@link defaultProbe}) fills a 0 timeout, period or threshold (1 s, 10 s, 1, 3)
 * and an empty httpGet path and scheme (`/`, HTTP) before validation, so only negative values and a
 * successThreshold above 1 reach these checks.
 */
import type { FieldError } from '../../errors/status.js';
import { regexError } from '../validation.js';
import { arr, forbidden, invalid, notSupported, obj, required, str } from './field.js';
import { validatePortNumOrName } from './ports.js';

type Rec = Record<string, unknown>;

/** `supportedHTTPSchemes`, sorted as `sets.List` lists them. */
const HTTP_SCHEMES = ['HTTP', 'HTTPS'] as const;
/** apimachinery's `IsHTTPHeaderName`. */
const HTTP_HEADER_NAME_FMT = '[-A-Za-z0-9]+';
const HTTP_HEADER_NAME_ERR = "a valid HTTP header must consist of alphanumeric characters or '-'";

/** The defaults core/v1 gives a probe (`SetDefaults_Probe`) and an httpGet action (`SetDefaults_HTTPGetAction`). */
export function defaultProbe(probe: Rec): void {
  if (!probe['timeoutSeconds']) probe['timeoutSeconds'] = 1;
  if (!probe['periodSeconds']) probe['periodSeconds'] = 10;
  if (!probe['successThreshold']) probe['successThreshold'] = 1;
  if (!probe['failureThreshold']) probe['failureThreshold'] = 3;
  defaultHandler(probe);
}

/** The httpGet defaults of a probe or lifecycle handler: path `/`, scheme `HTTP`. */
export function defaultHandler(handler: Rec): void {
  const http = handler['httpGet'];
  if (http === undefined || http === null) return;
  const h = obj(http);
  if (!h['path']) h['path'] = '/';
  if (!h['scheme']) h['scheme'] = 'HTTP';
}

function validateHTTPGet(http: Rec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(http['path'])) errs.push(required(`${field}.path`, ''));
  errs.push(...validatePortNumOrName(http['port'], `${field}.port`));
  if (!(HTTP_SCHEMES as readonly unknown[]).includes(http['scheme'])) errs.push(notSupported(`${field}.scheme`, str(http['scheme']), HTTP_SCHEMES));
  for (const h of arr(http['httpHeaders']).map(obj)) {
    const name = str(h['name']);
    if (!new RegExp(`^${HTTP_HEADER_NAME_FMT}$`).test(name)) errs.push(invalid(`${field}.httpHeaders`, name, regexError(HTTP_HEADER_NAME_ERR, HTTP_HEADER_NAME_FMT, 'X-Header-Name')));
  }
  return errs;
}

function validateSleep(sleep: Rec, gracePeriod: number | undefined, field: string, allowZero: boolean): FieldError[] {
  if (gracePeriod === undefined) return [];
  const seconds = typeof sleep['seconds'] === 'number' ? sleep['seconds'] : 0;
  if (allowZero) {
    if (seconds < 0 || seconds > gracePeriod) return [invalid(field, seconds, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`)];
  } else if (seconds <= 0 || seconds > gracePeriod) {
    return [invalid(field, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`)];
  }
  return [];
}

/** What varies in handler validation by release and gate. */
export interface HandlerOptions {
  /** The pod's terminationGracePeriodSeconds (a sleep action may not exceed it). */
  gracePeriod: number | undefined;
  /** A sleep of 0 s is allowed (PodLifecycleSleepActionAllowZero). */
  allowZeroSleep: boolean;
}

/** `validateHandler`: exactly one of the kinds (in upstream's order), each with its own checks. */
function validateHandler(handler: Rec, kinds: readonly string[], field: string, opts: HandlerOptions): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    const v = handler[kind];
    if (v === undefined || v === null) continue;
    const at = `${field}.${kind}`;
    if (count > 0) {
      errs.push(forbidden(at, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const h = obj(v);
    if (kind === 'exec' && arr(h['command']).length === 0) errs.push(required(`${at}.command`, ''));
    if (kind === 'httpGet') errs.push(...validateHTTPGet(h, at));
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(h['port'], `${at}.port`));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(typeof h['port'] === 'number' ? h['port'] : 0, `${at}.port`));
    if (kind === 'sleep') errs.push(...validateSleep(h, opts.gracePeriod, at, opts.allowZeroSleep));
  }
  if (count === 0) errs.push(required(field, 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;

function nonNegative(v: unknown, field: string): FieldError[] {
  return typeof v === 'number' && v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];
}

function validateProbe(probe: Rec, field: string, opts: HandlerOptions): FieldError[] {
  const errs = validateHandler(probe, PROBE_HANDLERS, field, opts);
  for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[key], `${field}.${key}`));
  }
  const grace = probe['terminationGracePeriodSeconds'];
  if (typeof grace === 'number' && grace <= 0) errs.push(invalid(`${field}.terminationGracePeriodSeconds`, grace, 'must be greater than 0'));
  return errs;
}

/** The probes of one container (liveness, readiness, startup), absent ones skipped. */
export function validateProbes(c: Rec, path: string, opts: HandlerOptions): FieldError[] {
  const errs: FieldError[] = [];
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = c[kind];
    if (p === undefined || p === null) continue;
    const probe = obj(p);
    const at = `${path}.${kind}`;
    errs.push(...validateProbe(probe, at, opts));
    if (kind !== 'readinessProbe' && probe['successThreshold'] !== 1) errs.push(invalid(`${at}.successThreshold`, probe['successThreshold'] ?? 0, 'must be 1'));
    if (kind === 'readinessProbe' && probe['terminationGracePeriodSeconds'] !== undefined && probe['terminationGracePeriodSeconds'] !== null) {
      errs.push(invalid(`${at}.terminationGracePeriodSeconds`, probe['terminationGracePeriodSeconds'], 'must not be set for readinessProbes'));
    }
  }
  return errs;
}

/** `validateLifecycle`: the postStart and preStop handlers. */
export function validateLifecycle(lifecycle: Rec, path: string, opts: HandlerOptions): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = lifecycle[hook];
    if (h !== undefined && h !== null) errs.push(...validateHandler(obj(h), LIFECYCLE_HANDLERS, `${path}.${hook}`, opts));
  }
  return errs;
}
