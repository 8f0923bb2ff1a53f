/**
 * The pod templates of workloads, after pkg/apis/core/validation's `ValidatePodTemplateSpec` and
 * the template parts of pkg/apis/apps/validation (ReplicaSet, Deployment, StatefulSet, DaemonSet),
 * pkg/apis/batch/validation (Job, CronJob) and the core ReplicationController and PodTemplate
 * rules: template labels and annotations, the whole pod spec rule set at the template's path
 * (`spec.template.spec.containers[0].image`), no ephemeral containers, and per kind a present
 * selector matching the template labels, restartPolicy Always and no activeDeadlineSeconds (apps,
 * ReplicationController), restartPolicy OnFailure or Never (batch). The core/v1 defaults are applied
 * to the template first, as decoding does upstream.
 *
 * Not covered: the rest of the workload specs (replicas, strategies, selector required, valid and
 * immutable, Job completions and the generated selector, CronJob schedules, volumeClaimTemplates).
 */
import { GoSyntax, type FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import { labelSelectorFromObject, labelSelectorIsEmpty, matchesLabels, type LabelSelector, type MetaLabelSelector } from '../selectors.js';
import { validateAnnotations, validateLabels } from '../validation.js';
import { forbidden, invalid, notSupported, obj, required } from './field.js';
import { containersOf, validatePodSpec } from './pod-spec.js';
import { defaultPodSpec, dropDisabledPodSpecFields, podSpecOptions } from './pods.js';

type Rec = Record<string, unknown>;

/** Where a kind keeps its pod template and what it requires of it. */
interface TemplateRule {
  /** Keys from the object to the PodTemplateSpec. */
  path: readonly string[];
  /** The restart policies the kind allows. */
  restartPolicies: readonly string[];
  /** The kind's name in the activeDeadlineSeconds message; undefined where it is allowed. */
  noActiveDeadline?: string;
  /** The selector beside the template that must match its labels: a LabelSelector, a label map (ReplicationController), or none. */
  selector?: 'label-selector' | 'map';
}

const APPS = (kind: string): TemplateRule => ({ path: ['spec', 'template'], restartPolicies: ['Always'], noActiveDeadline: kind, selector: 'label-selector' });
const ANY_RESTART_POLICY = ['Always', 'OnFailure', 'Never'];

/** Template rules by `group/resource`. */
export const TEMPLATE_RULES: Readonly<Record<string, TemplateRule>> = {
  'apps/deployments': APPS('ReplicaSet'),
  'apps/replicasets': APPS('ReplicaSet'),
  'apps/statefulsets': APPS('StatefulSet'),
  'apps/daemonsets': APPS('DaemonSet'),
  'batch/jobs': { path: ['spec', 'template'], restartPolicies: ['OnFailure', 'Never'] },
  'batch/cronjobs': { path: ['spec', 'jobTemplate', 'spec', 'template'], restartPolicies: ['OnFailure', 'Never'] },
  '/replicationcontrollers': { path: ['spec', 'template'], restartPolicies: ['Always'], noActiveDeadline: 'ReplicationController', selector: 'map' },
  // A PodTemplate's template only gets ValidatePodTemplateSpec.
  '/podtemplates': { path: ['template'], restartPolicies: ANY_RESTART_POLICY },
};

function templateOf(o: Rec, path: readonly string[]): Rec | undefined {
  let cur: unknown = o;
  for (const key of path) {
    if (cur === undefined || cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Rec)[key];
  }
  return cur === undefined || cur === null ? undefined : obj(cur);
}

/** A `map[string]string` as Go's `%#v` prints it (keys sorted). */
function goStringMap(m: Record<string, string>): GoSyntax {
  const entries = Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`);
  return new GoSyntax(`map[string]string{${entries.join(', ')}}`);
}

/**
 * The workload's selector, when it has a valid one. Upstream also refuses a missing selector (and
 * then reports the template labels as not matching); kube-skew does not require one.
 */
function selectorOf(parent: Rec, kind: 'label-selector' | 'map'): LabelSelector | undefined {
  const raw = parent['selector'];
  if (raw === undefined || raw === null) return undefined;
  try {
    return labelSelectorFromObject((kind === 'map' ? { matchLabels: raw } : raw) as MetaLabelSelector);
  } catch {
    return undefined;
  }
}

/** The core/v1 defaults of the pod template of `o` (a workload of `group/resource` `key`). */
export function defaultTemplate(key: string, o: KubeObject): void {
  const rule = TEMPLATE_RULES[key];
  const template = rule && templateOf(o, rule.path);
  if (!template) return;
  if (template['spec'] === undefined || template['spec'] === null) template['spec'] = {};
  defaultPodSpec(obj(template['spec']));
}

/** The template errors of a workload; empty for kinds without a rule or without a template. */
export function validateTemplate(o: KubeObject, old: KubeObject | undefined, type: ResourceType): FieldError[] {
  const rule = TEMPLATE_RULES[`${type.group}/${type.resource}`];
  if (!rule) return [];
  const field = rule.path.join('.');
  const template = templateOf(o, rule.path);
  if (!template) return [required(field, '')];
  const errs: FieldError[] = [];
  const meta = obj(template['metadata']);
  const labels = obj(meta['labels']) as Record<string, string>;
  if (rule.selector) {
    const selector = selectorOf(templateOf(o, rule.path.slice(0, -1)) ?? {}, rule.selector);
    if (selector && !labelSelectorIsEmpty(selector) && !matchesLabels(selector, labels)) {
      errs.push(invalid(`${field}.metadata.labels`, goStringMap(labels), '`selector` does not match template `labels`'));
    }
  }
  const spec = obj(template['spec']);
  const opts = podSpecOptions(type, false);
  const oldTemplate = old ? templateOf(old, rule.path) : undefined;
  dropDisabledPodSpecFields(spec, oldTemplate ? obj(oldTemplate['spec']) : undefined, opts);
  errs.push(...validateLabels(labels, `${field}.labels`));
  errs.push(...validateAnnotations(obj(meta['annotations']) as Record<string, string>, `${field}.annotations`));
  errs.push(...validatePodSpec(spec, `${field}.spec`, opts));
  if (containersOf(spec, 'ephemeralContainers').length > 0) errs.push(forbidden(`${field}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  const restart = spec['restartPolicy'];
  if (!rule.restartPolicies.includes(String(restart))) errs.push(notSupported(`${field}.spec.restartPolicy`, restart, rule.restartPolicies));
  if (rule.noActiveDeadline && spec['activeDeadlineSeconds'] !== undefined && spec['activeDeadlineSeconds'] !== null) {
    errs.push(forbidden(`${field}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${rule.noActiveDeadline} is not Supported`));
  }
  return errs;
}
