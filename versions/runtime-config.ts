/**
 * `--runtime-config` handled as kube-apiserver handles it, in upstream's three steps:
 *   1. parse the flag (cliflag.ConfigurationMap) and fold the legacy core keys (`v1`, `v1/…`,
 *      `api/v1`, `api/v1/…` → `/v1`; `api/legacy` dropped), as kube-apiserver's options Complete();
 *   2. validate (cmd/kube-apiserver validateAPIPriorityAndFairness, then
 *      APIEnablementOptions.Validate: `api/all=false` alone, malformed keys, unknown groups);
 *   3. merge into the default ResourceConfig (resourceconfig.MergeAPIResourceConfigs: `api/all`,
 *      `api/ga`, `api/beta`, `api/alpha` first, then `<group>/<version>`, then
 *      `<group>/<version>/<resource>`).
 * Error texts are upstream's. Where Go iterates a map (random order), kube-skew uses flag order.
 */
import { ProfileError, aggregateMessage } from './errors.js';
import { goParseBoolError, parseGoBool } from './go-bool.js';
import { minorNumberOf } from './manifest.js';
import type { GroupVersionRegistry } from './scheme.js';
import type { VersionManifest } from './types.js';

/** The `api/*` keys, in the order upstream applies them. */
export const MATCHER_KEYS: readonly string[] = ['api/all', 'api/ga', 'api/beta', 'api/alpha'];

const MATCHERS: Record<string, (version: string) => boolean> = {
  'api/all': () => true,
  'api/ga': (v) => /^v\d+$/.test(v),
  'api/beta': (v) => /^v\d+beta\d+$/.test(v),
  'api/alpha': (v) => /^v\d+alpha\d+$/.test(v),
};

/**
 * Parses a `--runtime-config` value like cliflag.ConfigurationMap.Set: comma-separated `key=value`
 * (key and value trimmed), a key without `=` gets the empty value, empty entries are skipped, a
 * repeated key keeps its last value. Never fails.
 */
export function parseRuntimeConfigFlag(value: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (value ?? '').split(',')) {
    if (part.length === 0) continue;
    const equals = part.indexOf('=');
    map.set((equals < 0 ? part : part.slice(0, equals)).trim(), equals < 0 ? '' : part.slice(equals + 1).trim());
  }
  return map;
}

/**
 * Folds the legacy core-group keys as kube-apiserver's options Complete() does: `v1`, `v1/<x>`,
 * `api/v1` and `api/v1/<x>` all become `/v1` (so a resource-level core key such as
 * `api/v1/pods=false` switches the whole core group, as upstream does), and `api/legacy` is dropped.
 * Returns a new map, keeping each surviving key at its position.
 */
export function foldLegacyCoreKeys(config: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of config) {
    if (key === 'api/legacy') continue;
    const core = key === 'v1' || key.startsWith('v1/') || key === 'api/v1' || key.startsWith('api/v1/');
    if (core) out.delete('/v1');
    out.set(core ? '/v1' : key, value);
  }
  return out;
}

