/**
 * Reads the `enum` string fields of one Kubernetes release from `kubernetes-models`'s generated
 * declarations, for scripts/import-openapi.ts. kubernetes-models generates them from upstream's
 * OpenAPI v3 documents (`api/openapi-spec/v3`), which keep what the OpenAPIEnums generator adds: a
 * `+enum` field's type is the union of its values (`"Cluster" | "Local"`, or `Array<…>` for a list
 * of them) and its JSDoc is upstream's description with the `Possible enum values:` paragraph.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One enum field as upstream's v3 document has it. */
export interface EnumField {
  /** The values, in the order upstream lists them (sorted). */
  values: string[];
  /** The enum is on the list's items (`ipFamilies`), whose description has no paragraph. */
  items: boolean;
  /** The ` - \`"<value>"\` <text>` lines after `Possible enum values:`; empty when there is no paragraph. */
  lines: string[];
}

/** A definition name squashed for matching kubernetes-models' `IoK8sApiCoreV1PodSpec` aliases. */
export function squash(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'node_modules' && entry !== '_schemas') filesUnder(path, out);
    } else if (entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const UNION = /^"[^"]*"(?: \| "[^"]*")*$/;

function valuesOf(union: string): string[] {
  return [...union.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
}

/**
 * Every enum field of the package: squashed definition name (see {@link squash}), then field.
 * `apiVersion` and `kind`, typed as literals, are left out.
 */
export function readEnumFields(dir: string): Map<string, Map<string, EnumField>> {
  const out = new Map<string, Map<string, EnumField>>();
  for (const file of filesUnder(join(dir, 'package'))) {
    const text = readFileSync(file, 'utf8');
    const alias = /export (?:type )?\{ I(\w+) as I(\w+),/.exec(text);
    if (!alias) continue;
    const body = new RegExp(`export interface I${alias[1]}(?: extends [\\w, ]+)? \\{\\n([\\s\\S]*?)\\n\\}`).exec(text);
    if (!body) continue;
    const fields = new Map<string, EnumField>();
    const fieldRe = /(?: {4}\/\*\*\n((?: {5}\*.*\n)*?) {5}\*\/\n)? {4}"([^"]+)"\??: (.*);\n/g;
    for (const m of body[1]!.concat('\n').matchAll(fieldRe)) {
      const [, doc, name, type] = m as unknown as [string, string | undefined, string, string];
      if (name === 'apiVersion' || name === 'kind') continue;
      const arrayOf = /^Array<(.*)>$/.exec(type);
      const union = arrayOf ? arrayOf[1]! : type;
      if (!UNION.test(union)) continue;
      const docLines = (doc ?? '').split('\n').map((l) => l.replace(/^ {5}\* ?/, ''));
      const at = docLines.indexOf('Possible enum values:');
      const lines = at < 0 ? [] : docLines.slice(at + 1).filter((l) => l.startsWith(' - '));
      fields.set(name, { values: valuesOf(union), items: arrayOf !== null, lines });
    }
    if (fields.size) out.set(squash(alias[2]!), fields);
  }
  return out;
}

/**
 * The fields that have an enum in one release, read from `kubernetes-types`' declarations of it
 * (generated from upstream's `swagger.json`): with OpenAPIEnums off, kube-openapi still ends an
 * enum field's description with the blank line before the `Possible enum values:` paragraph it
 * then drops, so the JSDoc of such a field ends in two empty lines. Gives squashed definition
 * name (see {@link squash}) and field, `<squashed>.<field>`; lists of enum values are not marked.
 */
export function readEnumMarkers(dir: string): Set<string> {
  const out = new Set<string>();
  const root = join(dir, 'package');
  for (const file of filesUnder(root)) {
    const rel = file.slice(root.length + 1, -'.d.ts'.length);
    const text = readFileSync(file, 'utf8');
    for (const iface of text.matchAll(/export interface (\w+) \{\n([\s\S]*?)\n\}/g)) {
      for (const f of `${iface[2]}\n`.matchAll(/ {4}\/\*\*\n((?: {5}\*.*\n)*?) {5}\*\/\n {4}(\w+)\??:/g)) {
        const lines = f[1]!.trimEnd().split('\n');
        if (lines.length >= 3 && lines[lines.length - 1]!.trim() === '*' && lines[lines.length - 2]!.trim() === '*') {
          out.add(`${squash(`io.k8s.api.${rel}.${iface[1]}`)}.${f[2]}`);
        }
      }
    }
  }
  return out;
}
