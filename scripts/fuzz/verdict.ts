/**
 * Judging one response: its status class, whether an error carries a `Status` body (JSON, or the
 * protobuf envelope of one when protobuf was asked for), and whether a plain-text error is one of
 * the answers upstream itself gives in plain text — the only non-Status errors allowed:
 *
 * - `not-found-text`: `404 page not found` for a path outside every API, as Go's `http.NotFound`
 *   at the end of kube-apiserver's delegation chain writes it (`text/plain; charset=utf-8`).
 * - `http-400`, `http-431`, `http-501`: a request Go's net/http refuses before any handler runs
 *   (malformed request line or header, bad escapes in the path, header block over the limit,
 *   unsupported transfer coding), answered `HTTP/1.1 400 Bad Request` (or 431, or 501) with a
 *   plain-text body and `Connection: close`. Node's parser refuses a few things Go's accepts
 *   (methods outside its list, a bare LF, Content-Length beside chunked): those get the same 400.
 * - `expectation-failed`: an `Expect` other than `100-continue`, answered by Go's server itself
 *   with a 417, no body and `Connection: close`.
 */
import type { ParsedResponse } from './http-parse.js';

/** The plain-text answers upstream gives, which are not defects. */
export const PLAIN_TEXT_CASES = {
  'not-found-text': '404 "404 page not found" for paths outside every API (Go http.NotFound at the end of the delegation chain)',
  'http-400': '400 "400 Bad Request" from the HTTP layer for a malformed request (Go net/http, before any handler)',
  'http-431': '431 "431 Request Header Fields Too Large" from the HTTP layer (Go net/http, header block over MaxHeaderBytes)',
  'http-501': '501 "Unsupported transfer encoding" from the HTTP layer (Go net/http)',
  'expectation-failed': '417 with no body for an Expect other than 100-continue (Go net/http sendExpectationFailed)',
} as const;

export type PlainTextCase = keyof typeof PLAIN_TEXT_CASES;

/**
 * The 500s upstream itself answers to bad input, which are not defects of the simulation:
 *
 * - `smp-unclassified`: a strategic merge patch whose directive has the wrong type
 *   (`{"$setElementOrder/finalizers":"x"}`) or an unknown `$patch` (`{"data":{"$patch":"nope"}}`):
 *   mergepatch's ErrBadArgType and ErrBadPatchType are not among the errors the patch handler
 *   classifies, so they reach the client as a 500 Status without a reason
 *   (`expected a []interface {}, but received a string`, `unknown patch type: nope in map: …`).
 * - `requestinfo-500`: a special verb with nothing after it (`/api/v1/watch`): WithRequestInfo
 *   answers `Internal Server Error: "<path>": failed to create RequestInfo: …` in plain text.
 * - `impersonation-500`: `Impersonate-Group`, `-Uid` or `-Extra-*` without `Impersonate-User`:
 *   WithImpersonation answers `Internal Server Error: "<path>": requested […] without impersonating
 *   a user` in plain text (responsewriters.InternalError).
 */
export const UPSTREAM_500S = {
  'smp-unclassified': '500 Status for a strategic merge directive of the wrong type or an unknown $patch (mergepatch ErrBadArgType, ErrBadPatchType)',
  'requestinfo-500': '500 plain text "failed to create RequestInfo" for a special verb with nothing after it (WithRequestInfo)',
  'impersonation-500': '500 plain text "without impersonating a user" for impersonated groups, uid or extras without a user (WithImpersonation)',
} as const;

export type Upstream500 = keyof typeof UPSTREAM_500S;

