/**
 * IP addresses and prefixes as Go's net/netip parses and prints them, for Kubernetes' IP and CIDR
 * libraries: strict dotted IPv4 (no leading zeros), IPv6 with `::` and an optional dotted tail,
 * canonical text as netip.Addr.String() (RFC 5952: lower case, the longest zero run as `::`).
 * Zones and IPv4-mapped IPv6 addresses are refused as the libraries refuse them.
 */
import { formatIPv6Groups } from '../../../kinds/ip.js';

/** An address: 4 or 16 bytes. */
export interface Ip {
  bytes: number[];
}

/** A prefix: an address and a prefix length. */
export interface Cidr {
  ip: Ip;
  bits: number;
}

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const fields = part.split(':');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (i === fields.length - 1 && f.includes('.')) {
        const v4 = parseV4(f);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return undefined;
      out.push(parseInt(f, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Parse an address as netip.ParseAddr, with the IP library's refusals; throws its message. */
export function parseIp(s: string): Ip {
  if (s.includes('%')) throw new Error('IP address with zone value is not allowed');
  const bytes = s.includes(':') ? parseV6(s) : parseV4(s);
  if (!bytes) throw new Error(`ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
  if (bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    throw new Error('IPv4-mapped IPv6 address is not allowed');
  }
  return { bytes };
}

/** netip.Addr.String(). */
export function formatIp(ip: Ip): string {
  if (ip.bytes.length === 4) return ip.bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip.bytes[i]! << 8) | ip.bytes[i + 1]!);
  return formatIPv6Groups(groups);
}

/** Parse a prefix as netip.ParsePrefix, with the CIDR library's refusals; throws its message. */
export function parseCidr(s: string): Cidr {
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw new Error(`netip.ParsePrefix(${JSON.stringify(s)}): no '/'`);
  const ip = parseIp(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  const max = ip.bytes.length * 8;
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText) || Number(bitsText) > max) throw new Error(`netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bitsText)}`);
  return { ip, bits: Number(bitsText) };
}

/** The prefix with host bits cleared. */
export function masked(c: Cidr): Cidr {
  const bytes = c.ip.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, c.bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { ip: { bytes }, bits: c.bits };
}

/** Whether `ip` lies in `c` (same family only). */
export function containsIp(c: Cidr, ip: Ip): boolean {
  if (ip.bytes.length !== c.ip.bytes.length) return false;
  const a = masked(c).ip.bytes;
  const b = masked({ ip, bits: c.bits }).ip.bytes;
  return a.every((x, i) => x === b[i]);
}

/** Whether `inner` lies wholly in `outer`. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.bits >= outer.bits && containsIp(outer, inner.ip);
}
