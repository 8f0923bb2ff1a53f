/**
 * Discovery endpoints: `/api` and `/apis` (aggregated v2/v2beta1 when the Accept header asks for a
 * version this minor speaks, legacy otherwise, 406 when neither is acceptable), `/apis/<g>`,
 * `/api/v1` and `/apis/<g>/<v>`. Documents are built once per server and cached with their bytes.
 */
import { minorInfo } from '../../versions/minors.js';
import { createHash } from 'node:crypto';
import type { RequestContext } from '../http/context.js';
import { parseAccept, type MediaType } from '../http/media.js';
import { writeRaw } from '../http/respond.js';
import { notAcceptable } from '../errors/status.js';
import type { ServedGroupVersion, VersionProfile } from '../../versions/types.js';
import {
  aggregatedDiscovery,
  legacyAPIGroup,
  legacyAPIGroupList,
  legacyAPIGroupListOf,
  legacyAPIGroupOf,
  legacyAPIResourceList,
  legacyAPIVersions,
  type APIGroupDiscoveryList,
  type LegacyGroup,
} from './discovery-docs.js';

/** The media types a discovery endpoint can produce, as upstream lists them in a 406. */
export const DISCOVERY_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** The Content-Type of an aggregated discovery answer of `version`. */
export function aggregatedContentType(version: string): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** What an Accept header asks of `/api` or `/apis`. */
export type DiscoveryChoice = { kind: 'aggregated'; version: string; noPeer: boolean } | { kind: 'legacy' } | { kind: 'none' };

/** Parameters a minor understands on an aggregated discovery media type. */
function knownParams(profile: VersionProfile): Set<string> {
  const known = new Set(['g', 'v', 'as']);
  if (profile.peerAggregatedDiscovery) known.add('profile');
  return known;
}

function isPlainJson(m: MediaType): boolean {
  const wildcard = m.type === '*' || (m.type === 'application' && m.subtype === '*');
  const json = m.type === 'application' && m.subtype === 'json';
  return (wildcard || json) && m.params.as === undefined && m.params.g === undefined && m.params.v === undefined;
}

/** Choose the document for `/api` or `/apis` from the Accept header, as upstream's negotiation does. */
export function chooseDiscovery(profile: VersionProfile, accept: string | undefined): DiscoveryChoice {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { kind: 'legacy' };
  const known = knownParams(profile);
  for (const m of ranges) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && m.type === 'application' && m.subtype === 'json') {
      const version = m.params.v ?? '';
      if (!profile.aggregatedDiscoveryVersions.includes(version)) continue;
      if (Object.keys(m.params).some((p) => !known.has(p))) continue;
      return { kind: 'aggregated', version, noPeer: m.params.profile === 'nopeer' };
    }
    if (isPlainJson(m)) return { kind: 'legacy' };
  }
  return { kind: 'none' };
}

/**
 * Serialised discovery documents of one server, built lazily and kept: the profile's built-in
 * group/versions, then the custom resource group/versions its CRD informer established (replaced
 * as a whole, which drops every cached document).
 */
export class DiscoveryDocs {
  private readonly cache = new Map<string, string>();
  private readonly etags = new Map<string, string>();
  /** The profile with the custom group/versions appended. */
  private served: VersionProfile;
  private readonly listeners: Array<() => void> = [];

  constructor(
    readonly profile: VersionProfile,
    /** The `host:port` legacy `/api` advertises; read when the document is first built. */
    private readonly serverAddress: () => string,
  ) {
    this.served = profile;
  }

  private custom: ServedGroupVersion[] = [];
  private aggregatedGroups: ServedGroupVersion[] = [];
  private legacyGroups: LegacyGroup[] | undefined;

  /**
   * Replace the groups legacy `/apis` lists, and `/apis/<group>` for those groups (the aggregator
   * builds them from APIServices); undefined lists what the server serves. A group left out is
   * answered from what the server serves, as kube-aggregator hands it to its delegate. `/api`,
   * `/apis/<g>/<v>` and aggregated discovery are not affected.
   */
  setLegacyGroups(groups: LegacyGroup[] | undefined): void {
    this.legacyGroups = groups;
    this.cache.delete('legacy:apis');
    for (const key of [...this.cache.keys()]) if (key.startsWith('group:')) this.cache.delete(key);
  }

  /** Replace the custom resource group/versions (in discovery order) and forget every built document. */
  setCustomGroups(groups: ServedGroupVersion[]): void {
    this.custom = groups;
    this.rebuild();
  }

