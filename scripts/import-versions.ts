/**
 * Imports the reference data of every minor into versions/manifests/<minor>.json in the
 * VersionManifest shape. A minor's two source files, a reference manifest and a defaults file, come
 * from the project's own versions/reference/<minor>/ (manifest.json, defaults.json) when they exist,
 * else from the shared reference data (k8s-reference/manifests/<minor>.json and
 * defaults/<minor>.json). Every minor found in either place is imported, so adding a minor is
 * putting its two files into versions/reference/<minor>/ and running:
 *
 *   node dist/scripts/import-versions.js [refdir]
 *
 * refdir defaults to ../shared/k8s-reference relative to the repository root. The output is
 * deterministic: fixed key order, 1-space indent, trailing newline.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  GroupManifest,
  GroupVersionManifest,
  ResourceManifest,
  SubresourceManifest,
  VersionManifest,
} from '../versions/types.js';
import { compareVersionPriority, stabilityOf } from '../versions/version-order.js';

/** A subresource as the reference data spells it. */
interface RefSubresource {
  name: string;
  kind: string;
  verbs: string[];
  groupVersion?: string;
}

/** A resource as the reference data spells it. */
interface RefResource {
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: RefSubresource[];
  enabledByDefault?: boolean;
}

/** A group/version as the reference data spells it. */
interface RefVersion {
  version: string;
  stability: 'ga' | 'beta' | 'alpha';
  enabledByDefault: boolean;
  resources: RefResource[];
}

/** One reference manifest file. */
export interface RefManifest {
  minor: string;
  core: { group: ''; version: string; enabledByDefault: boolean; resources: RefResource[] };
  groups: { group: string; versions: RefVersion[] }[];
}

/** One reference defaults file. */
export interface RefDefaults {
  minor: string;
  enabledByDefaultGroupVersions: string[];
  legacyBetaResourcesEnabledByDefault: string[];
}

/** The repository root: the nearest directory above this module that holds package.json. */
function repoRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no package.json above this script)');
    dir = parent;
  }
  return dir;
}

/** Returns the default reference directory: ../shared/k8s-reference next to the repository. */
export function defaultReferenceDir(): string {
  return resolve(repoRoot(), '../shared/k8s-reference');
}

/** Returns the directory the manifests are written to: versions/manifests in the repository. */
export function defaultOutputDir(): string {
  return resolve(repoRoot(), 'versions/manifests');
}

/** Returns the project's own reference directory: versions/reference in the repository. */
export function projectReferenceDir(): string {
  return resolve(repoRoot(), 'versions/reference');
}

/** Where one minor's two source files are. */
export interface MinorSources {
  minor: string;
  manifest: string;
  defaults: string;
}

const MINOR_NAME = /^(\d+)\.(\d+)$/;

