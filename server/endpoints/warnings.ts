/**
 * The `Warning` response header: upstream's `299 - "<text>"` entries (k8s.io/apiserver's
 * warning recorder), one per distinct text, and the deprecation warning the installer attaches to every
 * handler of a deprecated group/version/kind (or a deprecated CRD version).
 */
import type { RequestContext } from '../http/context.js';
import type { ResourceType } from '../registry/resource-type.js';
import { deprecationWarning } from '../../versions/deprecations.js';

/** Upstream's quoted-string form of a warning text: `"` and `\` escaped. */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Control characters (Unicode category Cc), which upstream's `NewWarningHeader` refuses. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The `Warning` header value of a text, as upstream's `NewWarningHeader` makes it: `299 - "<text>"`,
 * or undefined for a text it refuses (one with control characters), which is then not sent. A text
 * is sent as its UTF-8 bytes, as Go writes header values; Node takes header values as Latin-1, so
 * the bytes are handed over one character each.
 */
export function warningHeaderValue(text: string): string | undefined {
  if (text === '' || CONTROL.test(text)) return undefined;
  return Buffer.from(`299 - ${quote(text)}`, 'utf8').toString('latin1');
}

/** Add a `Warning: 299 - "<text>"` header to the response, once per distinct text. */
export function addWarning(ctx: RequestContext, text: string): void {
  const entry = warningHeaderValue(text);
  if (entry === undefined) return;
  const existing = ctx.headers['Warning'] ?? ctx.headers['warning'];
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  if (list.includes(entry)) return;
  delete ctx.headers['warning'];
  ctx.headers['Warning'] = list.length === 0 ? entry : [...list, entry];
}

/**
 * Add the deprecation warning for a request to `type` (and `subresource`, whose kind may differ, as
 * autoscaling/v1 Scale does) on a server of minor `minor`, when that kind is deprecated there.
 */
export function addDeprecationWarning(ctx: RequestContext, type: ResourceType, subresource: string, minor: number): void {
  if (type.custom) {
    if (type.custom.deprecationWarning !== undefined) addWarning(ctx, type.custom.deprecationWarning);
    return;
  }
  const sub = subresource ? type.subresources.get(subresource) : undefined;
  const group = sub?.group ?? type.group;
  const version = sub?.version ?? type.version;
  const kind = sub?.kind ?? type.kind;
  const text = deprecationWarning(group, version, kind, 1, minor);
  if (text) addWarning(ctx, text);
}
