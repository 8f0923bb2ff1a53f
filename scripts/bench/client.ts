/**
 * A minimal HTTPS JSON client for the benchmark's set-up and watch phases: keep-alive connections,
 * the cluster CA, and the admin client certificate.
 */
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ClientTLS } from './load.js';

/** A response read in full. */
export interface JsonResponse {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

/** Sends requests to one server as the holder of `tls`'s client certificate. */
export class ApiClient {
  private readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    tls: ClientTLS,
    /** Headers sent with every request (e.g. the served-by trace). */
    private readonly extraHeaders: Record<string, string> = {},
  ) {
    this.agent = new Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key });
  }

  /** Sends `method path` with an optional JSON body and reads the whole response; rejects on a transport error. */
  async call(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    const res = await this.open(method, path, body);
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk as string;
    return { status: res.statusCode ?? 0, body: text, headers: res.headers };
  }

  /** Like {@link call}, but throws unless the status is `expected`; returns the parsed body. */
  async expect<T = unknown>(expected: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    if (res.status !== expected) throw new Error(`${method} ${this.baseUrl}${path}: expected ${expected}, got ${res.status}: ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as T;
  }

  /** Sends a request and resolves with the response as soon as its headers arrive (for streams). */
  open(method: string, path: string, body?: unknown): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', ...this.extraHeaders };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      // Node sends a DELETE body without any framing unless told its length: the server would read it as the next request.
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, { method, agent: this.agent, headers }, resolve);
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
