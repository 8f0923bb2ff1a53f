/**
 * The controllers' client: HTTP(S) to one server URL — by default the server's own port, so the
 * controllers act on that server's view, Mixed Version Proxy included — as client-go's REST client
 * talks to kube-apiserver. Identity: the front-proxy client certificate with `X-Remote-User:
 * system:kube-controller-manager` and `X-Remote-Group: system:authenticated` when the server has
 * `--proxy-client-*` and its own `--requestheader-client-ca-file`, anonymous otherwise. Errors are
 * client-go's: a Status body becomes an {@link ApiError} with its reason and message; any other
 * non-2xx answer becomes `NewGenericServerResponse` (`the server could not find the requested
 * resource (get pods)`), so `IsNotFound` holds for a plain-text `404 page not found` too.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, request } from 'undici';
import type { Logger } from 'pino';

/** A group/version/resource. */
export interface GVR {
  group: string;
  version: string;
  resource: string;
}

/** `group/version` as schema.GroupVersion.String() prints it (`v1` for the core group). */
export function gvString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The URL path of a resource, a collection (no name) or a subresource. */
export function resourcePath(gvr: GVR, namespace: string, name?: string, subresource?: string): string {
  const root = gvr.group ? `/apis/${gvr.group}/${gvr.version}` : `/api/${gvr.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${gvr.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
}

/** A Kubernetes object as the controllers read it. */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The metadata fields the controllers use. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** metav1.OwnerReference */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A list answer. */
export interface ApiList {
  metadata: { resourceVersion?: string; continue?: string };
  items: ApiObject[];
}

/** A metav1.Status as it came back, or as client-go builds one for an unstructured answer. */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

/** An API error as client-go's StatusError: the code, the reason and the message. */
export class ApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message ?? `the server responded with the status code ${status.code ?? 0}`);
    this.name = 'ApiError';
  }

  /** The HTTP status code. */
  get code(): number {
    return this.status.code ?? 0;
  }

  /** The StatusReason. */
  get reason(): string {
    return this.status.reason ?? '';
  }
}

/** errors.IsNotFound */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'NotFound';
}

/** errors.IsConflict */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'Conflict';
}

/** errors.IsAlreadyExists */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'AlreadyExists';
}

/** errors.IsMethodNotSupported */
export function isMethodNotSupported(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'MethodNotAllowed';
}

/** errors.IsUnsupportedMediaType */
export function isUnsupportedMediaType(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'UnsupportedMediaType';
}

/** What a generic server response says for a status code (apimachinery's NewGenericServerResponse). */
function genericMessage(code: number, verb: string, serverMessage: string): { reason: string; message: string } {
  switch (code) {
    case 409:
      return { reason: verb === 'POST' ? 'AlreadyExists' : 'Conflict', message: 'the server reported a conflict' };
    case 404:
      return { reason: 'NotFound', message: 'the server could not find the requested resource' };
    case 400:
      return { reason: 'BadRequest', message: 'the server rejected our request for an unknown reason' };
    case 401:
      return { reason: 'Unauthorized', message: 'the server has asked for the client to provide credentials' };
    case 403:
      return { reason: 'Forbidden', message: serverMessage };
    case 405:
      return { reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' };
    case 415:
      return { reason: 'UnsupportedMediaType', message: serverMessage };
    case 422:
      return { reason: 'Invalid', message: 'the server rejected our request due to an error in our request' };
    case 503:
      return { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' };
    case 504:
      return { reason: 'Timeout', message: 'the server was unable to return a response in the time allotted, but may still be processing the request' };
    case 429:
      return { reason: 'TooManyRequests', message: 'the server has received too many requests and has asked us to try again later' };
    default:
      if (code >= 500) return { reason: 'InternalError', message: `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding` };
      return { reason: 'Unknown', message: `the server responded with the status code ${code} but did not return more information` };
  }
}

/** What a request is about, for client-go's generic error messages: `(get pods.apps name)`. */
export interface RequestTarget {
  group?: string;
  resource?: string;
  name?: string;
}

/** client-go's error for a non-2xx answer: the Status it carries, or a generic server response. */
export function errorFromResponse(code: number, contentType: string, text: string, method: string, target: RequestTarget, retryAfter = 0): ApiError {
  if (contentType.includes('json')) {
    try {
      const body = JSON.parse(text) as StatusBody;
      if (body && body.kind === 'Status' && body.status !== 'Success') return new ApiError({ ...body, code: body.code ?? code });
    } catch {
      // not a Status: fall through to the generic response
    }
  }
  const isText = contentType.startsWith('text/');
  const serverMessage = isText ? text.slice(0, 1024).trim() : 'unknown';
  const generic = genericMessage(code, method, serverMessage);
  let message = generic.message;
  const gr = target.resource ? (target.group ? `${target.resource}.${target.group}` : target.resource) : '';
  if (gr && target.name) message = `${message} (${method.toLowerCase()} ${gr} ${target.name})`;
  else if (gr) message = `${message} (${method.toLowerCase()} ${gr})`;
  return new ApiError({
    kind: 'Status',
    status: 'Failure',
    code,
    reason: generic.reason,
    message,
    details: { ...(target.group ? { group: target.group } : {}), ...(target.resource ? { kind: target.resource } : {}), ...(target.name ? { name: target.name } : {}), causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }], ...(retryAfter ? { retryAfterSeconds: retryAfter } : {}) },
  });
}

/** client-go's default `maxRetries` for answers with Retry-After. */
const MAX_RETRIES = 10;

/** How the client proves who it is and whom it trusts. */
export interface ClientTLS {
  /** CA bundles (PEM) a server certificate may chain to. */
  cas: string[];
  /** Server certificates (PEM) accepted as they are, e.g. the server's own serving certificate. */
  pinned: string[];
  /** A client certificate and key (PEM). */
  cert?: string;
  key?: string;
}

/** The identity sent as front-proxy headers along with the front-proxy client certificate. */
export interface FrontProxyIdentity {
  user: string;
  groups: string[];
}

/** Options of {@link ApiClient}. */
export interface ClientOptions {
  /** `https://host:port` */
  url: string;
  tls: ClientTLS;
  identity?: FrontProxyIdentity;
  userAgent: string;
  log?: Logger;
  /** Time limit of a non-watch request in milliseconds (default 60 s). */
  timeoutMs?: number;
}

