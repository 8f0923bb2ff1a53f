/**
 * Kubernetes' "kube-aware" ordering of API version strings (`v2`, `v1`, `v2beta1`, `v1alpha1`):
 * the order in which a group's versions are preferred in discovery.
 */

/** The maturity of an API version string. */
export type ApiStability = 'ga' | 'beta' | 'alpha';

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Parsed form of a kube-like version string, or undefined for anything else. */
interface ParsedVersion {
  major: number;
  stability: ApiStability;
  minor: number;
}

function parse(version: string): ParsedVersion | undefined {
  const match = KUBE_VERSION.exec(version);
  if (!match) return undefined;
  const kind = match[2];
  return {
    major: Number(match[1]),
    stability: kind === 'alpha' ? 'alpha' : kind === 'beta' ? 'beta' : 'ga',
    minor: kind ? Number(match[3]) : 0,
  };
}

const STABILITY_RANK: Record<ApiStability, number> = { ga: 0, beta: 1, alpha: 2 };

/**
 * Returns the stability of a version string (`v1` → ga, `v1beta2` → beta, `v2alpha1` → alpha), or
 * undefined when the string is not of the `v<N>[alpha|beta<M>]` form.
 */
export function stabilityOf(version: string): ApiStability | undefined {
  return parse(version)?.stability;
}

/**
 * Compares two version strings by discovery preference; negative when `a` is preferred over `b`.
 * GA before beta before alpha; within a stability the higher major wins, then the higher
 * alpha/beta number (`v2` < `v1` < `v1beta2` < `v1beta1` < `v1alpha1`). Strings that are not
 * kube-like versions sort after all kube-like ones, alphabetically.
 */
export function compareVersionPriority(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) {
    if (pa) return -1;
    if (pb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (pa.stability !== pb.stability) return STABILITY_RANK[pa.stability] - STABILITY_RANK[pb.stability];
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}
