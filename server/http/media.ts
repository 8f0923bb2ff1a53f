/**
 * Media-type parsing and Accept negotiation, as k8s.io/apimachinery's `munnerz/goautoneg` use does:
 * clauses in order of q-value (stable for ties), parameters compared exactly.
 */

/** One media range of an Accept header, or a parsed Content-Type. */
export interface MediaType {
  type: string;
  subtype: string;
  /** Lower-cased parameter names; values as sent. `q` is not kept here. */
  params: Record<string, string>;
  /** The q-value (1 when absent). */
  q: number;
}

/** Parse one media type (`application/json;g=meta.k8s.io;v=v1;as=Table`). Returns undefined when malformed. */
export function parseMediaType(text: string): MediaType | undefined {
  const [head, ...rest] = text.split(';');
  const full = (head ?? '').trim().toLowerCase();
  const slash = full.indexOf('/');
  if (slash <= 0 || slash === full.length - 1) return undefined;
  const media: MediaType = { type: full.slice(0, slash), subtype: full.slice(slash + 1), params: {}, q: 1 };
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (key === 'q') {
      const q = Number(value);
      media.q = Number.isFinite(q) ? q : 1;
    } else if (key) {
      media.params[key] = value;
    }
  }
  return media;
}

/** Parse an Accept header into media ranges, best first (q-value descending, header order for ties). */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header || header.trim() === '') return [];
  const ranges: MediaType[] = [];
  for (const clause of header.split(',')) {
    const media = parseMediaType(clause);
    if (media && media.q > 0) ranges.push(media);
  }
  return ranges
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.q - a.m.q || a.i - b.i)
    .map((x) => x.m);
}

/** The bare `type/subtype` of a Content-Type header, lower-cased, or '' when absent. */
export function contentTypeOf(header: string | undefined): string {
  if (!header) return '';
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

/** True when `range` accepts `type/subtype` (wildcards allowed in the range). */
export function rangeMatches(range: MediaType, type: string, subtype: string): boolean {
  return (range.type === '*' || range.type === type) && (range.subtype === '*' || range.subtype === subtype);
}

/** How a Status can be written. */
export type StatusFormat = 'json' | 'yaml' | 'protobuf';

/** The serializers an error can be written with, in upstream's order (JSON, YAML, protobuf). */
const STATUS_SERIALIZERS: Array<{ format: StatusFormat; type: string; subtype: string }> = [
  { format: 'json', type: 'application', subtype: 'json' },
  { format: 'yaml', type: 'application', subtype: 'yaml' },
  { format: 'protobuf', type: 'application', subtype: 'vnd.kubernetes.protobuf' },
];

/**
 * The format of an error Status, as upstream's `ErrorNegotiated` picks it: the first Accept clause
 * (best first) that a serializer matches, clauses asking for a transformation (`as`, `g`, `v`)
 * skipped because the default endpoint restrictions allow none; JSON when no header is sent or
 * nothing matches (an error is never hidden behind a 406).
 */
export function statusFormat(accept: string | undefined): StatusFormat {
  for (const clause of parseAccept(accept)) {
    if ('as' in clause.params || 'g' in clause.params || 'v' in clause.params) continue;
    for (const s of STATUS_SERIALIZERS) {
      const matches = (clause.type === s.type && (clause.subtype === s.subtype || clause.subtype === '*')) || (clause.type === '*' && clause.subtype === '*');
      if (matches) return s.format;
    }
  }
  return 'json';
}
