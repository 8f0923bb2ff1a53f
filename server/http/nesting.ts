/**
 * How deeply a request body may nest. Go's JSON decoder refuses documents nested more than 10,000
 * levels (`exceeded max depth`); kube-skew's decoders and walkers (the YAML composer, field
 * validation, merge and apply) recurse, and a JavaScript stack overflows well before 10,000 levels,
 * so kube-skew refuses bodies nested deeper than {@link MAX_NESTING_DEPTH} with the same 400 and
 * message upstream gives past its own limit. Real objects nest a few dozen levels. Both checks are
 * iterative: they never recurse, whatever the input.
 */
import { Lexer, Parser } from 'yaml';

/** The deepest nesting of objects and arrays a body may have (upstream: 10,000). */
export const MAX_NESTING_DEPTH = 500;

/** True when JSON `text` nests objects and arrays more than `limit` levels (strings are skipped; malformed text is the parser's to report). */
export function jsonNestingExceeds(text: string, limit = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

/**
 * True when YAML `text` nests collections (block or flow) more than `limit` levels. Measured on the
 * YAML library's concrete syntax tree, whose parser keeps an explicit stack (the composer that
 * builds documents from it is the recursive part); stops as soon as the limit is passed.
 */
export function yamlNestingExceeds(text: string, limit = MAX_NESTING_DEPTH): boolean {
  const lexer = new Lexer();
  const parser = new Parser();
  for (const lexeme of lexer.lex(text)) {
    for (const _token of parser.next(lexeme)) {
      /* documents are not needed, only the depth */
    }
    // The stack holds the document, then one entry per open collection.
    if (parser.stack.length > limit + 1) return true;
  }
  return false;
}
