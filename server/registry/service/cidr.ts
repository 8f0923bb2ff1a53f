/**
 * Service CIDRs as the allocators see them: a parsed `--service-cluster-ip-range` entry with its
 * addresses as integers, and addresses printed as Go's `net.IP.String()` prints them. Pure
 * arithmetic, below the registry.
 */
import { formatIPv6Groups, parseIP } from '../kinds/ip.js';

/** A parsed CIDR: the masked network address as an integer, its prefix length and family. */
export interface Cidr {
  /** The CIDR as Go prints a parsed `*net.IPNet` (masked: `10.0.0.0/24`). */
  text: string;
  family: 'IPv4' | 'IPv6';
  /** The network address. */
  base: bigint;
  bits: number;
  /** 32 or 128. */
  width: number;
}

/** The integer of an address of `family`, or undefined when `ip` is not an address of that family. */
export function ipToInt(ip: string, family: Cidr['family']): bigint | undefined {
  const parsed = parseIP(ip);
  if (!parsed || (family === 'IPv4') !== parsed.is4) return undefined;
  const bytes = family === 'IPv4' ? parsed.bytes.slice(12) : parsed.bytes;
  return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

/** Prints an address as Go does: dotted IPv4, IPv6 with the longest run of zero groups as `::`. */
export function intToIP(n: bigint, family: Cidr['family']): string {
  if (family === 'IPv4') return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 0xffn)).join('.');
  return formatIPv6Groups(Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn)));
}

/** Parses a CIDR as `netutils.ParseCIDRSloppy`; undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const parsed = parseIP(m[1]!);
  if (!parsed) return undefined;
  const family = parsed.is4 && !m[1]!.includes(':') ? 'IPv4' : 'IPv6';
  const width = family === 'IPv4' ? 32 : 128;
  const bits = Number(m[2]);
  if (bits > width) return undefined;
  const ip = ipToInt(m[1]!, family);
  if (ip === undefined) return undefined;
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  const base = ip & ~hostMask;
  return { text: `${intToIP(base, family)}/${bits}`, family, base, bits, width };
}

/** The number of addresses of a CIDR (`netutils.RangeSize`; capped as Go's int64 would be). */
export function rangeSize(cidr: Cidr): bigint {
  const hostBits = cidr.width - cidr.bits;
  return hostBits >= 63 ? (1n << 63n) - 1n : 1n << BigInt(hostBits);
}

/** True when `ip` lies in `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip, cidr.family);
  if (n === undefined) return false;
  return n >> BigInt(cidr.width - cidr.bits) === cidr.base >> BigInt(cidr.width - cidr.bits);
}

/**
 * KEP-3070's static subrange size: `min(max(16, size/16), 256)`, 0 for a range of 16 addresses or
 * fewer (ipallocator's `calculateRangeOffset`). Dynamic allocation prefers the addresses above it.
 */
export function ipRangeOffset(cidr: Cidr): number {
  const size = rangeSize(cidr);
  if (size <= 16n) return 0;
  const offset = size / 16n;
  if (offset < 16n) return 16;
  if (offset > 256n) return 256;
  return Number(offset);
}