  /** Replace the group/versions of remote APIServices (after the custom ones) and forget every built document. */
  setAggregatedGroups(groups: ServedGroupVersion[]): void {
    this.aggregatedGroups = groups;
    this.rebuild();
  }

  private rebuild(): void {
    this.served = { ...this.profile, groups: [...this.profile.groups, ...this.custom, ...this.aggregatedGroups] };
    this.cache.clear();
    this.etags.clear();
    for (const listener of this.listeners) listener();
  }

  /** Call `listener` whenever the custom group/versions change (caches built on these documents drop). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private memo(key: string, build: () => unknown): string | undefined {
    let text = this.cache.get(key);
    if (text === undefined) {
      const doc = build();
      if (doc === undefined) return undefined;
      text = JSON.stringify(doc) + '\n';
      this.cache.set(key, text);
    }
    return text;
  }

  /** The local aggregated document (`/api` or `/apis`) as an object. */
  aggregated(which: 'api' | 'apis', version: string): APIGroupDiscoveryList {
    return aggregatedDiscovery(this.served, which, `apidiscovery.k8s.io/${version}`, minorInfo(this.profile.minor).writesNullCreationTimestamp);
  }

  /** The local aggregated document, serialised. */
  aggregatedText(which: 'api' | 'apis', version: string): string {
    return this.memo(`agg:${which}:${version}`, () => this.aggregated(which, version))!;
  }

  /**
   * The ETag of the local aggregated document (unquoted), as upstream's `calculateETag`: upper-case
   * hex SHA-512 of the v2 list's items, the same for every discovery version of one document.
   */
  aggregatedETag(which: 'api' | 'apis'): string {
    let etag = this.etags.get(which);
    if (etag === undefined) {
      const doc = this.aggregated(which, 'v2');
      etag = createHash('sha512').update(JSON.stringify({ metadata: {}, items: doc.items })).digest('hex').toUpperCase();
      this.etags.set(which, etag);
    }
    return etag;
  }

  /** Legacy `/api`. */
  apiVersionsText(): string {
    return this.memo('legacy:api', () => legacyAPIVersions(this.served, this.serverAddress()))!;
  }

  /** Legacy `/apis`. */
  groupListText(): string {
    return this.memo('legacy:apis', () => (this.legacyGroups ? legacyAPIGroupListOf(this.legacyGroups) : legacyAPIGroupList(this.served)))!;
  }

  /** `/apis/<g>`, or undefined when neither listed nor served. */
  groupText(group: string): string | undefined {
    return this.memo(`group:${group}`, () => {
      const listed = group === '' ? undefined : this.legacyGroups?.find((g) => g.name === group);
      return listed ? legacyAPIGroupOf(listed) : legacyAPIGroup(this.served, group);
    });
  }

  /** `/api/v1` or `/apis/<g>/<v>`, or undefined when not served. */
  resourceListText(group: string, version: string): string | undefined {
    return this.memo(`rl:${group}/${version}`, () => legacyAPIResourceList(this.served, group, version));
  }
}

/**
 * An override for aggregated `/apis` v2 (peer-aggregated discovery installs one on 1.35+). It
 * returns true when it answered.
 */
export type AggregatedApisHook = (ctx: RequestContext, choice: { version: string; noPeer: boolean }) => Promise<boolean>;

/** Answer `/api` or `/apis`. */
export async function serveRootDiscovery(ctx: RequestContext, docs: DiscoveryDocs, which: 'api' | 'apis', hook?: AggregatedApisHook): Promise<void> {
  const choice = chooseDiscovery(docs.profile, ctx.req.headers.accept);
  if (choice.kind === 'none') throw notAcceptable(DISCOVERY_MEDIA_TYPES);
  if (choice.kind === 'aggregated') {
    if (which === 'apis' && hook && (await hook(ctx, choice))) return;
    // Upstream's ServeHTTPWithETag: a quoted ETag, `Vary: Accept`, `Cache-Control: public`, and a
    // 304 without a body when If-None-Match carries the current ETag.
    const etag = JSON.stringify(docs.aggregatedETag(which));
    ctx.headers['cache-control'] = 'public';
    const headers = { etag, vary: 'Accept' };
    if (ctx.req.headers['if-none-match'] === etag) {
      ctx.statusCode = 304;
      for (const [k, v] of Object.entries({ ...ctx.headers, ...headers })) ctx.reply.header(k, v);
      await ctx.reply.code(304).send();
      return;
    }
    await writeRaw(ctx, 200, docs.aggregatedText(which, choice.version), aggregatedContentType(choice.version), headers);
    return;
  }
  await writeRaw(ctx, 200, which === 'api' ? docs.apiVersionsText() : docs.groupListText(), 'application/json');
}
