/**
 * Label and field selectors no parser accepts, or that no object can match: unbalanced sets,
 * doubled operators, unsupported fields, huge and deeply repeated terms. Sent on lists, watches and
 * deletecollections (those only on Secrets, so a selector that does match cannot empty the
 * ConfigMaps the other generators aim at).
 */
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { FUZZ_NAMESPACE } from '../case.js';

const LABEL_SELECTORS = [
  'a in (',
  'a in ()',
  'a notin ()',
  'a in (b,,c)',
  'in (a)',
  '!',
  '!!a',
  '!a=b',
  'a=b=c',
  'a==b==c',
  'a!=',
  '=b',
  '==',
  ',,,',
  'a,',
  ',a',
  'a b',
  'a=b c',
  'a>',
  'a>b',
  'a<1.5',
  'a>99999999999999999999',
  'a gt 1',
  'UPPER/x=y',
  `${'k'.repeat(64)}=v`,
  `a=${'v'.repeat(64)}`,
  'a=é',
  'a=\u0000',
  '(a=b)',
  'a in (b',
  'a in b)',
  'a=b,a!=b',
  'a,!a',
  'a in (x),a notin (x)',
  'app=fuzz,app=other',
  'app=fuzz,!app',
];

const FIELD_SELECTORS = [
  'metadata.name',
  'metadata.name=',
  'metadata.name==',
  'metadata.name=a=b',
  'metadata.name!=',
  'metadata.name in (a)',
  'spec.foo=bar',
  'status.phase=Running',
  'metadata.labels=x',
  'metadata.uid=x',
  'a.b.c.d.e=f',
  '=x',
  ',',
  'metadata.name=a,metadata.name=b',
  'metadata.name=a,metadata.name!=a',
  'metadata.namespace=other',
  'metadata.name=\\',
  'metadata.name=a\\,b',
  'metadata.name=a\\',
  'metadata.name=a\\x',
  'metadata.name=é',
  'metadata.name=UPPER/..',
  'metadata.name=%2e%2e',
  'type=kubernetes.io/service-account-token',
];

function repeated(rng: Rng): string {
  const n = rng.pick([100, 1000, 10_000, 50_000]);
  return rng.chance(0.5)
    ? Array.from({ length: n }, (_, i) => `k${i}=v`).join(',')
    : `a in (${Array.from({ length: n }, (_, i) => `v${i}`).join(',')})`;
}

/** Generate one hostile-selector case. */
export function selectorCase(rng: Rng): FuzzCase {
  const resource = rng.pick([
    `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps`,
    `/api/v1/namespaces/${FUZZ_NAMESPACE}/secrets`,
    `/api/v1/namespaces/${FUZZ_NAMESPACE}/pods`,
    '/api/v1/namespaces',
    '/api/v1/configmaps',
    `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/deployments`,
  ]);
  const params = new URLSearchParams();
  const which = rng.pick(['label', 'field', 'both'] as const);
  if (which !== 'field') params.set('labelSelector', rng.chance(0.15) ? repeated(rng) : rng.pick(LABEL_SELECTORS));
  if (which !== 'label') params.set('fieldSelector', rng.chance(0.1) ? repeated(rng).replace(/k(\d+)=/g, 'metadata.name$1=') : rng.pick(FIELD_SELECTORS));
  const mode = rng.weighted([
    [6, 'list'],
    [2, 'watch'],
    [1, 'deletecollection'],
  ] as const);
  if (mode === 'watch') {
    params.set('watch', '1');
    params.set('timeoutSeconds', '1');
  }
  const method = mode === 'deletecollection' ? 'DELETE' : 'GET';
  const path = mode === 'deletecollection' ? `/api/v1/namespaces/${FUZZ_NAMESPACE}/secrets` : resource;
  return { category: 'selectors', variant: `selector-${which}-${mode}`, method, path: `${path}?${params.toString()}`, headers: {}, stream: mode === 'watch' };
}