/** The string form of a group/version, as schema.GroupVersion.String() writes it. */
function gvString(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Splits `<group>/<version>[/<resource>]` like upstream (ParseGroupVersion on the first two tokens). */
function splitKey(key: string): { group: string; version: string; resource?: string } | undefined {
  const tokens = key.split('/');
  if (tokens.length < 2 || tokens.length > 3) return undefined;
  const [group = '', version = '', resource] = tokens;
  return resource === undefined ? { group, version } : { group, version, resource };
}

/** kube-apiserver's check that `--runtime-config` does not switch off the API that APF needs. */
interface ApfCheck {
  /** First minor this form applies to. */
  since: number;
  /** Keys tested in order of precedence; the first one set decides. */
  keys: readonly string[];
  /** Text after `--runtime-config=<key>=false conflicts with `. */
  conflict: string;
  /** Gate that must be on for the check to run (besides --enable-priority-and-fairness). */
  gate?: string;
}

/*
 * cmd/kube-apiserver/app/options/validation.go validateAPIPriorityAndFairness, per release:
 * 1.25 tests flowcontrol v1beta2, v1beta1, api/beta, api/all; 1.26–1.28 test v1beta3, api/beta,
 * api/all (TestValidateAPIPriorityAndFairness of that era); 1.29 (APF GA, flowcontrol v1) tests v1,
 * api/ga, api/all; from 1.31 the APIPriorityAndFairness gate is gone and the message drops its
 * mention. The 1.29–1.30 message is inferred (the gate still existed then), not read.
 */
const APF_CHECKS: readonly ApfCheck[] = [
  {
    since: 25,
    keys: ['flowcontrol.apiserver.k8s.io/v1beta2', 'flowcontrol.apiserver.k8s.io/v1beta1', 'api/beta', 'api/all'],
    conflict: '--enable-priority-and-fairness=true and --feature-gates=APIPriorityAndFairness=true',
    gate: 'APIPriorityAndFairness',
  },
  {
    since: 26,
    keys: ['flowcontrol.apiserver.k8s.io/v1beta3', 'api/beta', 'api/all'],
    conflict: '--enable-priority-and-fairness=true and --feature-gates=APIPriorityAndFairness=true',
    gate: 'APIPriorityAndFairness',
  },
  {
    since: 29,
    keys: ['flowcontrol.apiserver.k8s.io/v1', 'api/ga', 'api/all'],
    conflict: '--enable-priority-and-fairness=true and --feature-gates=APIPriorityAndFairness=true',
    gate: 'APIPriorityAndFairness',
  },
  { since: 31, keys: ['flowcontrol.apiserver.k8s.io/v1', 'api/ga', 'api/all'], conflict: '--enable-priority-and-fairness=true' },
];

/** What validation needs besides the flag itself. */
export interface RuntimeConfigContext {
  minor: string;
  registry: GroupVersionRegistry;
  /** Effective feature gates. */
  gates: ReadonlyMap<string, boolean>;
  /** `--enable-priority-and-fairness` (default true). */
  enablePriorityAndFairness: boolean;
}

/** The sorted `k=v,k2=v2` string of cliflag.ConfigurationMap.String(). */
function configurationMapString(config: ReadonlyMap<string, string>): string {
  return [...config].map(([k, v]) => `${k}=${v}`).sort().join(',');
}

function apfErrors(config: ReadonlyMap<string, string>, ctx: RuntimeConfigContext): string[] {
  const n = minorNumberOf(ctx.minor);
  const check = [...APF_CHECKS].reverse().find((c) => n >= c.since);
  if (!check || !ctx.enablePriorityAndFairness) return [];
  if (check.gate !== undefined && ctx.gates.get(check.gate) !== true) return [];
  // Upstream looks for substrings of the joined map, not for exact keys.
  const joined = configurationMapString(config);
  for (const key of check.keys) {
    if (joined.includes(`${key}=false`)) return [`--runtime-config=${key}=false conflicts with ${check.conflict}`];
    if (joined.includes(`${key}=true`)) return [];
  }
  return [];
}

function enablementErrors(config: ReadonlyMap<string, string>, registry: GroupVersionRegistry): string[] {
  if (config.get('api/all') === 'false' && config.size === 1) return ['invalid key with only api/all=false'];
  const groups: string[] = [];
  for (const key of config.keys()) {
    if (MATCHER_KEYS.includes(key)) continue;
    const parsed = splitKey(key);
    if (!parsed) return [`runtime-config invalid key ${key}`];
    groups.push(parsed.group);
  }
  const unknown = groups.filter((g) => !registry.isGroupRegistered(g));
  return unknown.length > 0 ? [`unknown api groups ${unknown.join(',')}`] : [];
}

/**
 * Returns the messages kube-apiserver's option validation prints for a (folded) runtime config, in
 * upstream's order: the APF conflict, then APIEnablementOptions.Validate (`invalid key with only
 * api/all=false`, `runtime-config invalid key <k>`, `unknown api groups <g1>,<g2>`). Empty when valid.
 */
export function validateRuntimeConfig(config: ReadonlyMap<string, string>, ctx: RuntimeConfigContext): string[] {
  return [...apfErrors(config, ctx), ...enablementErrors(config, ctx.registry)];
}

/**
 * Which group/versions and resources are enabled: upstream's serverstore.ResourceConfig. A
 * resource-level setting wins over its version's; a version-level change clears the resource-level
 * settings of that version.
 */
export class ResourceConfig {
  private readonly versions = new Map<string, boolean>();
  private readonly resources = new Map<string, boolean>();

  /** Builds the default config of a manifest: each GV and resource as enabledByDefault says. */
  static defaults(manifest: VersionManifest): ResourceConfig {
    const config = new ResourceConfig();
    for (const g of manifest.groups) {
      for (const v of g.versions) {
        config.versions.set(ResourceConfig.gvKey(g.group, v.version), v.enabledByDefault);
        for (const r of v.resources) {
          if (r.enabledByDefault !== v.enabledByDefault) {
            config.resources.set(ResourceConfig.gvrKey(g.group, v.version, r.name), r.enabledByDefault);
          }
        }
      }
    }
    return config;
  }

  private static gvKey(group: string, version: string): string {
    return `${group}/${version}`;
  }

  private static gvrKey(group: string, version: string, resource: string): string {
    return `${group}/${version}/${resource}`;
  }

  private clearResources(group: string, version: string): void {
    const prefix = `${ResourceConfig.gvKey(group, version)}/`;
    for (const key of [...this.resources.keys()]) if (key.startsWith(prefix)) this.resources.delete(key);
  }

  /** Sets every known GV whose version string the matcher accepts (EnableMatchingVersions/Disable…). */
  setMatchingVersions(matcher: (version: string) => boolean, enabled: boolean): void {
    for (const key of this.versions.keys()) {
      const slash = key.lastIndexOf('/');
      const group = key.slice(0, slash);
      const version = key.slice(slash + 1);
      if (!matcher(version)) continue;
      this.versions.set(key, enabled);
      this.clearResources(group, version);
    }
  }

  /** Enables or disables one group/version and clears its resource-level settings. */
  setVersion(group: string, version: string, enabled: boolean): void {
    this.versions.set(ResourceConfig.gvKey(group, version), enabled);
    this.clearResources(group, version);
  }

  /** Enables or disables one resource of a group/version, whatever its version says. */
  setResource(group: string, version: string, resource: string, enabled: boolean): void {
    this.resources.set(ResourceConfig.gvrKey(group, version, resource), enabled);
  }

  /** Whether a resource is enabled: its own setting if any, else its group/version's. */
  resourceEnabled(group: string, version: string, resource: string): boolean {
    const own = this.resources.get(ResourceConfig.gvrKey(group, version, resource));
    if (own !== undefined) return own;
    return this.versions.get(ResourceConfig.gvKey(group, version)) ?? false;
  }
}

/** getRuntimeConfigValue: an empty value means true, anything else goes through Go's ParseBool. */
function runtimeConfigValue(key: string, value: string): boolean {
  if (value === '') return true;
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw new Error(`invalid value of ${key}: ${value}, err: ${goParseBoolError(value)}`);
  return parsed;
}

/**
 * Applies a (folded, validated) runtime config to a ResourceConfig as MergeAPIResourceConfigs does
 * and throws an Error with upstream's message on: an `api/*` value other than `true`/`false`
 * (`invalid value api/all=yes`), a registered group with an unregistered version (`group version
 * apps/v2 that has not been registered`), a bad boolean (`invalid value of apps/v1: maybe, err: …`)
 * or a non-lowercase resource (`invalid key apps/v1/Deployments: group/version/resource and resource
 * is always lowercase plural, not "Deployments"`). Keys of unregistered groups are skipped.
 */
export function mergeRuntimeConfig(config: ResourceConfig, overrides: ReadonlyMap<string, string>, registry: GroupVersionRegistry): void {
  for (const key of MATCHER_KEYS) {
    const value = overrides.get(key);
    if (value === undefined) continue;
    if (value !== 'true' && value !== 'false') throw new Error(`invalid value ${key}=${value}`);
    config.setMatchingVersions(MATCHERS[key] as (v: string) => boolean, value === 'true');
  }
  const versionPrefs: { group: string; version: string; enabled: boolean }[] = [];
  const resourcePrefs: { group: string; version: string; resource: string; enabled: boolean }[] = [];
  for (const [key, value] of overrides) {
    if (MATCHER_KEYS.includes(key)) continue;
    const parsed = splitKey(key);
    if (!parsed || !registry.isGroupRegistered(parsed.group)) continue;
    if (!registry.isVersionRegistered(parsed.group, parsed.version)) {
      throw new Error(`group version ${gvString(parsed.group, parsed.version)} that has not been registered`);
    }
    const enabled = runtimeConfigValue(key, value);
    if (parsed.resource === undefined) {
      versionPrefs.push({ group: parsed.group, version: parsed.version, enabled });
    } else {
      if (parsed.resource.toLowerCase() !== parsed.resource) {
        throw new Error(`invalid key ${key}: group/version/resource and resource is always lowercase plural, not ${JSON.stringify(parsed.resource)}`);
      }
      resourcePrefs.push({ ...parsed, resource: parsed.resource, enabled });
    }
  }
  for (const p of versionPrefs) config.setVersion(p.group, p.version, p.enabled);
  for (const p of resourcePrefs) config.setResource(p.group, p.version, p.resource, p.enabled);
}

/**
 * Merges folded overrides into the defaults of a manifest and returns the resulting ResourceConfig;
 * throws ProfileError `ERR_RUNTIME_CONFIG` (flag `runtime-config`) with mergeRuntimeConfig's message.
 */
export function applyRuntimeConfig(manifest: VersionManifest, overrides: ReadonlyMap<string, string>, registry: GroupVersionRegistry): ResourceConfig {
  const config = ResourceConfig.defaults(manifest);
  try {
    mergeRuntimeConfig(config, overrides, registry);
  } catch (err) {
    throw new ProfileError('ERR_RUNTIME_CONFIG', (err as Error).message, { flag: 'runtime-config' });
  }
  return config;
}

/**
 * Runs the whole `--runtime-config` pipeline for a manifest: parse, fold the core keys, validate,
 * merge into the defaults. Throws ProfileError `ERR_RUNTIME_CONFIG` (flag `runtime-config`) with
 * kube-apiserver's message; several validation errors are joined as `[a, b]`.
 */
export function resolveRuntimeConfig(manifest: VersionManifest, flagValue: string | undefined, ctx: RuntimeConfigContext): ResourceConfig {
  const overrides = foldLegacyCoreKeys(parseRuntimeConfigFlag(flagValue));
  const problems = validateRuntimeConfig(overrides, ctx);
  if (problems.length > 0) {
    throw new ProfileError('ERR_RUNTIME_CONFIG', aggregateMessage(problems), { flag: 'runtime-config', details: problems });
  }
  return applyRuntimeConfig(manifest, overrides, ctx.registry);
}
