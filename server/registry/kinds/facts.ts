/** The per-minor kind-validation facts of the minor serving a resource type (the newest when unknown). */
import { minorInfo, type KindValidationFacts } from '../../../versions/minors.js';
import { SUPPORTED_MINORS } from '../../../versions/manifest.js';
import type { ResourceType } from '../resource-type.js';

/** The facts of `type`'s serving minor; a type without a minor gets the newest minor's. */
export function kindFacts(type: ResourceType | undefined): KindValidationFacts {
  return minorInfo(type?.minor ?? SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1]!).kindValidation;
}
