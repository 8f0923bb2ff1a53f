/**
 * The rule `upgrade` and `downgrade` share, in the live-cluster commands and the library: an upgrade
 * goes to a newer minor, a downgrade to an older one.
 */
import { minorNumberOf } from '../../versions/manifest.js';

/** Why server `name`, running `from`, cannot be taken to `to` this way; undefined when it can. */
export function minorChangeProblem(name: string, from: string, to: string, direction: 'upgrade' | 'downgrade'): string | undefined {
  const newer = minorNumberOf(to) > minorNumberOf(from);
  const older = minorNumberOf(to) < minorNumberOf(from);
  if (direction === 'upgrade' && !newer) return `cannot upgrade ${name} to ${to}: it runs ${from}; an upgrade goes to a newer minor${older ? ' (use downgrade)' : ''}`;
  if (direction === 'downgrade' && !older) return `cannot downgrade ${name} to ${to}: it runs ${from}; a downgrade goes to an older minor${newer ? ' (use upgrade)' : ''}`;
  return undefined;
}
