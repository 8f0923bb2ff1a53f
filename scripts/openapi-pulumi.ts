/**
 * Reads the definitions of one Kubernetes release from `@pulumi/kubernetes`'s generated input types
 * (`types/input.d.ts`), for scripts/import-openapi.ts. Pulumi generates them from upstream's
 * `swagger.json` of one release: each `namespace <group> { namespace <version> { interface <Kind> {`
 * is a definition, with the definition's and each field's description as JSDoc, `?` on fields the
 * definition does not require, and TypeScript types without formats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One field of a declared definition. */
export interface DeclField {
  name: string;
  /** The TypeScript type with the `pulumi.Input<…>` wrappers removed (`string`, `Array<number>`, `inputs.core.v1.Pod`, …). */
  type: string;
  description?: string;
  required: boolean;
}

/** One declared definition. */
export interface DeclModel {
  description?: string;
  fields: DeclField[];
}

/** Namespaces that are Pulumi's own, not Kubernetes definitions. */
const NOT_KUBERNETES = new Set(['helm', 'kustomize', 'yaml', 'pkg', 'KubeClientSettings', 'HelmReleaseSettings']);

/** Strip `pulumi.Input<…>` wrappers and the line breaks of multi-line object types. */
function plainType(type: string): string {
  // Pulumi's own string enums (`string | enums.core.v1.ServiceSpecType`) are plain strings upstream;
  // from 4.3x every optional type also says `| undefined`.
  let out = type.replace(/\s+/g, ' ').replace(/ \| enums\.[\w.]+/g, '').replace(/ \| undefined\b/g, '').trim();
  for (let i = 0; i < 10 && out.includes('pulumi.Input<'); i++) out = out.replace(/pulumi\.Input<((?:[^<>]|<[^<>]*>)*)>/g, '$1');
  return out.replace(/\[\]$/, '').length !== out.length ? `Array<${out.slice(0, -2)}>` : out;
}

function docOf(lines: string[]): string {
  return lines
    .map((l) => l.replace(/^\s*\/\*\*\s?|\s*\*\/\s*$/g, '').replace(/^\s*\*\s?/, ''))
    .join('\n')
    .replace(/\*&#47;/g, '*/')
    .trim();
}

/**
 * Every definition of the package, by `<namespace path>.<Kind>` as Pulumi names it
 * (`core.v1.PodSpec`, `meta.v1.ObjectMeta`); `…Patch` twins are left out.
 */
export function readPulumiDecls(dir: string): Map<string, DeclModel> {
  const lines = readFileSync(join(dir, 'package', 'types', 'input.d.ts'), 'utf8').split('\n');
  const out = new Map<string, DeclModel>();
  let group = '';
  let version = '';
  let current: DeclModel | undefined;
  let doc: string[] | undefined;
  let pendingDoc: string | undefined;
  let pendingField: { name: string; required: boolean; type: string; depth: number } | undefined;
  for (const line of lines) {
    if (pendingField) {
      pendingField.type += ` ${line.trim()}`;
      pendingField.depth += (line.match(/[<{]/g) ?? []).length - (line.match(/[>}]/g) ?? []).length;
      if (pendingField.depth <= 0) {
        const field: DeclField = { name: pendingField.name, type: plainType(pendingField.type.replace(/;$/, '')), required: pendingField.required };
        if (pendingDoc) field.description = pendingDoc;
        current!.fields.push(field);
        pendingField = undefined;
        pendingDoc = undefined;
      }
      continue;
    }
    if (doc) {
      doc.push(line);
      if (line.includes('*/')) {
        pendingDoc = docOf(doc);
        doc = undefined;
      }
      continue;
    }
    if (/^\s*\/\*\*/.test(line)) {
      if (line.includes('*/')) pendingDoc = docOf([line]);
      else doc = [line];
      continue;
    }
    let m = /^export declare namespace (\w+) \{/.exec(line);
    if (m) {
      group = NOT_KUBERNETES.has(m[1]!) ? '' : m[1]!;
      version = '';
      pendingDoc = undefined;
      continue;
    }
    m = /^ {4}namespace (\w+) \{/.exec(line);
    if (m) {
      version = m[1]!;
      pendingDoc = undefined;
      continue;
    }
    m = /^ {8}interface (\w+) \{/.exec(line);
    if (m) {
      current = undefined;
      if (group && version && !m[1]!.endsWith('Patch')) {
        current = { fields: [] };
        if (pendingDoc) current.description = pendingDoc;
        out.set(`${group}.${version}.${m[1]}`, current);
      }
      pendingDoc = undefined;
      continue;
    }
    if (/^ {8}\}/.test(line)) {
      current = undefined;
      continue;
    }
    m = /^ {12}(\w+)(\?)?: (.*)$/.exec(line);
    if (m && current) {
      const rest = m[3]!;
      const depth = (rest.match(/[<{]/g) ?? []).length - (rest.match(/[>}]/g) ?? []).length;
      pendingField = { name: m[1]!, required: m[2] !== '?', type: rest, depth };
      if (depth <= 0) {
        const field: DeclField = { name: m[1]!, type: plainType(rest.replace(/;$/, '')), required: m[2] !== '?' };
        if (pendingDoc) field.description = pendingDoc;
        current.fields.push(field);
        pendingField = undefined;
        pendingDoc = undefined;
      }
      continue;
    }
    pendingDoc = undefined;
  }
  return out;
}
