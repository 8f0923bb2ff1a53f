/**
 * `metav1.Status` and the named constructors that build every error kube-skew answers with. Reasons,
 * codes and message texts follow k8s.io/apimachinery/pkg/api/errors. Handlers never write an ad-hoc
 * error body: they throw a {@link StatusError} from here and the chain writes it.
 */

/** A cause inside `details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `details` of a Status. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The wire shape of `metav1.Status`. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  /** ListMeta: only a 410 for an expired continue token fills it (`continue`). */
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A group and resource as upstream's `schema.GroupResource`, printed `resource.group`. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** A group and kind as upstream's `schema.GroupKind`, printed `Kind.group`. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** An error that carries the Status to answer with. */
export class StatusError extends Error {
  readonly status: Status;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: Status, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? `status ${status.code}`);
    this.name = 'StatusError';
    this.status = status;
    this.headers = headers;
  }

  /** The HTTP status code. */
  get code(): number {
    return this.status.code;
  }
}

/** True when `err` is a {@link StatusError}. */
export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

/** `pods`, `deployments.apps`: upstream's `GroupResource.String()`. */
export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** `Pod`, `Deployment.apps`: upstream's `GroupKind.String()`. */
export function groupKindString(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

/** A failure Status with its fields in metav1.Status's JSON order (details before code). */
function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  if (details === undefined) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

function grDetails(gr: GroupResource, name?: string): StatusDetails {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (gr.group) details.group = gr.group;
  if (gr.resource) details.kind = gr.resource;
  return details;
}

/** A successful Status, as a delete of a resource without a body to return answers. */
export function successStatus(details?: StatusDetails): SuccessStatus {
  const status: SuccessStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (details !== undefined) status.details = details;
  return status;
}

/** A success Status: upstream leaves `code` unset (omitted) on a finished delete. */
export type SuccessStatus = Omit<Status, 'code' | 'status'> & { status: 'Success'; code?: number };

/** 404 `pods "x" not found`. */
export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(failure(404, 'NotFound', `${groupResourceString(gr)} "${name}" not found`, grDetails(gr, name)));
}

/** 404 `the server could not find the requested resource`, as the go-restful service error handler answers. */
export function resourceNotFound(): StatusError {
  return new StatusError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

/** 409 `configmaps "x" already exists`. */
export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(failure(409, 'AlreadyExists', `${groupResourceString(gr)} "${name}" already exists`, grDetails(gr, name)));
}

/** 409 `Operation cannot be fulfilled on configmaps "x": <detail>`. */
export function conflict(gr: GroupResource, name: string, detail: string): StatusError {
  return new StatusError(
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${detail}`, grDetails(gr, name)),
  );
}

/** A field error as upstream's `field.Error`: its type, field path, bad value and detail. */
export interface FieldError {
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueForbidden`, … */
  type: FieldErrorType;
  field: string;
  /** The offending value; omitted for Required. */
  value?: unknown;
  detail?: string;
}

/** The `field.ErrorType`s kube-skew raises, with upstream's causes reason names. */
export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid';

const FIELD_ERROR_TEXT: Record<FieldErrorType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
  FieldValueTypeInvalid: 'Invalid value',
};

/** A bad value that prints as given: a Go struct as upstream's `%#v` shows it. */
export class GoSyntax {
  /** `text` is printed verbatim in the field error. */
  constructor(readonly text: string) {}
}

function fieldValueText(value: unknown): string {
  if (value instanceof GoSyntax) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  // Go prints a []string bad value with %#v.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `Invalid value: "bad": detail`, upstream's `field.Error.ErrorBody()`. */
export function fieldErrorBody(err: FieldError): string {
  const text = FIELD_ERROR_TEXT[err.type];
  let body: string;
  if (err.type === 'FieldValueRequired' || err.type === 'FieldValueForbidden' || err.type === 'FieldValueTooLong' || err.value === undefined) {
    body = text;
  } else {
    body = `${text}: ${fieldValueText(err.value)}`;
  }
  return err.detail ? `${body}: ${err.detail}` : body;
}

/** `metadata.name: Invalid value: "x": detail`, upstream's `field.Error.Error()`. */
export function fieldErrorString(err: FieldError): string {
  return `${err.field}: ${fieldErrorBody(err)}`;
}

/** 422 `ConfigMap "x" is invalid: <errors>` with one cause per field error. */
export function invalid(gk: GroupKind, name: string, errors: FieldError[]): StatusError {
  const causes = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  // ToAggregate drops repeated messages from the summary; the causes keep every error.
  const list = [...new Set(errors.map(fieldErrorString))];
  const aggregate = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const details: StatusDetails = { causes };
  if (name) details.name = name;
  if (gk.group) details.group = gk.group;
  details.kind = gk.kind;
  return new StatusError(failure(422, 'Invalid', `${groupKindString(gk)} "${name}" is invalid: ${aggregate}`, orderDetails(details)));
}

function orderDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name !== undefined) out.name = d.name;
  if (d.group !== undefined) out.group = d.group;
  if (d.kind !== undefined) out.kind = d.kind;
  if (d.uid !== undefined) out.uid = d.uid;
  if (d.causes !== undefined) out.causes = d.causes;
  if (d.retryAfterSeconds !== undefined) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** 400 with `message` as the reason text, upstream's `NewBadRequest`. */
