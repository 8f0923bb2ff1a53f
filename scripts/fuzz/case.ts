/**
 * One fuzz request and the categories the generators draw from. A case is either an HTTP request
 * sent with Node's client (method, path, headers, body) or raw bytes written on a fresh TLS
 * connection, for what Node's client refuses to send (CR/LF in header values, duplicate
 * Content-Length, malformed request lines). A `cut` case is a request the client itself cuts short
 * on a connection of its own, possibly sent to a server that must proxy it.
 */
import type { CutPoint } from '../bench/cancel.js';

/** The kinds of hostile input, in report order. */
export const CATEGORIES = [
  'paths',
  'json',
  'yaml',
  'protobuf',
  'content-types',
  'names-labels',
  'selectors',
  'list-params',
  'headers',
  'methods',
  'cancel',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** What the target server holds for the fuzzer: a namespace with a few objects to aim at. */
export const FUZZ_NAMESPACE = 'fuzz';
/** A ConfigMap in {@link FUZZ_NAMESPACE} that updates and patches aim at. */
export const TARGET_CONFIGMAP = 'fuzz-target';
/** How many further ConfigMaps (`fuzz-0` …) are seeded, for lists and selectors. */
export const SEEDED_CONFIGMAPS = 5;

/** One generated request. */
export interface FuzzCase {
  category: Category;
  /** A short name of the generator variant (`deep-json-array`, `crlf-in-header`, …), for findings. */
  variant: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** When set, these bytes are written on a fresh TLS connection instead of sending an HTTP request. */
  raw?: Buffer;
  /** The request may open a watch: a 2xx answer is not read past its headers. */
  stream?: boolean;
  /**
   * The client cuts the request at `point`: see CutTarget.cut (`bytes` of the answer, or of the
   * request's own body or raw bytes for `mid-request`; `delayMs`). It gets no answer by design.
   */
  cut?: { point: CutPoint; bytes: number; delayMs: number };
  /** Sent to the server that must proxy the newest API to the one under test (when there is one). */
  proxied?: boolean;
}

/** True for methods that may change the store. */
export function isWrite(method: string): boolean {
  const m = method.toUpperCase();
  return m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS';
}
