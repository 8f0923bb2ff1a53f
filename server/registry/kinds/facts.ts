/** The per-minor kind-validation facts of the minor serving a resource type (the newest when unknown). */
import { NEWEST_MINOR_INFO, minorInfo, type KindValidationFacts } from '../../../versions/minors.js';
import type { ResourceType } from '../resource-type.js';

/** The facts of `type`'s serving minor; a type without a minor gets the newest minor's. */
export function kindFacts(type: ResourceType | undefined): KindValidationFacts {
  return type?.minor === undefined ? NEWEST_MINOR_INFO.kindValidation : minorInfo(type.minor).kindValidation;
}
