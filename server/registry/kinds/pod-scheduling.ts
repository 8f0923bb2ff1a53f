/**
 * The scheduling fields of a pod spec, after pkg/apis/core/validation's `validateAffinity` (node
 * selector terms and their operators, preferred-term and pod-affinity weights 1..100, label and
 * namespace selectors, namespaces, matchLabelKeys/mismatchLabelKeys, topologyKey required),
 * `ValidateTolerations` (key, operator and value, effect, tolerationSeconds only with NoExecute) and
 * `validateTopologySpreadConstraints` (maxSkew > 0, topologyKey, whenUnsatisfiable, no repeated
 * {topologyKey, whenUnsatisfiable}, minDomains, node inclusion policies, matchLabelKeys, the label
 * selector).
 */
import type { FieldError } from '../../errors/status.js';
import { isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from '../validation.js';
import { validateLabelName, validateLabelSelector } from './label-selector.js';
import { arr, duplicate, forbidden, invalid, invalidEach, notSupported, obj, required, str } from './field.js';

type Rec = Record<string, unknown>;

function has(o: Rec, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

/** `ValidateNodeSelectorRequirement`. */
function validateNodeSelectorRequirement(rq: Rec, allowInvalidValues: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq['values']);
  switch (rq['operator']) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(`${field}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${field}.operator`, str(rq['operator']), 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(rq['key']), `${field}.key`));
  if (!allowInvalidValues) values.forEach((v, i) => errs.push(...invalidEach(`${field}.values[${i}]`, str(v), isValidLabelValue(str(v)))));
  return errs;
}

