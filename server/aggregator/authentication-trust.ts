/**
 * The `kube-system/extension-apiserver-authentication` ConfigMap, as kube-apiserver's
 * clusterauthenticationtrust controller keeps it: each server merges its own client CA, front-proxy
 * CA and request-header settings into what the ConfigMap already holds (certificates deduplicated
 * and expired ones dropped, string lists as ordered unions, lists written as JSON arrays), so that
 * servers with different flags over one store end up publishing the union of their trust. The
 * request-header keys are written only when the front-proxy CA is set; `requestheader-uid-headers`
 * only where the minor has the RemoteRequestHeaderUID feature (so a server of an older minor drops
 * that key and a newer one adds it back, as in an upgrading cluster). The ConfigMap is checked when the
 * server starts and once a minute (upstream also watches it; here an edit that drops a server's
 * trust is repaired at the next check), and a conflicting write is retried with backoff.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { KubeObject } from '../registry/object.js';
import { isStatusError } from '../errors/status.js';
import type { AuthenticationOptions } from '../filters/authentication.js';
import { CrdController } from '../apiextensions/crd-controller.js';

/** Where the ConfigMap lives. */
export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' } as const;
/** How often the ConfigMap is checked besides on changes (upstream's one minute). */
export const AUTHENTICATION_RESYNC_MS = 60_000;

/**
 * One server's authentication settings, as its flags give them (the authentication filter's own
 * option names): the CA bundles (PEM), the allowed front-proxy names and the header lists;
 * `uidHeaders` undefined where the minor has no UID headers.
 */
export type AuthenticationInfo = Pick<AuthenticationOptions, 'clientCA' | 'requestHeaderCA' | 'uidHeaders'> &
  Required<Pick<AuthenticationOptions, 'requestHeaderAllowedNames' | 'usernameHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'>>;

function unionOf(...lists: Array<string[] | undefined>): string[] {
  return [...new Set(lists.flatMap((l) => l ?? []))];
}

function parseList(text: string | undefined): string[] | undefined {
  if (!text) return undefined;
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.map(String) : [];
}

/** The certificates of PEM bundles, duplicates and certificates expired over 5 minutes ago left out. */
export function combineCertificates(now: Date, ...bundles: Array<string | undefined>): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const bundle of bundles) {
    for (const block of (bundle ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      const body = block.replace(/-----[^-]+-----|\s+/g, '');
      if (seen.has(body)) continue;
      seen.add(body);
      if (new Date(new X509Certificate(block).validTo).getTime() < now.getTime() - 5 * 60_000) continue;
      out.push(`${block}\n`);
    }
  }
  return out.join('');
}

/** The ConfigMap's `data` after merging `own` into `existing`, as upstream's syncConfigMap computes it. */
export function mergedAuthenticationData(existing: Record<string, string>, own: AuthenticationInfo, now: Date): Record<string, string> {
  const data: Record<string, string> = {};
  const clientCA = combineCertificates(now, existing['client-ca-file'], own.clientCA);
  if (clientCA) data['client-ca-file'] = clientCA;
  const requestHeaderCA = combineCertificates(now, existing['requestheader-client-ca-file'], own.requestHeaderCA);
  if (!requestHeaderCA) return data;
  const list = (key: string, mine: string[] | undefined): string => JSON.stringify(unionOf(parseList(existing[key]), mine));
  data['requestheader-username-headers'] = list('requestheader-username-headers', own.usernameHeaders);
  if (own.uidHeaders) data['requestheader-uid-headers'] = list('requestheader-uid-headers', own.uidHeaders);
  data['requestheader-group-headers'] = list('requestheader-group-headers', own.groupHeaders);
  data['requestheader-extra-headers-prefix'] = list('requestheader-extra-headers-prefix', own.extraHeaderPrefixes);
  data['requestheader-client-ca-file'] = requestHeaderCA;
  data['requestheader-allowed-names'] = list('requestheader-allowed-names', own.requestHeaderAllowedNames);
  return data;
}

/** What the publisher writes through. */
export interface AuthenticationTrustDeps {
  registry: Registry;
  configMaps: ResourceType;
  info: AuthenticationInfo;
  clock: Clock;
  log: Logger;
}

/** Keeps the ConfigMap holding at least this server's authentication settings. */
export class AuthenticationTrustPublisher extends CrdController {
  private resync: ClockTimer | undefined;
  private readonly key = `${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name}`;

  constructor(private readonly deps: AuthenticationTrustDeps) {
    super(deps.clock, deps.log);
  }

  private async current(): Promise<(KubeObject & { data?: Record<string, string> }) | undefined> {
    try {
      return await this.deps.registry.get(this.deps.configMaps, AUTHENTICATION_CONFIGMAP.namespace, AUTHENTICATION_CONFIGMAP.name);
    } catch (err) {
      if (isStatusError(err) && err.code === 404) return undefined;
      throw err;
    }
  }

  override start(): void {
    super.start();
    this.queue.add(this.key);
    this.resync = this.deps.clock.setInterval(() => this.queue.add(this.key), AUTHENTICATION_RESYNC_MS);
  }

  override stop(): void {
    this.resync?.cancel();
    super.stop();
  }

  protected async sync(): Promise<void> {
    const { namespace, name } = AUTHENTICATION_CONFIGMAP;
    const current = await this.current();
    const data = mergedAuthenticationData(current?.data ?? {}, this.deps.info, this.deps.clock.now());
    if (current && JSON.stringify(current.data ?? {}) === JSON.stringify(data)) return;
    const { registry, configMaps } = this.deps;
    if (current) {
      await registry.update(configMaps, namespace, name, { ...current, data });
      return;
    }
    try {
      await registry.create(configMaps, namespace, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data } as KubeObject);
    } catch (err) {
      // Another server created it meanwhile: merged at the retry.
      if (isStatusError(err) && err.code === 409) throw new Error('created by another server meanwhile');
      throw err;
    }
  }
}
