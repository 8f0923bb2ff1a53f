/**
 * Kubernetes' format library (k8s.io/apiserver/pkg/cel/library/format.go): `format.<name>()` and
 * `format.named(name)` give a `kubernetes.NamedFormat`, whose `validate(s)` is optional.none() for a
 * valid string and otherwise the list of upstream's validation messages. kube-skew represents
 * optional.none() as null (see the optional methods in env.ts).
 */
import { CelScalar, celFunc, celMethod } from '@bufbuild/cel';
import { fn, method } from '../overloads.js';
import { expectOpaque, wrapOpaque } from '../opaque.js';
import { STRING, list, opaque, optional } from '../types.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../validation.js';
import type { CelLibraryImpl } from './library.js';
import { parseRequestUri } from './request-uri.js';

const NAME = 'kubernetes.NamedFormat';
const FORMAT_T = opaque(NAME);

/** apimachinery's maskTrailingDash, which NameIs…(s, prefix=true) applies first. */
function maskTrailingDash(s: string): string {
  return s.length > 1 && s.endsWith('-') ? `${s.slice(0, -2)}a` : s;
}

const unless = (ok: boolean, message: string): string[] => (ok ? [] : [message]);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$/;

/** The named formats and their validators, by the names format.<name>() uses. */
const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label: (s) => isDNS1123Label(s),
  dns1123Subdomain: (s) => isDNS1123Subdomain(s),
  dns1035Label: (s) => isDNS1035Label(s),
  qualifiedName: (s) => isQualifiedName(s),
  dns1123LabelPrefix: (s) => isDNS1123Label(maskTrailingDash(s)),
  dns1123SubdomainPrefix: (s) => isDNS1123Subdomain(maskTrailingDash(s)),
  dns1035LabelPrefix: (s) => isDNS1035Label(maskTrailingDash(s)),
  labelValue: (s) => isValidLabelValue(s),
  uri: (s) => {
    try {
      parseRequestUri(s);
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  },
  uuid: (s) => unless(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s), 'does not match the UUID format'),
  byte: (s) => unless(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s), 'invalid base64'),
  date: (s) => unless(/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'invalid date'),
  datetime: (s) => unless(DATE_TIME.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))), 'invalid datetime'),
};

const wrapFormat = (name: string) => wrapOpaque(NAME, name, FORMATS[name]!);

/** The format library. */
export const FORMAT_LIB: CelLibraryImpl = {
  decls: [
    ...Object.keys(FORMATS).map((name) => fn(`format.${name}`, [], FORMAT_T)),
    fn('format.named', [STRING], optional(FORMAT_T)),
    method('validate', FORMAT_T, [STRING], optional(list(STRING))),
  ],
  funcs: [
    ...Object.keys(FORMATS).map((name) => celFunc(`format.${name}`, [], CelScalar.DYN, () => wrapFormat(name) as never)),
    celFunc('format.named', [CelScalar.STRING], CelScalar.DYN, (name) => (Object.hasOwn(FORMATS, name) ? wrapFormat(name) : null) as never),
    celMethod('validate', CelScalar.DYN, [CelScalar.STRING], CelScalar.DYN, function (s) {
      const errors = expectOpaque<(s: string) => string[]>(this, NAME)(s);
      return (errors.length === 0 ? null : errors) as never;
    }),
  ],
};
