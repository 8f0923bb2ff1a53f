/**
 * The probes behind componentstatuses (pkg/registry/core/componentstatus/validator.go): an HTTP(S)
 * GET of a component's `/healthz`, as upstream's HttpServer with the kubelet's HTTP prober (2xx and
 * 3xx succeed with the body as message, anything else fails with it; a transport error leaves the
 * result Unknown with Go's error text), and a check of the store, as upstream's EtcdServer (`ok`,
 * or a failure with the error).
 */
import { request } from 'node:https';
import type { Store } from '../../storage/store.js';
import type { Clock } from '../clock.js';

/** A probe's outcome: upstream's probe.Result, the message and the error text ('' for none). */
export interface ProbeOutcome {
  result: 'Success' | 'Failure' | 'Unknown';
  message: string;
  error: string;
}

/** A component check. */
export type ComponentProbe = () => Promise<ProbeOutcome>;

/** Upstream's `probeTimeOut`. */
export const PROBE_TIMEOUT_MS = 20_000;
/** The HTTP prober reads at most this much of a body (`maxRespBodyLength`, 10 KiB). */
const MAX_BODY = 10 * 1024;

/** Go's net error text for the Node errors a dial can meet (`dial tcp <addr>: connect: connection refused`). */
function goDialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    default:
      return err.message;
  }
}

/**
 * GET `https://<host>:<port><path>` without verifying the certificate (upstream's
 * `InsecureSkipVerify: true`), within {@link PROBE_TIMEOUT_MS} of clock time.
 */
export function httpsHealthProbe(clock: Clock, host: string, port: number, path: string): ComponentProbe {
  const url = `https://${host}:${port}${path}`;
  return () =>
    new Promise<ProbeOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: ProbeOutcome): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        resolve(outcome);
      };
      const req = request(url, { method: 'GET', rejectUnauthorized: false, headers: { 'user-agent': 'kube-probe/1.0', accept: '*/*' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
          size += c.length;
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          finish({ result: code >= 200 && code < 400 ? 'Success' : 'Failure', message: body, error: '' });
        });
        res.on('error', (err) => finish({ result: 'Unknown', message: '', error: `Get "${url}": ${err.message}` }));
      });
      const timer = clock.setTimeout(() => {
        req.destroy();
        finish({ result: 'Unknown', message: '', error: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      }, PROBE_TIMEOUT_MS);
      req.on('error', (err: NodeJS.ErrnoException) => finish({ result: 'Unknown', message: '', error: `Get "${url}": ${goDialError(err, host, port)}` }));
      req.end();
    });
}

/** A component that answers in this process: its `/healthz` would say `ok`. */
export function inProcessProbe(): ComponentProbe {
  return () => Promise.resolve({ result: 'Success', message: 'ok', error: '' });
}

/** Upstream's EtcdServer check, against the store kube-skew uses: a read of its current revision. */
export function storeProbe(store: Store): ComponentProbe {
  return async () => {
    try {
      await store.currentRevision();
      return { result: 'Success', message: 'ok', error: '' };
    } catch (err) {
      return { result: 'Failure', message: '', error: (err as Error).message };
    }
  };
}
