/**
 * Selection: a list's or watch's label and field selectors bound to one resource type, parsed and
 * validated once (400 on bad syntax or an unsupported field label) and then applied to objects.
 */
import { fieldSelectorIsEmpty, fieldSelectorMatcher, labelSelectorIsEmpty, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-type.js';

/** The selectors of one request. */
export interface Selection {
  /** True when neither selector restricts anything. */
  empty: boolean;
  /** True when `obj` satisfies both selectors. */
  matches(obj: KubeObject): boolean;
}

/** Parse and bind the selectors of a request to `type`. */
export function selectionFor(type: ResourceType, labelSelector: string, fieldSelector: string, minor?: number): Selection {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector);
  const custom = type.custom ? { custom: { namespaced: type.namespaced, selectableFields: type.custom.selectableFields ?? [] } } : {};
  const matcher = fieldSelectorMatcher(type.gr, fields, { ...(minor === undefined ? {} : { minor }), ...custom });
  const noLabels = labelSelectorIsEmpty(labels);
  const noFields = fieldSelectorIsEmpty(fields);
  return {
    empty: noLabels && noFields,
    matches(obj) {
      if (!noLabels && !matchesLabels(labels, obj.metadata?.labels)) return false;
      return noFields || matcher.matches(obj);
    },
  };
}
