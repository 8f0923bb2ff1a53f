/**
 * The case stream: one category at a time by weight, each drawn by its generator from the same
 * seeded source, so a seed names one exact sequence of requests.
 */
import type { Rng } from '../rng.js';
import type { Category, FuzzCase } from '../case.js';
import { pathCase } from './paths.js';
import { jsonCase } from './json.js';
import { yamlCase } from './yaml.js';
import { protobufCase } from './protobuf.js';
import { contentTypeCase } from './content-types.js';
import { namesCase } from './names.js';
import { selectorCase } from './selectors.js';
import { listParamsCase } from './list-params.js';
import { headerCase } from './headers.js';
import { methodCase } from './methods.js';
import { cancelCase } from './cancel.js';

const GENERATORS: ReadonlyArray<readonly [number, (rng: Rng) => FuzzCase, Category]> = [
  [14, pathCase, 'paths'],
  [12, jsonCase, 'json'],
  [8, yamlCase, 'yaml'],
  [8, protobufCase, 'protobuf'],
  [8, contentTypeCase, 'content-types'],
  [10, namesCase, 'names-labels'],
  [10, selectorCase, 'selectors'],
  [12, listParamsCase, 'list-params'],
  [10, headerCase, 'headers'],
  [8, methodCase, 'methods'],
  [8, cancelCase, 'cancel'],
];

/** The next case from `rng`. */
export function nextCase(rng: Rng): FuzzCase {
  const generate = rng.weighted(GENERATORS.map(([w, g]) => [w, g] as const));
  return generate(rng);
}
