/**
 * The one address kube-skew takes from `--service-cluster-ip-range`: the first of the range, which
 * kube-apiserver reserves for the `kubernetes` Service. There is no allocator behind it: other
 * Services keep whatever ClusterIP their writer gives them.
 */
import { isIPv4, isIPv6 } from 'node:net';

function v4ToInt(ip: string): bigint {
  return ip.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function intToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 0xffn)).join('.');
}

function v6ToInt(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function intToV6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // Go prints the longest run of zero groups as `::`; that is all a ClusterIP needs.
  const text = groups.join(':');
  const runs = [...text.matchAll(/(?:^|:)0(?::0)+(?::|$)/g)].sort((a, b) => b[0].length - a[0].length);
  const best = runs[0];
  return best ? `${text.slice(0, best.index)}::${text.slice(best.index! + best[0].length)}` : text;
}

/**
 * The first usable address of `cidr` (the network address plus one), as upstream's
 * `GetIndexedIP(range, 1)`; undefined when `cidr` is not a CIDR (upstream's ParseCIDR fails) or the
 * range has no room for it.
 */
export function firstAddress(cidr: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return undefined;
  const [, ip, bitsText] = m as unknown as [string, string, string];
  const bits = Number(bitsText);
  if (isIPv4(ip)) {
    if (bits > 32) return undefined;
    const mask = bits === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - bits)) - 1n);
    const network = v4ToInt(ip) & mask;
    if (bits >= 32) return undefined;
    return intToV4(network + 1n);
  }
  if (isIPv6(ip) && !ip.includes('.')) {
    if (bits > 128) return undefined;
    const all = (1n << 128n) - 1n;
    const mask = bits === 0 ? 0n : all ^ ((1n << BigInt(128 - bits)) - 1n);
    if (bits >= 128) return undefined;
    return intToV6((v6ToInt(ip) & mask) + 1n);
  }
  return undefined;
}
