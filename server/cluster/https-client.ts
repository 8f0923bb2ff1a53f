/**
 * A small HTTPS client for kube-skew's own tools (the cluster supervisor, the scenario runner and the
 * tests): one request with the cluster's TLS material, the whole answer read, the body parsed as JSON
 * when it is JSON.
 */
import { request } from 'node:https';

/** TLS material: the CA that signs servers, and optionally a client certificate. */
export interface ClientTLS {
  ca: string;
  cert?: string;
  key?: string;
}

/** One request. */
export interface HttpsRequest {
  method?: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  tls: ClientTLS;
  timeoutMs?: number;
  /** The TLS server name to verify when it differs from the URL's host (a Service's DNS name). */
  servername?: string;
  /**
   * Open a connection of its own instead of reusing a kept-alive one (Node's global agent keeps
   * connections alive), so a load balancer in front sees each request as a new client.
   */
  freshConnection?: boolean;
}

/** An answer read in full. */
export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as received (for binary answers such as protobuf). */
  raw: Buffer;
  /** The body parsed as JSON, or undefined. */
  json: any;
}

/** Send one HTTPS request and read the whole answer; rejects on a transport failure or the timeout. */
export function httpsRequest(url: string, req: HttpsRequest): Promise<HttpsResponse> {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  const payload = req.body === undefined ? undefined : typeof req.body === 'string' || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const timeoutMs = req.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const r = request(url, { method: req.method ?? 'GET', headers, ca: req.tls.ca, cert: req.tls.cert, key: req.tls.key, timeout: timeoutMs, ...(req.servername ? { servername: req.servername } : {}), ...(req.freshConnection ? { agent: false } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, raw, json });
      });
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}
