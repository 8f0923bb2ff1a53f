/**
 * Lease validation as pkg/apis/coordination/validation's `ValidateLeaseSpec`: leaseDurationSeconds
 * greater than 0, leaseTransitions not negative, and, where the serving minor has the fields
 * (the CoordinatedLeaderElection gate, 1.31+, which otherwise drops them before validation), a
 * known or domain-qualified `strategy` and no `preferredHolder` without a strategy.
 */
import type { FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import { isQualifiedName } from '../validation.js';
import { forbidden, invalid, invalidEach, notSupported, obj } from './field.js';

const LEASE_STRATEGIES = ['OldestEmulationVersion'];

/** `ValidateCoordinatedLeaseStrategy`: a bare name must be Kubernetes-defined; a prefixed one qualified. */
function validateStrategy(strategy: string, path: string): FieldError[] {
  // Upstream reports these one level deeper than the field itself (`spec.strategy.strategy`).
  if (strategy.split('/').length === 1) return LEASE_STRATEGIES.includes(strategy) ? [] : [notSupported(`${path}.strategy`, strategy, LEASE_STRATEGIES)];
  return invalidEach(`${path}.strategy`, strategy, isQualifiedName(strategy));
}

/** The field errors of a Lease's spec. */
export function validateLease(lease: KubeObject, _old: KubeObject | undefined, type?: ResourceType): FieldError[] {
  const spec = obj(lease['spec']);
  const errs: FieldError[] = [];
  const duration = spec['leaseDurationSeconds'];
  if (typeof duration === 'number' && duration <= 0) errs.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = spec['leaseTransitions'];
  if (typeof transitions === 'number' && transitions < 0) errs.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  if (type?.featureGates?.get('CoordinatedLeaderElection') !== true) return errs;
  const strategy = typeof spec['strategy'] === 'string' ? spec['strategy'] : undefined;
  if (strategy !== undefined) errs.push(...validateStrategy(strategy, 'spec.strategy'));
  if (typeof spec['preferredHolder'] === 'string' && spec['preferredHolder'] !== '' && !strategy) {
    errs.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}