/** `ValidateNodeFieldSelectorRequirement`: only `metadata.name`, In/NotIn with one node name. */
function validateNodeFieldSelectorRequirement(rq: Rec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq['values']);
  if (rq['operator'] === 'In' || rq['operator'] === 'NotIn') {
    if (values.length !== 1) errs.push(required(`${field}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(invalid(`${field}.operator`, str(rq['operator']), 'not a valid selector operator'));
  }
  if (str(rq['key']) !== 'metadata.name') errs.push(invalid(`${field}.key`, str(rq['key']), 'not a valid field selector key'));
  else values.forEach((v, i) => errs.push(...invalidEach(`${field}.values[${i}]`, str(v), nameIsDNSSubdomain(str(v), false))));
  return errs;
}

function validateNodeSelectorTerm(term: Rec, allowInvalidValues: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(term['matchExpressions']).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(obj(r), allowInvalidValues, `${field}.matchExpressions[${j}]`)));
  arr(term['matchFields']).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(obj(r), `${field}.matchFields[${j}]`)));
  return errs;
}

function weightError(w: unknown, field: string): FieldError[] {
  const n = typeof w === 'number' ? w : 0;
  return n <= 0 || n > 100 ? [invalid(field, n, 'must be in the range 1-100')] : [];
}

function validateNodeAffinity(na: Rec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (has(na, 'requiredDuringSchedulingIgnoredDuringExecution')) {
    const at = `${field}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
    const terms = arr(obj(na['requiredDuringSchedulingIgnoredDuringExecution'])['nodeSelectorTerms']);
    if (terms.length === 0) errs.push(required(at, 'must have at least one node selector term'));
    terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(obj(t), false, `${at}[${i}]`)));
  }
  arr(na['preferredDuringSchedulingIgnoredDuringExecution']).forEach((t, i) => {
    const at = `${field}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    const term = obj(t);
    errs.push(...weightError(term['weight'], `${at}.weight`));
    // Upstream always allows invalid label values in preferred terms.
    errs.push(...validateNodeSelectorTerm(obj(term['preference']), true, `${at}.preference`));
  });
  return errs;
}

/** `validateMatchLabelKeysAndMismatchLabelKeys` of a pod affinity term. */
function validateAffinityLabelKeys(term: Rec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const selector = term['labelSelector'];
  const match = arr(term['matchLabelKeys']).map(str);
  const mismatch = arr(term['mismatchLabelKeys']).map(str);
  for (const [key, keys] of [['matchLabelKeys', match], ['mismatchLabelKeys', mismatch]] as const) {
    if (keys.length === 0) continue;
    if (selector === undefined || selector === null) errs.push(forbidden(`${field}.${key}`, 'must not be specified when labelSelector is not set'));
    else keys.forEach((k, i) => errs.push(...validateLabelName(k, `${field}.${key}[${i}]`)));
  }
  if (selector !== undefined && selector !== null) {
    const s = obj(selector);
    const index = new Map(match.map((k, i) => [k, i]));
    const seen = new Set(Object.keys(obj(s['matchLabels'])));
    for (const e of arr(s['matchExpressions']).map(obj)) {
      const key = str(e['key']);
      const i = index.get(key);
      // Upstream reports these at the term's own path, indexed (a quirk kept as is).
      if (i !== undefined && seen.has(key)) errs.push(invalid(`${field}[${i}]`, key, 'exists in both matchLabelKeys and labelSelector'));
      seen.add(key);
    }
  }
  const mismatchSet = new Set(mismatch);
  match.forEach((k, i) => {
    if (mismatchSet.has(k)) errs.push(invalid(`${field}.matchLabelKeys[${i}]`, k, 'exists in both matchLabelKeys and mismatchLabelKeys'));
  });
  return errs;
}

function validatePodAffinityTerm(term: Rec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(term['labelSelector'], `${field}.labelSelector`));
  errs.push(...validateLabelSelector(term['namespaceSelector'], `${field}.namespaceSelector`));
  for (const ns of arr(term['namespaces']).map(str)) errs.push(...invalidEach(`${field}.namespace`, ns, nameIsDNSLabel(ns, false)));
  errs.push(...validateAffinityLabelKeys(term, field));
  const key = str(term['topologyKey']);
  if (!key) errs.push(required(`${field}.topologyKey`, 'can not be empty'));
  errs.push(...validateLabelName(key, `${field}.topologyKey`));
  return errs;
}

function validatePodAffinity(pa: Rec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(pa['requiredDuringSchedulingIgnoredDuringExecution']).forEach((t, i) => {
    errs.push(...validatePodAffinityTerm(obj(t), `${field}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
  });
  arr(pa['preferredDuringSchedulingIgnoredDuringExecution']).forEach((t, i) => {
    const at = `${field}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    const w = obj(t);
    errs.push(...weightError(w['weight'], `${at}.weight`));
    errs.push(...validatePodAffinityTerm(obj(w['podAffinityTerm']), `${at}.podAffinityTerm`));
  });
  return errs;
}

/** `validateAffinity`. */
export function validateAffinity(spec: Rec, path: string): FieldError[] {
  if (!has(spec, 'affinity')) return [];
  const a = obj(spec['affinity']);
  const at = `${path}.affinity`;
  const errs: FieldError[] = [];
  if (has(a, 'nodeAffinity')) errs.push(...validateNodeAffinity(obj(a['nodeAffinity']), `${at}.nodeAffinity`));
  if (has(a, 'podAffinity')) errs.push(...validatePodAffinity(obj(a['podAffinity']), `${at}.podAffinity`));
  if (has(a, 'podAntiAffinity')) errs.push(...validatePodAffinity(obj(a['podAntiAffinity']), `${at}.podAntiAffinity`));
  return errs;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** `ValidateTolerations`. */
export function validateTolerations(tolerations: unknown[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.map(obj).forEach((t, i) => {
    const at = `${field}[${i}]`;
    const key = str(t['key']);
    const op = str(t['operator']);
    const value = str(t['value']);
    const effect = str(t['effect']);
    if (key) errs.push(...validateLabelName(key, `${at}.key`));
    if (!key && op !== 'Exists') errs.push(invalid(`${at}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (has(t, 'tolerationSeconds') && effect !== 'NoExecute') errs.push(invalid(`${at}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(invalid(`${at}.operator`, value, msgs.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(invalid(`${at}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${at}.operator`, op, ['Equal', 'Exists']));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(notSupported(`${at}.effect`, effect, TAINT_EFFECTS));
  });
  return errs;
}

/** What topology spread validation takes from the serving minor. */
export interface TopologySpreadOptions {
  /** Skip the label selector check (kept for objects stored before it existed). */
  allowInvalidLabelSelector?: boolean;
}

/** `validateTopologySpreadConstraints`. */
export function validateTopologySpreadConstraints(constraints: unknown[], field: string, opts: TopologySpreadOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const list = constraints.map(obj);
  list.forEach((c, i) => {
    const at = `${field}[${i}]`;
    const maxSkew = typeof c['maxSkew'] === 'number' ? c['maxSkew'] : 0;
    if (maxSkew <= 0) errs.push(invalid(`${at}.maxSkew`, maxSkew, 'must be greater than zero'));
    const key = str(c['topologyKey']);
    if (!key) errs.push(required(`${at}.topologyKey`, 'can not be empty'));
    const action = str(c['whenUnsatisfiable']);
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(action)) errs.push(notSupported(`${at}.whenUnsatisfiable`, action, ['DoNotSchedule', 'ScheduleAnyway']));
    if (list.slice(i + 1).some((o) => str(o['topologyKey']) === key && str(o['whenUnsatisfiable']) === action)) {
      errs.push(duplicate(`${at}.{topologyKey, whenUnsatisfiable}`, `{${key}, ${action}}`));
    }
    if (has(c, 'minDomains')) {
      const md = typeof c['minDomains'] === 'number' ? c['minDomains'] : 0;
      if (md <= 0) errs.push(invalid(`${at}.minDomains`, md, 'must be greater than zero'));
      if (action !== 'DoNotSchedule') errs.push(invalid(`${at}.minDomains`, md, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`));
    }
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (has(c, policy) && !['Honor', 'Ignore'].includes(str(c[policy]))) errs.push(notSupported(`${at}.${policy}`, str(c[policy]), ['Honor', 'Ignore']));
    }
    const matchLabelKeys = arr(c['matchLabelKeys']).map(str);
    if (matchLabelKeys.length > 0) {
      const selector = c['labelSelector'];
      const keys = new Set<string>();
      if (selector === undefined || selector === null) errs.push(forbidden(`${at}.matchLabelKeys`, 'must not be specified when labelSelector is not set'));
      else {
        for (const k of Object.keys(obj(obj(selector)['matchLabels']))) keys.add(k);
        for (const e of arr(obj(selector)['matchExpressions']).map(obj)) keys.add(str(e['key']));
      }
      matchLabelKeys.forEach((k, j) => {
        errs.push(...validateLabelName(k, `${at}.matchLabelKeys[${j}]`));
        if (keys.has(k)) errs.push(invalid(`${at}.matchLabelKeys[${j}]`, k, 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    if (!opts.allowInvalidLabelSelector) errs.push(...validateLabelSelector(c['labelSelector'], `${at}.labelSelector`));
  });
  return errs;
}