/** Orders `major.minor` strings numerically. */
function byMinor(a: string, b: string): number {
  const [amaj = 0, amin = 0] = a.split('.').map(Number);
  const [bmaj = 0, bmin = 0] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

/**
 * Lists every minor with reference data, oldest first, and where its files are: the project's
 * `<projectDir>/<minor>/{manifest,defaults}.json` win over the shared
 * `<refDir>/{manifests,defaults}/<minor>.json`. Throws when a minor has only one of the two files.
 */
export function referenceSources(refDir: string, projectDir: string = projectReferenceDir()): MinorSources[] {
  const found = new Map<string, MinorSources>();
  const sharedManifests = join(refDir, 'manifests');
  if (existsSync(sharedManifests)) {
    for (const name of readdirSync(sharedManifests)) {
      const minor = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (MINOR_NAME.test(minor)) found.set(minor, { minor, manifest: join(sharedManifests, name), defaults: join(refDir, 'defaults', name) });
    }
  }
  if (existsSync(projectDir)) {
    for (const minor of readdirSync(projectDir)) {
      if (!MINOR_NAME.test(minor)) continue;
      found.set(minor, { minor, manifest: join(projectDir, minor, 'manifest.json'), defaults: join(projectDir, minor, 'defaults.json') });
    }
  }
  const sources = [...found.values()].sort((a, b) => byMinor(a.minor, b.minor));
  for (const s of sources) {
    for (const path of [s.manifest, s.defaults]) if (!existsSync(path)) throw new Error(`${s.minor}: missing ${path}`);
  }
  return sources;
}

/** `group/version`, or the bare version for the core group. */
function gvKey(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Which GVs and resources are on by default according to a defaults file. */
function defaultsIndex(defaults: RefDefaults): { gvs: Set<string>; resources: Set<string> } {
  const gvs = new Set(defaults.enabledByDefaultGroupVersions.map((gv) => gv.split(' ')[0] as string));
  return { gvs, resources: new Set(defaults.legacyBetaResourcesEnabledByDefault) };
}

function convertSubresource(ref: RefSubresource): SubresourceManifest {
  const out: Omit<SubresourceManifest, 'verbs'> = { name: ref.name, kind: ref.kind };
  if (ref.groupVersion !== undefined) {
    const slash = ref.groupVersion.indexOf('/');
    out.group = slash < 0 ? '' : ref.groupVersion.slice(0, slash);
    out.version = slash < 0 ? ref.groupVersion : ref.groupVersion.slice(slash + 1);
  }
  return { ...out, verbs: [...ref.verbs] };
}

function convertResource(ref: RefResource, enabledByDefault: boolean, where: string): ResourceManifest {
  if (ref.enabledByDefault !== undefined && ref.enabledByDefault !== enabledByDefault) {
    throw new Error(`${where}/${ref.resource}: manifest says enabledByDefault=${ref.enabledByDefault}, defaults say ${enabledByDefault}`);
  }
  const base: Omit<ResourceManifest, 'enabledByDefault'> = {
    name: ref.resource,
    singularName: ref.singular,
    kind: ref.kind,
    namespaced: ref.namespaced,
    verbs: [...ref.verbs],
  };
  if (ref.shortNames?.length) base.shortNames = [...ref.shortNames];
  if (ref.categories?.length) base.categories = [...ref.categories];
  if (ref.subresources?.length) base.subresources = ref.subresources.map(convertSubresource);
  // Spread so that enabledByDefault comes last, in the key order of types.ts.
  return { ...base, enabledByDefault };
}

function convertVersion(group: string, ref: RefVersion, index: ReturnType<typeof defaultsIndex>): GroupVersionManifest {
  const gv = gvKey(group, ref.version);
  if (stabilityOf(ref.version) !== ref.stability) {
    throw new Error(`${gv}: stability ${ref.stability} does not match the version string`);
  }
  const resources = ref.resources.map((r) =>
    convertResource(r, index.gvs.has(gv) || index.resources.has(`${gv}/${r.resource}`), gv),
  );
  const enabledByDefault = resources.some((r) => r.enabledByDefault);
  if (enabledByDefault !== ref.enabledByDefault) {
    throw new Error(`${gv}: manifest says enabledByDefault=${ref.enabledByDefault}, defaults say ${enabledByDefault}`);
  }
  return { version: ref.version, stability: ref.stability, enabledByDefault, resources };
}

function convertGroup(group: string, versions: RefVersion[], index: ReturnType<typeof defaultsIndex>): GroupManifest {
  const sorted = [...versions].sort((a, b) => compareVersionPriority(a.version, b.version));
  return { group, versions: sorted.map((v) => convertVersion(group, v, index)) };
}

/**
 * Converts one minor's reference manifest and defaults into a VersionManifest: core group first,
 * then the reference's groups in their order, each group's versions in preference order, and
 * every enabledByDefault flag taken from the defaults file (and checked against the manifest's own
 * flag, throwing on disagreement).
 */
export function buildManifest(ref: RefManifest, defaults: RefDefaults): VersionManifest {
  if (ref.minor !== defaults.minor) throw new Error(`manifest ${ref.minor} paired with defaults ${defaults.minor}`);
  const index = defaultsIndex(defaults);
  const core: RefVersion = {
    version: ref.core.version,
    stability: 'ga',
    enabledByDefault: ref.core.enabledByDefault,
    resources: ref.core.resources,
  };
  return {
    minor: ref.minor,
    groups: [convertGroup('', [core], index), ...ref.groups.map((g) => convertGroup(g.group, g.versions, index))],
  };
}

/** Serializes a manifest deterministically: insertion key order, 1-space indent, trailing newline. */
export function serializeManifest(manifest: VersionManifest): string {
  return `${JSON.stringify(manifest, null, 1)}\n`;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/**
 * Renders every minor of {@link referenceSources} (the shared refDir plus the project's own
 * reference data); returns file name → file content without writing anything (the tests compare
 * this with the committed files).
 */
export function renderManifests(refDir: string, projectDir: string = projectReferenceDir()): Map<string, string> {
  const files = new Map<string, string>();
  for (const { minor, manifest, defaults } of referenceSources(refDir, projectDir)) {
    const ref = readJson<RefManifest>(manifest);
    const defs = readJson<RefDefaults>(defaults);
    if (ref.minor !== minor) throw new Error(`${manifest} holds ${ref.minor}, not ${minor}`);
    files.set(`${minor}.json`, serializeManifest(buildManifest(ref, defs)));
  }
  return files;
}

/** Renders every minor with reference data and writes them into outDir; returns the paths written. */
export function importVersions(refDir: string, outDir: string, projectDir: string = projectReferenceDir()): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of renderManifests(refDir, projectDir)) {
    const path = join(outDir, name);
    writeFileSync(path, content);
    written.push(path);
  }
  return written;
}

function main(argv: string[]): void {
  const refDir = resolve(argv[0] ?? defaultReferenceDir());
  for (const path of importVersions(refDir, defaultOutputDir())) console.log(`wrote ${path}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`import-versions: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
