/**
 * RequestInfo: what a request is about, resolved once per request from its method, path and query,
 * the way k8s.io/apiserver's RequestInfoFactory does. Later filters and handlers read it and never
 * parse the path again.
 */
import { parseFieldSelector, parseLabelSelector, requiresExactMatch } from './registry/selectors.js';

/** The resolved attributes of one request. */
export interface RequestInfo {
  /** True for `/api/v1/...` and `/apis/<g>/<v>/...` paths with at least a resource. */
  isResourceRequest: boolean;
  /** The original path, without the query. */
  path: string;
  /**
   * `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, `proxy`,
   * or the lower-case HTTP method for non-resource requests.
   */
  verb: string;
  /** `api` or `apis` (empty for non-resource paths outside them). */
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** The path segments from the resource on (after the namespace, if any). */
  parts: string[];
}

/** A request that cannot be resolved (upstream answers these with a 400 or passes them on). */
export class RequestInfoError extends Error {}

const API_PREFIXES = new Set(['api', 'apis']);
const GROUPLESS_PREFIXES = new Set(['api']);
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const SPECIAL_VERBS_NO_SUBRESOURCES = new Set(['proxy']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/**
 * Parse a boolean query parameter the way apimachinery converts `[]string` to `bool`: absent is
 * false; `0`, `f` and `false` (any case) are false; anything else, even empty, is true.
 */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  const lower = value.toLowerCase();
  return !(lower === '0' || lower === 'f' || lower === 'false');
}

/**
 * Decode the list options RequestInfo needs, as upstream's `ParameterCodec.DecodeParameters` does:
 * when any selector fails to parse, the options are dropped (no name is taken from the field
 * selector) and only `watch` is read again, where anything but `false` or `0` (any case) is true.
 */
function decodeListQuery(query: URLSearchParams): { watch: boolean; exactName: string | undefined } {
  try {
    const labels = query.get('labelSelector');
    if (labels) parseLabelSelector(labels);
    const fields = query.get('fieldSelector');
    const exactName = fields ? requiresExactMatch(parseFieldSelector(fields), 'metadata.name') : undefined;
    return { watch: queryBool(query, 'watch'), exactName };
  } catch {
    const watch = query.get('watch');
    return { watch: watch !== null && !['false', '0'].includes(watch.toLowerCase()), exactName: undefined };
  }
}

function isValidPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

/** Resolve a request's RequestInfo from its method, path and query. */
export function resolveRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };

  const trimmed = path.replace(/^\/+|\/+$/g, '');
  let parts = trimmed === '' ? [] : trimmed.split('/');
  const prefix = parts[0];
  if (prefix === undefined || !API_PREFIXES.has(prefix)) return info;
  info.apiPrefix = prefix;
  parts = parts.slice(1);

  if (!GROUPLESS_PREFIXES.has(prefix)) {
    if (parts.length < 1) return info;
    info.apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  if (parts.length < 1) return info;
  info.apiVersion = parts[0]!;
  parts = parts.slice(1);
  if (parts.length < 1) return info;

  info.isResourceRequest = true;
  if (SPECIAL_VERBS.has(parts[0]!)) {
    if (parts.length < 2) {
      const q = query.toString();
      throw new RequestInfoError(`unable to determine kind and namespace from url, ${path}${q ? `?${q}` : ''}`);
    }
    info.verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    info.verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }

  if (parts[0] === 'namespaces') {
    // A server-side apply that creates a namespace PATCHes /namespaces/<name>: upstream leaves the
    // namespace unset there, so the namespace need not exist yet.
    if (parts.length === 2 && info.verb === 'patch') info.namespace = '';
    else if (parts.length > 1) {
      info.namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  info.parts = parts;

  if (parts.length >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.has(info.verb)) info.subresource = parts[2]!;
  if (parts.length >= 2) info.name = parts[1]!;
  if (parts.length >= 1) info.resource = parts[0]!;

  if (info.name === '' && info.verb === 'get') {
    const decoded = decodeListQuery(query);
    info.verb = decoded.watch ? 'watch' : 'list';
    const name = decoded.exactName;
    if (name !== undefined && isValidPathSegmentName(name)) info.name = name;
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
