/**
 * Conversion strategy `Webhook`, as apiextensions-apiserver's webhookConverter: the objects not yet
 * at the desired version are sent in one ConversionReview (the first of the CRD's
 * `conversionReviewVersions` kube-skew speaks, v1 or v1beta1) to `clientConfig.url` or to
 * `clientConfig.service`, over HTTPS verified with `caBundle`; the answer is checked as upstream
 * checks it (kind and uid for v1, `result.status`, the object count, each object's apiVersion,
 * kind, name, namespace and uid) and only labels and annotations may change in metadata.
 */
import { randomUUID } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { httpsRequest } from '../../../cluster/https-client.js';
import type { KubeObject } from '../../object.js';
import { ConversionError, gvkString, type ObjectConverter } from './converter.js';
import { restoreObjectMeta, validateConvertedObject } from './converted-object.js';

/** `spec.conversion.webhook` of a CRD. */
export interface WebhookConversion {
  clientConfig?: {
    url?: string;
    service?: { namespace: string; name: string; path?: string; port?: number };
    caBundle?: string;
  };
  conversionReviewVersions?: string[];
}

/** Where a Service is dialled: `host:port` of a ready endpoint (the aggregator's resolver). */
export interface ServiceDialer {
  resolve(ref: { namespace: string; name: string; port?: number }): Promise<string>;
}

/** The ConversionReview versions kube-skew speaks, as upstream's client manager registers them. */
const REVIEW_GROUP = 'apiextensions.k8s.io';
const SUPPORTED_REVIEW_VERSIONS = ['v1', 'v1beta1'];
/** Upstream's webhook client timeout when none is configured (CRD conversion has no field for it). */
export const CONVERSION_WEBHOOK_TIMEOUT_MS = 30_000;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A webhook converter for one CRD. */
export class WebhookConverter implements ObjectConverter {
  constructor(
    private readonly webhook: WebhookConversion,
    private readonly dialer: ServiceDialer | undefined,
    private readonly timeoutMs = CONVERSION_WEBHOOK_TIMEOUT_MS,
  ) {}

  async convert(objects: KubeObject[], toApiVersion: string, listKind?: string): Promise<KubeObject[]> {
    const todo = objects.filter((o) => o.apiVersion !== toApiVersion);
    if (todo.length === 0) return objects;
    const first = todo[0]!;
    // Upstream names the input's kind: the list's for a list, the object's otherwise.
    const what = gvkString(String(first.apiVersion ?? ''), listKind ?? String(first.kind ?? ''));
    const reviewVersion = (this.webhook.conversionReviewVersions ?? []).find((v) => SUPPORTED_REVIEW_VERSIONS.includes(v));
    if (!reviewVersion) throw new ConversionError('no supported conversion review versions');
    const uid = randomUUID();
    const review = { kind: 'ConversionReview', apiVersion: `${REVIEW_GROUP}/${reviewVersion}`, request: { uid, desiredAPIVersion: toApiVersion, objects: todo } };
    let answer: Obj;
    try {
      answer = await this.post(review);
    } catch (err) {
      throw new ConversionError(`conversion webhook for ${what} failed: ${(err as Error).message}`);
    }
    let converted: unknown[];
    try {
      converted = convertedObjects(reviewVersion, uid, answer);
    } catch (err) {
      throw new ConversionError(`conversion webhook for ${what} failed: ${(err as Error).message}`);
    }
    if (converted.length !== todo.length) throw new ConversionError(`conversion webhook for ${what} returned ${converted.length} objects, expected ${todo.length}`);
    const isList = listKind !== undefined;
    const at = (i: number): string => (isList ? `converted object at index ${i}` : `object at index ${i}`);
    let next = 0;
    return objects.map((original) => {
      if (original.apiVersion === toApiVersion) return original;
      const index = next++;
      const out = converted[index];
      if (out === null || typeof out !== 'object' || Array.isArray(out)) throw new ConversionError(`conversion webhook for ${what} returned invalid ${at(index)}: not an object`);
      const obj = out as KubeObject;
      if (obj.apiVersion !== toApiVersion) throw new ConversionError(`conversion webhook for ${what} returned invalid ${at(index)}: invalid groupVersion (expected ${toApiVersion}, received ${String(obj.apiVersion ?? '')})`);
      if (obj.kind !== original.kind) throw new ConversionError(`conversion webhook for ${what} returned invalid ${at(index)}: invalid kind (expected ${String(original.kind)}, received ${String(obj.kind ?? '')})`);
      const invalid = validateConvertedObject(original, obj);
      if (invalid) throw new ConversionError(`conversion webhook for ${what} returned invalid ${isList ? `converted object at index ${index}` : 'object'}: ${invalid}`);
      const badMeta = restoreObjectMeta(original, obj);
      if (badMeta) throw new ConversionError(`conversion webhook for ${what} returned invalid metadata${isList ? ` in object at index ${index}` : ''}: ${badMeta}`);
      return obj;
    });
  }