/** The upstream 500 this answer is, if it is one. */
export function upstreamInternalError(r: ParsedResponse): Upstream500 | undefined {
  if (r.status !== 500) return undefined;
  const type = (r.headers['content-type'] ?? '').split(';')[0]!.trim();
  const text = r.body.toString('utf8');
  if (type === 'text/plain' && /^Internal Server Error: ".*": failed to create RequestInfo: /.test(text)) return 'requestinfo-500';
  if (type === 'text/plain' && /^Internal Server Error: ".*": requested \[.*\] without impersonating a user\n?$/s.test(text)) return 'impersonation-500';
  if (type === 'application/json') {
    try {
      const s = JSON.parse(text) as { kind?: string; reason?: string; message?: string };
      if (s.kind === 'Status' && s.reason === undefined && /^(expected a .+, but received a .+|unknown patch type: .* in map: .*)$/s.test(s.message ?? '')) return 'smp-unclassified';
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The judgement of one response. */
export interface Verdict {
  status: number;
  /** `2xx`, `4xx`, … */
  statusClass: string;
  /** A 4xx/5xx whose body is a Status (or, for HEAD, whose headers announce one). */
  statusBody: boolean;
  /** The allowed plain-text answer this is, if it is one. */
  plainText?: PlainTextCase;
  /** A 4xx/5xx with neither a Status body nor an allowed plain-text answer: a defect. */
  nonStatusError: boolean;
}

const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function isJsonStatus(body: Buffer, status: number): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { kind?: unknown; apiVersion?: unknown; code?: unknown; status?: unknown };
    return parsed.kind === 'Status' && parsed.apiVersion === 'v1' && parsed.code === status && parsed.status === 'Failure';
  } catch {
    return false;
  }
}

/** `k8s\0` + runtime.Unknown whose typeMeta is {apiVersion: v1, kind: Status}. */
function isProtobufStatus(body: Buffer): boolean {
  if (body.length < 8 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) return false;
  return body.includes(Buffer.from([0x0a, 0x02, 0x76, 0x31, 0x12, 0x06, ...Buffer.from('Status')]));
}

function plainTextCase(r: ParsedResponse, method: string): PlainTextCase | undefined {
  const closes = (r.headers['connection'] ?? '').toLowerCase() === 'close';
  if (r.status === 417 && closes && r.body.length === 0 && r.headers['content-type'] === undefined) return 'expectation-failed';
  const type = r.headers['content-type'] ?? '';
  if (!type.startsWith('text/plain')) return undefined;
  const text = r.body.toString('utf8');
  // A HEAD answer carries the headers of the GET answer and no body.
  if (r.status === 404 && (text === '404 page not found\n' || (method === 'HEAD' && text === ''))) return 'not-found-text';
  if (!closes) return undefined;
  if (r.status === 400 && text.startsWith('400 Bad Request')) return 'http-400';
  if (r.status === 431 && text === '431 Request Header Fields Too Large') return 'http-431';
  if (r.status === 501 && text === 'Unsupported transfer encoding') return 'http-501';
  return undefined;
}

/** Judge one response to a request sent with `method`. */
export function judge(r: ParsedResponse, method: string): Verdict {
  const statusClass = `${Math.floor(r.status / 100)}xx`;
  const error = r.status >= 400;
  if (!error) return { status: r.status, statusClass, statusBody: false, nonStatusError: false };
  const type = (r.headers['content-type'] ?? '').split(';')[0]!.trim();
  let statusBody: boolean;
  if (method === 'HEAD') statusBody = type === 'application/json' || type === 'application/vnd.kubernetes.protobuf';
  else if (type === 'application/vnd.kubernetes.protobuf') statusBody = isProtobufStatus(r.body);
  else statusBody = type === 'application/json' && isJsonStatus(r.body, r.status);
  const plainText = statusBody ? undefined : plainTextCase(r, method);
  // Upstream's plain-text 500 is one of its answers too (counted with the upstream 500s).
  const plain500 = upstreamInternalError(r);
  if (!statusBody && (plain500 === 'requestinfo-500' || plain500 === 'impersonation-500')) return { status: r.status, statusClass, statusBody, nonStatusError: false };
  return { status: r.status, statusClass, statusBody, ...(plainText ? { plainText } : {}), nonStatusError: !statusBody && plainText === undefined };
}
