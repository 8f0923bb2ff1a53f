/**
 * The client a delegating API server creates SubjectAccessReviews with
 * (`authorization.k8s.io/v1`, POSTed to the cluster named by `--authorization-kubeconfig`, with that
 * kubeconfig's CA and client certificate), retried as upstream's webhook client retries: up to 5
 * tries, 500 ms apart growing by 1.5 with 20% jitter (`DefaultAuthWebhookRetryBackoff`), only for
 * answers upstream's `DefaultShouldRetry` counts as transient (a reset connection, a 500
 * InternalError, a 504 Timeout, a 429, or a Status suggesting a delay). Every other failure, a
 * refused connection included, is returned at once.
 */
import { httpsRequest, type ClientTLS } from '../cluster/https-client.js';
import type { Clock } from '../clock.js';

/** The spec of a SubjectAccessReview, as `authorization.k8s.io/v1` writes it. */
export interface SubjectAccessReviewSpec {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
}

/** The status the cluster fills in. */
export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** Creates one SubjectAccessReview and returns its status; rejects when the cluster cannot answer. */
export type SubjectAccessReviewer = (spec: SubjectAccessReviewSpec) => Promise<SubjectAccessReviewStatus>;

/** The cluster that answers: its URL and the TLS material of a kubeconfig's current context. */
export interface ReviewTarget {
  server: string;
  tls: ClientTLS;
}

/** How the client retries (upstream's defaults unless a test shortens them). */
export interface RetryBackoff {
  durationMs: number;
  factor: number;
  jitter: number;
  steps: number;
}

/** Upstream's `DefaultAuthWebhookRetryBackoff`. */
export const DEFAULT_WEBHOOK_RETRY_BACKOFF: RetryBackoff = { durationMs: 500, factor: 1.5, jitter: 0.2, steps: 5 };
/** Upstream's `DelegatingAuthorizationOptions.ClientTimeout`. */
export const DEFAULT_SAR_CLIENT_TIMEOUT_MS = 10_000;

/** A failed review, and whether upstream would try it again. */
class ReviewError extends Error {
  readonly code = 'SAR_FAILED';
  constructor(message: string, readonly transient: boolean) {
    super(message);
    this.name = 'ReviewError';
  }
}

function statusFailure(status: number, json: unknown, text: string): ReviewError {
  const body = (json && typeof json === 'object' ? json : {}) as { kind?: string; reason?: string; message?: string; details?: { retryAfterSeconds?: number } };
  const isStatus = body.kind === 'Status';
  const reason = isStatus ? body.reason : undefined;
  const transient = reason === 'InternalError' || reason === 'Timeout' || status === 429 || (isStatus && (body.details?.retryAfterSeconds ?? 0) > 0);
  return new ReviewError(isStatus && body.message ? body.message : `the server responded with status ${status}: ${text.trim().slice(0, 200)}`, transient);
}

/** A reviewer that POSTs to `target`'s cluster. */
export function httpsSubjectAccessReviewer(target: ReviewTarget, opts: { clock: Clock; timeoutMs?: number; backoff?: RetryBackoff; random?: () => number }): SubjectAccessReviewer {
  const url = `${target.server.replace(/\/$/, '')}/apis/authorization.k8s.io/v1/subjectaccessreviews`;
  const backoff = opts.backoff ?? DEFAULT_WEBHOOK_RETRY_BACKOFF;
  const random = opts.random ?? Math.random;
  const sleep = (ms: number): Promise<void> => new Promise((r) => opts.clock.setTimeout(r, ms));
  const once = async (spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus> => {
    let res;
    try {
      res = await httpsRequest(url, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: { creationTimestamp: null }, spec, status: { allowed: false } },
        tls: target.tls,
        timeoutMs: opts.timeoutMs ?? DEFAULT_SAR_CLIENT_TIMEOUT_MS,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ReviewError(`Post "${url}": ${(err as Error).message}`, code === 'ECONNRESET' || code === 'EPIPE');
    }
    if (res.status !== 200 && res.status !== 201) throw statusFailure(res.status, res.json, res.text);
    const status = (res.json as { status?: SubjectAccessReviewStatus } | undefined)?.status;
    return { allowed: status?.allowed === true, ...(status?.denied ? { denied: true } : {}), ...(status?.reason ? { reason: status.reason } : {}), ...(status?.evaluationError ? { evaluationError: status.evaluationError } : {}) };
  };
  return async (spec) => {
    let wait = backoff.durationMs;
    for (let step = 1; ; step++) {
      try {
        return await once(spec);
      } catch (err) {
        if (!(err instanceof ReviewError) || !err.transient || step >= backoff.steps) throw err;
        await sleep(wait * (1 + backoff.jitter * random()));
        wait *= backoff.factor;
      }
    }
  };
}
