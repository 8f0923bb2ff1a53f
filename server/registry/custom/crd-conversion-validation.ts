/**
 * Upstream's validateCustomResourceConversion for a v1 CRD's `spec.conversion`, with the field
 * names of the internal form (`spec.conversion.webhookClientConfig…`,
 * `spec.conversion.conversionReviewVersions`): the strategy is `None` or `Webhook`; a webhook has a
 * client config with exactly one of `url` (https, a host, no user, query or fragment) and `service`
 * (name, namespace, a valid port and path), and conversionReviewVersions naming at least one version
 * the server speaks; `None` has neither. A non-empty `caBundle` must be one client-go can load
 * (webhook.ValidateCABundle) unless invalid ones are allowed: always on create, and on update while
 * the stored CRD is not Established or already holds an invalid one (allowInvalidCABundle); minors
 * before 1.31 never check it (versions/minors.ts).
 */
import { GoSyntax, type FieldError } from '../../errors/status.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation.js';
import { caBundleError, goBytes } from './ca-bundle.js';
import { isConditionTrue, type Crd } from './crd.js';

/** The ConversionReview versions kube-apiserver understands (upstream's acceptedConversionReviewVersions). */
export const ACCEPTED_CONVERSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

const FORM = '; desired format: https://host[/path]';

interface GoUrl {
  scheme: string;
  host: string;
  user?: string;
  query: string;
  fragment: string;
}

/** `text` before and after the first `sep` (all of it and '' without one). */
function splitOnce(text: string, sep: string): [string, string] {
  const at = text.indexOf(sep);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** The parts of a URL as Go's url.Parse splits them (it accepts what WHATWG parsing rejects, e.g. no scheme). */
function parseGoUrl(raw: string): GoUrl {
  let [rest, fragment] = splitOnce(raw, '#');
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  let query: string;
  [rest, query] = splitOnce(rest, '?');
  let host = '';
  let user: string | undefined;
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    let authority = end >= 0 ? rest.slice(2, end) : rest.slice(2);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      user = authority.slice(0, at);
      authority = authority.slice(at + 1);
    }
    host = authority;
  }
  const out: GoUrl = { scheme, host, query, fragment };
  if (user !== undefined) out.user = user;
  return out;
}

/** Upstream's webhook.ValidateWebhookURL with forceHttps. */
export function validateWebhookUrl(raw: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const u = parseGoUrl(raw);
  if (u.scheme !== 'https') errs.push({ type: 'FieldValueInvalid', field: path, value: u.scheme, detail: `'https' is the only allowed URL scheme${FORM}` });
  if (u.host === '') errs.push({ type: 'FieldValueInvalid', field: path, value: u.host, detail: `host must be provided${FORM}` });
  if (u.user !== undefined) errs.push({ type: 'FieldValueInvalid', field: path, value: u.user, detail: 'user information is not permitted in the URL' });
  if (u.fragment) errs.push({ type: 'FieldValueInvalid', field: path, value: u.fragment, detail: 'fragments are not permitted in the URL' });
  if (u.query) errs.push({ type: 'FieldValueInvalid', field: path, value: u.query, detail: 'query parameters are not permitted in the URL' });
  return errs;
}

/** Upstream's webhook.ValidateWebhookService (the port defaulted to 443 as v1 defaulting does). */
export function validateWebhookService(svc: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!svc.name) errs.push({ type: 'FieldValueRequired', field: `${path}.name`, detail: 'service name is required' });
  if (!svc.namespace) errs.push({ type: 'FieldValueRequired', field: `${path}.namespace`, detail: 'service namespace is required' });
  const port = svc.port === undefined || svc.port === null ? 443 : Number(svc.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    errs.push({ type: 'FieldValueInvalid', field: `${path}.port`, value: port, detail: 'port is not valid: must be between 1 and 65535, inclusive' });
  }
  if (typeof svc.path !== 'string') return errs;
  const p = svc.path;
  if (p === '/' || p === '') return errs;
  if (p === '//') return [...errs, { type: 'FieldValueInvalid', field: `${path}.path`, value: p, detail: 'segment[0] may not be empty' }];
  if (!p.startsWith('/')) errs.push({ type: 'FieldValueInvalid', field: `${path}.path`, value: p, detail: "must start with a '/'" });
  let check = p.slice(1);
  if (check.endsWith('/')) check = check.slice(0, -1);
  check.split('/').forEach((step, i) => {
    if (step === '') {
      errs.push({ type: 'FieldValueInvalid', field: `${path}.path`, value: p, detail: `segment[${i}] may not be empty` });
      return;
    }
    for (const failure of isDNS1123Subdomain(step)) errs.push({ type: 'FieldValueInvalid', field: `${path}.path`, value: p, detail: `segment[${i}]: ${failure}` });
  });
  return errs;
}