  /** POST the review and parse the answer; rejects with Go's client error wording. */
  private async post(review: unknown): Promise<Obj> {
    const config = this.webhook.clientConfig ?? {};
    const ca = config.caBundle ? Buffer.from(config.caBundle, 'base64').toString('utf8') : rootCertificates.join('\n');
    let url: string;
    let dial: string;
    let servername: string | undefined;
    if (config.url) {
      url = dial = withTimeout(config.url, this.timeoutMs);
    } else if (config.service) {
      const s = config.service;
      const port = s.port ?? 443;
      servername = `${s.name}.${s.namespace}.svc`;
      url = withTimeout(`https://${servername}:${port}${s.path ?? ''}`, this.timeoutMs);
      if (!this.dialer) throw new Error(`Post "${url}": services cannot be resolved by this server`);
      let hostPort: string;
      try {
        hostPort = await this.dialer.resolve({ namespace: s.namespace, name: s.name, port });
      } catch (err) {
        throw new Error(`Post "${url}": ${(err as Error).message}`);
      }
      dial = withTimeout(`https://${hostPort}${s.path ?? ''}`, this.timeoutMs);
    } else {
      throw new Error('webhook clientConfig has neither url nor service');
    }
    let res;
    try {
      res = await httpsRequest(dial, { method: 'POST', body: review, tls: { ca }, timeoutMs: this.timeoutMs, headers: { accept: 'application/json' }, ...(servername ? { servername } : {}) });
    } catch (err) {
      throw new Error(`Post "${url}": ${(err as Error).message}`);
    }
    if (res.status < 200 || res.status > 299) throw new Error(`the server responded with the status code ${res.status} but did not return more information`);
    if (res.json === null || typeof res.json !== 'object') throw new Error(`couldn't get version/kind; json parse error: ${res.text.slice(0, 100)}`);
    return res.json as Obj;
  }
}

/** `?timeout=30s` appended as upstream's REST client does. */
function withTimeout(url: string, timeoutMs: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}timeout=${Math.round(timeoutMs / 1000)}s`;
}

/** The converted objects of a review answer, checked as upstream's getConvertedObjectsFromResponse. */
function convertedObjects(reviewVersion: string, uid: string, answer: Obj): unknown[] {
  if (reviewVersion === 'v1') {
    const expected = gvkString(`${REVIEW_GROUP}/v1`, 'ConversionReview');
    const got = gvkString(String(answer.apiVersion ?? ''), String(answer.kind ?? ''));
    if (got !== expected) throw new Error(`expected webhook response of ${expected}, got ${got}`);
  }
  const response = answer.response as Obj | undefined | null;
  if (!response) throw new Error('no response provided');
  if (reviewVersion === 'v1' && response.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${String(response.uid ?? '')}"`);
  const result = (response.result ?? {}) as Obj;
  if (result.status !== 'Success') {
    if (typeof result.message === 'string' && result.message) throw new Error(result.message);
    throw new Error(`response.result.status was '${String(result.status ?? '')}', not 'Success'`);
  }
  return Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
}
