/**
 * The `kubernetes` Service's address: the first of the primary `--service-cluster-ip-range`, which
 * kube-apiserver gives it (`GetIndexedIP(range, 1)`). The Service allocator reserves it like any
 * requested ClusterIP when the Service is created (server/registry/service/).
 */
import { intToIP, parseCidr } from '../registry/service/cidr.js';

/**
 * The first usable address of `cidr` (the network address plus one); undefined when `cidr` is not a
 * CIDR (upstream's ParseCIDR fails) or the range has no room for it.
 */
export function firstAddress(cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.bits >= parsed.width) return undefined;
  return intToIP(parsed.base + 1n, parsed.family);
}