/** True when `versions` is empty or names a version the server understands (update ratcheting). */
export function hasValidConversionReviewVersionOrEmpty(versions: unknown): boolean {
  if (!Array.isArray(versions) || versions.length === 0) return true;
  return versions.some((v) => ACCEPTED_CONVERSION_REVIEW_VERSIONS.includes(v as string));
}

function validateReviewVersions(versions: unknown[], requireRecognized: boolean, path: string): FieldError[] {
  if (versions.length === 0) return [{ type: 'FieldValueRequired', field: path, detail: '' }];
  const errs: FieldError[] = [];
  const seen = new Set<unknown>();
  let accepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push({ type: 'FieldValueInvalid', field: `${path}[${i}]`, value: v, detail: 'duplicate version' });
      return;
    }
    seen.add(v);
    const s = typeof v === 'string' ? v : '';
    for (const e of isDNS1035Label(s)) errs.push({ type: 'FieldValueInvalid', field: `${path}[${i}]`, value: s, detail: e });
    if (ACCEPTED_CONVERSION_REVIEW_VERSIONS.includes(s)) accepted = true;
  });
  if (requireRecognized && !accepted) {
    errs.push({ type: 'FieldValueInvalid', field: path, value: versions, detail: `must include at least one of ${ACCEPTED_CONVERSION_REVIEW_VERSIONS.join(', ')}` });
  }
  return errs;
}

/** A v1 caBundle (base64 in JSON) as the bytes Go decodes it to. */
function caBundleBytes(value: unknown): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
}

/**
 * Upstream's allowInvalidCABundle for an update of `old`: true while `old` is not Established, or
 * when its own caBundle is non-empty and already invalid (so an update never breaks a CRD that is
 * serving, and never blocks one that was already broken).
 */
export function allowsInvalidCABundle(old: Crd): boolean {
  if (!isConditionTrue(old, 'Established')) return true;
  const bundle = caBundleBytes((old.spec?.conversion?.webhook as { clientConfig?: { caBundle?: unknown } } | undefined)?.clientConfig?.caBundle);
  return bundle.length > 0 && caBundleError(bundle) !== undefined;
}

/** The field errors of a v1 `spec.conversion` (absent: none; defaulting sets `None`). */
export function validateCrdConversion(conversion: unknown, requireRecognizedReviewVersion: boolean, allowInvalidCABundle = true): FieldError[] {
  if (!conversion || typeof conversion !== 'object') return [];
  const c = conversion as { strategy?: unknown; webhook?: { clientConfig?: Record<string, unknown> | null; conversionReviewVersions?: unknown } | null };
  const errs: FieldError[] = [];
  const strategy = typeof c.strategy === 'string' ? c.strategy : '';
  if (strategy === '') errs.push({ type: 'FieldValueRequired', field: 'spec.conversion.strategy', detail: '' });
  else if (strategy !== 'None' && strategy !== 'Webhook') {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.conversion.strategy', value: strategy, detail: 'supported values: "None", "Webhook"' });
  }
  const clientConfig = c.webhook?.clientConfig ?? undefined;
  const reviewVersions = Array.isArray(c.webhook?.conversionReviewVersions) ? (c.webhook!.conversionReviewVersions as unknown[]) : [];
  const ccPath = 'spec.conversion.webhookClientConfig';
  if (strategy === 'Webhook') {
    if (!clientConfig) errs.push({ type: 'FieldValueRequired', field: ccPath, detail: 'required when strategy is set to Webhook' });
    else {
      const hasUrl = typeof clientConfig.url === 'string';
      const service = clientConfig.service && typeof clientConfig.service === 'object' ? (clientConfig.service as Record<string, unknown>) : undefined;
      if (hasUrl === Boolean(service)) errs.push({ type: 'FieldValueRequired', field: ccPath, detail: 'exactly one of url or service is required' });
      else if (hasUrl) errs.push(...validateWebhookUrl(clientConfig.url as string, `${ccPath}.url`));
      else errs.push(...validateWebhookService(service!, `${ccPath}.service`));
      const bundle = caBundleBytes(clientConfig.caBundle);
      const bad = bundle.length > 0 && !allowInvalidCABundle ? caBundleError(bundle) : undefined;
      if (bad) errs.push({ type: 'FieldValueInvalid', field: `${ccPath}.caBundle`, value: new GoSyntax(goBytes(bundle)), detail: bad });
    }
    errs.push(...validateReviewVersions(reviewVersions, requireRecognizedReviewVersion, 'spec.conversion.conversionReviewVersions'));
  } else {
    if (clientConfig) errs.push({ type: 'FieldValueForbidden', field: ccPath, detail: 'should not be set when strategy is not set to Webhook' });
    if (reviewVersions.length > 0) errs.push({ type: 'FieldValueForbidden', field: 'spec.conversion.conversionReviewVersions', detail: 'should not be set when strategy is not set to Webhook' });
  }
  return errs;
}
