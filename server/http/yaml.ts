/**
 * Decoding one YAML document from a request body without trusting it: too-deep nesting is refused
 * before the (recursive) composer runs, an anchor whose value contains its own alias is refused as
 * go-yaml refuses it (`anchor 'a' value contains itself`) instead of becoming a circular object, and
 * alias expansion is bounded (billion laughs) with go-yaml's `document contains excessive aliasing`.
 * Errors carry go-yaml's texts, without the `yaml: ` prefix callers add their own context to.
 */
import { isAlias, isNode, parseDocument, visit, type Alias, type Document } from 'yaml';
import { yamlNestingExceeds } from './nesting.js';

/** A YAML body that cannot be decoded; `message` is go-yaml's text. */
export class YamlDecodeError extends Error {
  constructor(
    message: string,
    /** True when the document nests too deeply (callers report it as upstream's JSON depth error). */
    readonly tooDeep = false,
  ) {
    super(message);
    this.name = 'YamlDecodeError';
  }
}

/** Alias nodes resolved per document, as the YAML library counts them; past it, the expansion is refused. */
export const MAX_ALIAS_COUNT = 100;

/**
 * The first alias that sits inside the node it refers to, if any. One pass in document order: an
 * alias refers to the latest node anchored with its name before it.
 */
export function selfReferencingAlias(doc: Document): Alias | undefined {
  const anchors = new Map<string, unknown>();
  let found: Alias | undefined;
  visit(doc, (_key, node, path) => {
    if (isAlias(node)) {
      if (path.includes(anchors.get(node.source) as never)) {
        found = node;
        return visit.BREAK;
      }
    } else if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
    return undefined;
  });
  return found;
}

/** Decode YAML `text` (one document) into a plain value. Throws YamlDecodeError. */
export function decodeYaml(text: string, opts: { uniqueKeys: boolean }): unknown {
  if (yamlNestingExceeds(text)) throw new YamlDecodeError('exceeded max depth', true);
  const doc = parseDocument(text, { strict: true, uniqueKeys: opts.uniqueKeys });
  const error = doc.errors[0];
  if (error) throw new YamlDecodeError(error.message.split('\n')[0]!);
  const alias = selfReferencingAlias(doc);
  if (alias !== undefined) throw new YamlDecodeError(`yaml: anchor '${alias.source}' value contains itself`);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (/alias count/i.test((err as Error).message)) throw new YamlDecodeError('yaml: document contains excessive aliasing');
    throw new YamlDecodeError((err as Error).message.split('\n')[0]!);
  }
}
