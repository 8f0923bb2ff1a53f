/**
 * Invalid object names, namespaces, generateNames, labels and annotations, in bodies and in paths:
 * upper case, 254 and 300 characters, slashes, dots, spaces, NUL, non-ASCII; label keys and values
 * too long or with bad characters; annotations past 256 KiB; a body namespace or name that
 * disagrees with the path.
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { FUZZ_NAMESPACE } from '../case.js';
import { pickTarget, TARGET_PATH } from './targets.js';

/** Names no DNS-1123 subdomain or label accepts. */
export function badNames(rng: Rng): string[] {
  return [
    'UPPER',
    'MixedCase',
    'a'.repeat(254),
    'a'.repeat(300),
    `a${'.b'.repeat(rng.int(130, 200))}`,
    'a'.repeat(64),
    'a/b',
    'a\\b',
    '.',
    '..',
    '-leading',
    'trailing-',
    '.leading-dot',
    'a..b',
    'a_b',
    'a b',
    'a\u0000b',
    'a\nb',
    'é',
    '日本',
    'a%2fb',
    'a:b',
    'a@b',
    '',
    ' ',
    'x'.repeat(rng.size(100_000)),
  ];
}

const BAD_LABEL_KEYS = ['', '/', 'a/', '/a', 'a/b/c', 'UPPER/x', `${'p'.repeat(254)}/x`, 'x'.repeat(64), '-a', 'a-', 'a b', 'é', 'a\u0000', 'kubernetes.io/', '.a'];
const BAD_LABEL_VALUES = ['x'.repeat(64), '-a', 'a-', 'a b', 'a/b', 'é', 'a\u0000', '.', '_a', 'a\n'];

/** Generate one invalid-name case. */
export function namesCase(rng: Rng): FuzzCase {
  const variant = rng.weighted([
    [4, 'body-name'],
    [2, 'generate-name'],
    [3, 'label-key'],
    [2, 'label-value'],
    [1, 'annotation-size'],
    [2, 'namespace-mismatch'],
    [3, 'path-name'],
    [1, 'many-labels'],
  ] as const);
  const target = pickTarget(rng);
  const name = `fz-${rng.string(10)}`;
  const obj = target.object(name);
  const meta = obj.metadata as Record<string, unknown>;
  let method = 'POST';
  let path = target.collection;
  switch (variant) {
    case 'body-name':
      meta.name = rng.pick(badNames(rng));
      if (rng.chance(0.3)) {
        method = 'PUT';
        path = `${target.collection}/${encodeURIComponent(meta.name as string)}`;
      }
      break;
    case 'generate-name':
      delete meta.name;
      meta.generateName = rng.pick(['UPPER-', 'a/b-', 'x'.repeat(300), '', '-', '..', 'é-', 'a'.repeat(254)]);
      break;
    case 'label-key':
      meta.labels = { [rng.pick(BAD_LABEL_KEYS)]: 'v' };
      break;
    case 'label-value':
      meta.labels = { app: rng.pick(BAD_LABEL_VALUES) };
      break;
    case 'annotation-size':
      meta.annotations = { big: 'x'.repeat(rng.pick([256 * 1024, 300 * 1024, 1024 * 1024])) };
      break;
    case 'namespace-mismatch':
      if (target.namespaced) meta.namespace = rng.pick(['other', 'UPPER', 'kube-system', '', 'a/b']);
      else meta.namespace = FUZZ_NAMESPACE; // a namespace on a cluster-scoped object is dropped, so also break its name
      if (!target.namespaced) meta.name = rng.pick(badNames(rng));
      if (rng.chance(0.3)) {
        method = 'PUT';
        path = TARGET_PATH;
        obj.kind = 'ConfigMap';
        obj.apiVersion = 'v1';
        meta.name = rng.pick(['other-name', 'UPPER', '']);
      }
      break;
    case 'path-name': {
      method = rng.pick(['GET', 'DELETE', 'PUT', 'PATCH']);
      const bad = rng.pick(badNames(rng)).replace(/\u0000/g, '%00');
      path = `${target.collection}/${rng.chance(0.5) ? encodeURIComponent(bad) : bad.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c))}`;
      meta.name = bad;
      break;
    }
    case 'many-labels': {
      const n = rng.pick([1000, 10_000]);
      meta.labels = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, rng.chance(0.01) ? 'BAD VALUE' : 'v']));
      break;
    }
  }
  const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  const body = method === 'GET' || method === 'DELETE' ? undefined : Buffer.from(JSON.stringify(obj), 'utf8');
  return { category: 'names-labels', variant: `names-${variant}`, method, path, headers: body ? { 'content-type': contentType } : {}, ...(body ? { body } : {}) };
}