/** One raw answer. */
export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** Options of one request. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  target?: RequestTarget;
}

/** Handlers of a watch stream. */
export interface WatchHandlers {
  onEvent(type: string, object: ApiObject): void;
  /** The stream ended: `err` is set when it failed (an HTTP error, a transport failure). */
  onEnd(err?: Error): void;
}

/** A running watch. */
export interface WatchHandle {
  stop(): void;
}

function fingerprintOf(pem: string): string | undefined {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The client of one server URL. */
export class ApiClient {
  private readonly agent: Agent;
  private readonly baseHeaders: Record<string, string | string[]>;
  private closed = false;

  constructor(readonly options: ClientOptions) {
    const pinned = new Set(options.tls.pinned.flatMap((pem) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(fingerprintOf)).filter((f): f is string => f !== undefined));
    const base = buildConnector({
      ca: options.tls.cas.length ? options.tls.cas : undefined,
      ...(options.tls.cert && options.tls.key ? { cert: options.tls.cert, key: options.tls.key } : {}),
      rejectUnauthorized: false,
      maxCachedSessions: 0,
      timeout: 10_000,
    });
    // Verify the server ourselves: a certificate chaining to a trusted CA (hostname checked), or one
    // of the pinned certificates (the server's own serving certificate on the loopback).
    const connect: buildConnector.connector = (opts, callback) => {
      base(opts, (err, socket) => {
        if (err || !socket) {
          callback(err ?? new Error('connection failed'), null);
          return;
        }
        const tls = socket as TLSSocket;
        const peer = typeof tls.getPeerCertificate === 'function' ? tls.getPeerCertificate() : undefined;
        if (tls.authorized || (peer?.fingerprint256 !== undefined && pinned.has(peer.fingerprint256))) {
          callback(null, socket);
          return;
        }
        socket.destroy();
        callback(new Error(`tls: failed to verify certificate: x509: ${String(tls.authorizationError ?? 'certificate signed by unknown authority')}`), null);
      });
    };
    this.agent = new Agent({ connect, headersTimeout: options.timeoutMs ?? 60_000, bodyTimeout: options.timeoutMs ?? 60_000, keepAliveTimeout: 30_000 });
    this.baseHeaders = { 'user-agent': options.userAgent };
    if (options.identity) {
      this.baseHeaders['x-remote-user'] = options.identity.user;
      if (options.identity.groups.length) this.baseHeaders['x-remote-group'] = options.identity.groups;
    }
  }

  /** The URL this client talks to. */
  get url(): string {
    return this.options.url;
  }

  /**
   * Send one request and read the whole answer; rejects only on a transport failure. As client-go's
   * REST client does, a 429 or 5xx answer carrying an integer `Retry-After` is retried after that
   * many seconds, up to 10 times (the last answer is returned).
   */
  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    for (let retries = 0; ; retries++) {
      const res = await this.once(method, path, opts);
      if (retries >= MAX_RETRIES || this.closed || res.retryAfterSeconds === undefined) return res;
      await new Promise((resolve) => setTimeout(resolve, res.retryAfterSeconds! * 1000));
    }
  }

  private async once(method: string, path: string, opts: RequestOptions): Promise<RawResponse & { retryAfterSeconds?: number }> {
    if (this.closed) throw new Error('client closed');
    const headers: Record<string, string | string[]> = { ...this.baseHeaders, accept: opts.accept ?? 'application/json' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const res = await request(`${this.options.url}${path}${queryString(opts.query)}`, {
      method: method as 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
      dispatcher: this.agent,
    });
    const text = await res.body.text();
    const ct = res.headers['content-type'];
    const contentType = Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? '');
    let json: unknown;
    if (contentType.includes('json')) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    const retryAfter = res.headers['retry-after'];
    const seconds = typeof retryAfter === 'string' && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : undefined;
    const retryable = res.statusCode === 429 || res.statusCode >= 500;
    return { status: res.statusCode, contentType, text, json, ...(retryable && seconds !== undefined ? { retryAfterSeconds: seconds } : {}) };
  }

  /** Send one request; resolves with the parsed body of a 2xx answer and rejects with an ApiError otherwise. */
  async do<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    if (res.status >= 200 && res.status < 300) return res.json as T;
    throw errorFromResponse(res.status, res.contentType, res.text, method, opts.target ?? {});
  }

  /** GET one object. */
  get(gvr: GVR, namespace: string, name: string, accept?: string): Promise<ApiObject> {
    return this.do('GET', resourcePath(gvr, namespace, name), { target: { group: gvr.group, resource: gvr.resource, name }, ...(accept ? { accept } : {}) });
  }

  /** LIST a collection (every namespace when `namespace` is ''). */
  list(gvr: GVR, namespace: string, query: RequestOptions['query'] = {}, accept?: string): Promise<ApiList> {
    return this.do('GET', resourcePath(gvr, namespace), { query, target: { group: gvr.group, resource: gvr.resource }, ...(accept ? { accept } : {}) });
  }

  /** POST a new object. */
  create(gvr: GVR, namespace: string, body: unknown): Promise<ApiObject> {
    return this.do('POST', resourcePath(gvr, namespace), { body, target: { group: gvr.group, resource: gvr.resource } });
  }

  /** PUT an object or one of its subresources (`status`, `finalize`). */
  update(gvr: GVR, namespace: string, name: string, body: unknown, subresource?: string): Promise<ApiObject> {
    return this.do('PUT', resourcePath(gvr, namespace, name, subresource), { body, target: { group: gvr.group, resource: gvr.resource, name } });
  }

  /** PATCH an object with the given patch type (`application/merge-patch+json`, `application/strategic-merge-patch+json`). */
  patch(gvr: GVR, namespace: string, name: string, patch: unknown, contentType: string): Promise<ApiObject> {
    return this.do('PATCH', resourcePath(gvr, namespace, name), { body: patch, contentType, target: { group: gvr.group, resource: gvr.resource, name } });
  }

  /** DELETE one object with DeleteOptions. */
  delete(gvr: GVR, namespace: string, name: string, options: Record<string, unknown> = {}): Promise<unknown> {
    return this.do('DELETE', resourcePath(gvr, namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options }, target: { group: gvr.group, resource: gvr.resource, name } });
  }

  /** DELETE a collection with DeleteOptions. */
  deleteCollection(gvr: GVR, namespace: string, options: Record<string, unknown> = {}): Promise<unknown> {
    return this.do('DELETE', resourcePath(gvr, namespace), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options }, target: { group: gvr.group, resource: gvr.resource } });
  }

  /**
   * WATCH a collection from `resourceVersion`: each event is handed over as it arrives; the stream
   * ends on a transport failure, a non-2xx answer (as an ApiError) or when the server closes it.
   */
  watch(gvr: GVR, namespace: string, query: RequestOptions['query'], handlers: WatchHandlers): WatchHandle {
    const controller = new AbortController();
    let ended = false;
    const end = (err?: Error): void => {
      if (ended) return;
      ended = true;
      handlers.onEnd(err);
    };
    const path = `${resourcePath(gvr, namespace)}${queryString({ ...query, watch: 'true' })}`;
    void (async () => {
      try {
        const res = await request(`${this.options.url}${path}`, {
          method: 'GET',
          headers: { ...this.baseHeaders, accept: 'application/json' },
          dispatcher: this.agent,
          signal: controller.signal,
          bodyTimeout: 0,
        });
        if (res.statusCode < 200 || res.statusCode >= 300) {
          const text = await res.body.text();
          const ct = res.headers['content-type'];
          end(errorFromResponse(res.statusCode, Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? ''), text, 'GET', { group: gvr.group, resource: gvr.resource }));
          return;
        }
        let buffer = '';
        for await (const chunk of res.body) {
          buffer += (chunk as Buffer).toString('utf8');
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            let event: { type?: string; object?: ApiObject };
            try {
              event = JSON.parse(line) as { type?: string; object?: ApiObject };
            } catch {
              continue;
            }
            if (ended) return;
            if (event.type && event.object) handlers.onEvent(event.type, event.object);
          }
        }
        end();
      } catch (err) {
        end(controller.signal.aborted ? undefined : (err as Error));
      }
    })();
    return {
      stop: () => {
        ended = true;
        controller.abort();
      },
    };
  }

  /** Close every connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.agent.destroy().catch(() => undefined);
  }
}
