/**
 * IP and CIDR checks as apimachinery's `util/validation/ip.go` and k8s.io/utils/net parse them
 * (`ParseIPSloppy`: IPv4 octets may carry leading zeros; an IPv4-mapped IPv6 address counts as
 * IPv4), plus pkg/apis/core/validation's `ValidateNonSpecialIP`. Pure string checks, below the
 * registry.
 */
import type { FieldError } from '../../errors/status.js';
import { invalid } from './field.js';

/** A parsed address: 16 bytes, and whether it is IPv4 (or IPv4-mapped IPv6), as Go's `To4() != nil`. */
export interface ParsedIP {
  bytes: number[];
  is4: boolean;
}

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // Go's sloppy parser takes any run of decimal digits up to 255, leading zeros included.
    if (!/^[0-9]+$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  if (s.includes('%')) return undefined; // Go's ParseIP refuses zones.
  let tail: number[] = [];
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    words = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    words = head;
  }
  if (words.length !== 8) return undefined;
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Parses an address as `netutils.ParseIPSloppy` does; undefined when it is not an IP. */
export function parseIP(value: string): ParsedIP | undefined {
  if (value.includes(':')) {
    const bytes = parseV6(value);
    if (!bytes) return undefined;
    const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    return { bytes, is4: mapped };
  }
  const v4 = parseV4(value);
  return v4 ? { bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4], is4: true } : undefined;
}

/** `IsValidIP`: `must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`. */
export function isValidIP(field: string, value: string): FieldError[] {
  return parseIP(value) ? [] : [invalid(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

/** `IsValidIPv4Address`. */
export function isValidIPv4Address(field: string, value: string): FieldError[] {
  return parseIP(value)?.is4 ? [] : [invalid(field, value, 'must be a valid IPv4 address')];
}

/** `IsValidIPv6Address`. */
export function isValidIPv6Address(field: string, value: string): FieldError[] {
  const ip = parseIP(value);
  return ip && !ip.is4 ? [] : [invalid(field, value, 'must be a valid IPv6 address')];
}

/** True when `value` parses as an IPv6 (not IPv4-mapped) address, `netutils.IsIPv6String`. */
export function isIPv6String(value: string): boolean {
  const ip = parseIP(value);
  return Boolean(ip && !ip.is4);
}

/** `IsValidCIDR`: `must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`. */
export function isValidCIDR(field: string, value: string): FieldError[] {
  const slash = value.indexOf('/');
  const ip = slash > 0 ? parseIP(value.slice(0, slash)) : undefined;
  const bits = slash > 0 ? value.slice(slash + 1) : '';
  const max = ip && value.slice(0, slash).includes(':') ? 128 : 32;
  const ok = ip !== undefined && /^[0-9]{1,3}$/.test(bits) && Number(bits) <= max;
  return ok ? [] : [invalid(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * The wording of `ValidateNonSpecialIP`'s messages: `ipv4` names only the IPv4 ranges and says
 * `unspecified (0.0.0.0)` whatever the address; `dual` names both families' ranges and echoes the
 * address in the unspecified message. Which minors use which is per-minor data (versions/minors.ts).
 */
export type NonSpecialIPWording = 'ipv4' | 'dual';

const RANGES: Record<NonSpecialIPWording, { loopback: string; linkLocal: string; multicast: string }> = {
  ipv4: { loopback: '127.0.0.0/8', linkLocal: '169.254.0.0/16', multicast: '224.0.0.0/24' },
  dual: { loopback: '127.0.0.0/8, ::1/128', linkLocal: '169.254.0.0/16, fe80::/10', multicast: '224.0.0.0/24, ff02::/10' },
};

/**
 * `ValidateNonSpecialIP`: an Endpoints or EndpointSlice address or a Service externalIP may not be
 * unspecified, loopback, link-local unicast or link-local multicast (Go's net.IP predicates).
 * `allowLoopback` is kube-skew's own: see `allowLoopbackEndpoints` in registry/rest.ts.
 */
export function validateNonSpecialIP(value: string, field: string, wording: NonSpecialIPWording, allowLoopback = false): FieldError[] {
  const ip = parseIP(value);
  if (!ip) return [invalid(field, value, 'must be a valid IP address')];
  const b = ip.bytes;
  const v4 = b.slice(12);
  const errs: FieldError[] = [];
  const r = RANGES[wording];
  const unspecified = ip.is4 ? v4.every((x) => x === 0) : b.every((x) => x === 0);
  const loopback = ip.is4 ? v4[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const linkLocal = ip.is4 ? v4[0] === 169 && v4[1] === 254 : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
  const multicast = ip.is4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
  if (unspecified) errs.push(invalid(field, value, `may not be unspecified (${wording === 'dual' ? value : '0.0.0.0'})`));
  if (loopback && !allowLoopback) errs.push(invalid(field, value, `may not be in the loopback range (${r.loopback})`));
  if (linkLocal) errs.push(invalid(field, value, `may not be in the link-local range (${r.linkLocal})`));
  if (multicast) errs.push(invalid(field, value, `may not be in the link-local multicast range (${r.multicast})`));
  return errs;
}

/** Eight IPv6 groups as Go prints them: lower-case hex, the first longest run of two or more zero groups as `::`. */
export function formatIPv6Groups(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