export function badRequest(message: string): StatusError {
  return new StatusError(failure(400, 'BadRequest', message));
}

/** 405 `<action> is not supported on resources of kind "<resource>"`. */
export function methodNotSupported(gr: GroupResource, action: string): StatusError {
  return new StatusError(
    failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${groupResourceString(gr)}"`, grDetails(gr)),
  );
}

/**
 * 405 `create not allowed while custom resource definition is terminating`: upstream's
 * MethodNotSupported with the message replaced, as the CRD handler answers a create.
 */
export function notAllowedWhileTerminating(gr: GroupResource, verb: string): StatusError {
  return new StatusError(failure(405, 'MethodNotAllowed', `${verb} not allowed while custom resource definition is terminating`, grDetails(gr)));
}

/** 405 `the server does not allow this method on the requested resource`, as go-restful answers an unrouted method. */
export function methodNotAllowed(): StatusError {
  return new StatusError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}

/** 406 `only the following media types are accepted: …`. */
export function notAcceptable(accepted: string[]): StatusError {
  return new StatusError(failure(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`));
}

/** 415 `the body of the request was in an unknown format - accepted media types include: …`. */
export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`),
  );
}

/** 413 `Request entity too large: limit is 3145728`. */
export function requestEntityTooLarge(detail: string): StatusError {
  return new StatusError(failure(413, 'RequestEntityTooLarge', `Request entity too large: ${detail}`));
}

/** 403 `pods "x" is forbidden: <detail>` (`pods is forbidden: …` without a name, `forbidden: …` without a resource). */
export function forbidden(gr: GroupResource, name: string, detail: string): StatusError {
  if (!gr.group && !gr.resource) return new StatusError(failure(403, 'Forbidden', `forbidden: ${detail}`, grDetails(gr, name)));
  const what = name ? `${groupResourceString(gr)} "${name}"` : groupResourceString(gr);
  return new StatusError(failure(403, 'Forbidden', `${what} is forbidden: ${detail}`, grDetails(gr, name)));
}

/** 403 for a namespace being terminated, with upstream's `NamespaceTerminating` cause. */
export function namespaceTerminating(gr: GroupResource, name: string, namespace: string): StatusError {
  const what = name ? `${groupResourceString(gr)} "${name}"` : groupResourceString(gr);
  const details = { ...grDetails(gr, name), causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] };
  return new StatusError(failure(403, 'Forbidden', `${what} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, details));
}

/** 401 `Unauthorized`. */
export function unauthorized(): StatusError {
  return new StatusError(failure(401, 'Unauthorized', 'Unauthorized'));
}

/** 410 `too old resource version: 5 (10)`, reason Expired. */
export function resourceExpired(message: string): StatusError {
  return new StatusError(failure(410, 'Expired', message));
}

/**
 * 410 for a paged list whose continue token was compacted away, as upstream's
 * handleCompactedErrorForPaging: the message promises a token in this response, and
 * `metadata.continue` carries one that resumes at the latest revision.
 */
export function expiredWithContinue(message: string, freshContinue: string): StatusError {
  const err = resourceExpired(message);
  err.status.metadata.continue = freshContinue;
  return err;
}

/** 410 reason Gone. */
export function gone(message: string): StatusError {
  return new StatusError(failure(410, 'Gone', message));
}

/** 500 `Internal error occurred: <detail>`. */
export function internalError(detail: string): StatusError {
  return new StatusError(failure(500, 'InternalError', `Internal error occurred: ${detail}`, { causes: [{ message: detail }] }));
}

/** 503 with `message`, reason ServiceUnavailable. */
export function serviceUnavailable(message: string): StatusError {
  return new StatusError(failure(503, 'ServiceUnavailable', message));
}

/**
 * 429 reason TooManyRequests with `details.retryAfterSeconds` and the Retry-After header, upstream's
 * `NewTooManyRequests` (the watch limit answers with it; max-in-flight answers in plain text).
 */
export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(failure(429, 'TooManyRequests', message, { retryAfterSeconds }), { 'Retry-After': String(retryAfterSeconds) });
}

/** 504 `Timeout: <message>`. */
export function timeout(message: string, retryAfterSeconds = 0): StatusError {
  const details: StatusDetails = {};
  if (retryAfterSeconds) details.retryAfterSeconds = retryAfterSeconds;
  return new StatusError(failure(504, 'Timeout', `Timeout: ${message}`, details));
}

/**
 * A Status for an error upstream's handler did not classify (`ErrorToAPIStatus`'s fallback): code
 * 500 unless given, no reason, the error text as the message.
 */
export function unclassifiedError(message: string, code = 500): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code });
}

/** 422 `the server rejected our request due to an error in our request`, upstream's `NewGenericServerResponse(422, …)`. */
export function unprocessableEntity(): StatusError {
  return new StatusError(failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
}

/** 409 Conflict of server-side apply: `Apply failed with 1 conflict: …` with one `FieldManagerConflict` cause per field. */
export function applyConflict(message: string, causes: StatusCause[]): StatusError {
  return new StatusError(failure(409, 'Conflict', message, { causes }));
}
