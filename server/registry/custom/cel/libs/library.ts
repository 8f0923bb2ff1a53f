/**
 * The shape of one of Kubernetes' CEL libraries in kube-skew: the overloads the checker resolves
 * against and the functions @bufbuild/cel evaluates.
 */
import type { CelFunc } from '@bufbuild/cel';
import type { Overload } from '../overloads.js';

/** One library: declarations for checking, implementations for evaluation. */
export interface CelLibraryImpl {
  decls: readonly Overload[];
  funcs: readonly CelFunc[];
}
