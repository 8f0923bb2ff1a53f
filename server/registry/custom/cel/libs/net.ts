/**
 * Kubernetes' IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go): `ip(s)`,
 * `isIP(s)`, `ip.isCanonical(s)` and an address's `family()`, `isUnspecified()`, `isLoopback()`,
 * `isLinkLocalMulticast()`, `isLinkLocalUnicast()`, `isGlobalUnicast()`; `cidr(s)`, `isCIDR(s)` and a
 * prefix's `containsIP()`, `containsCIDR()` (a value or a string), `ip()`, `masked()`,
 * `prefixLength()`; `string()` of either.
 */
import { CelScalar, celFunc, celMethod } from '@bufbuild/cel';
import { fn, method } from '../overloads.js';
import { expectOpaque, unwrapOpaque, wrapOpaque } from '../opaque.js';
import { BOOL, INT, STRING, opaque } from '../types.js';
import type { CelLibraryImpl } from './library.js';
import { containsCidr, containsIp, formatIp, masked, parseCidr, parseIp, type Cidr, type Ip } from './ip-address.js';

const IP_NAME = 'net.IP';
const CIDR_NAME = 'net.CIDR';
const IP_T = opaque(IP_NAME);
const CIDR_T = opaque(CIDR_NAME);

function toIp(s: string): Ip {
  try {
    return parseIp(s);
  } catch (err) {
    throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ${(err as Error).message}`);
  }
}

function toCidr(s: string): Cidr {
  try {
    return parseCidr(s);
  } catch (err) {
    throw new Error(`network address ${JSON.stringify(s)} parse error during conversion from string: ${(err as Error).message}`);
  }
}

const wrapIp = (ip: Ip) => wrapOpaque(IP_NAME, formatIp(ip), ip);
const cidrText = (c: Cidr) => `${formatIp(c.ip)}/${c.bits}`;
const wrapCidr = (c: Cidr) => wrapOpaque(CIDR_NAME, cidrText(c), c);
const accepts = (parse: (s: string) => unknown) => (s: string) => {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
};

const is4 = (ip: Ip) => ip.bytes.length === 4;
const inPrefix = (ip: Ip, prefix: string) => containsIp(parseCidr(prefix), ip);
const isUnspecified = (ip: Ip) => ip.bytes.every((b) => b === 0);
const isLoopback = (ip: Ip) => (is4(ip) ? inPrefix(ip, '127.0.0.0/8') : formatIp(ip) === '::1');
const isMulticast = (ip: Ip) => (is4(ip) ? inPrefix(ip, '224.0.0.0/4') : ip.bytes[0] === 0xff);
const isLinkLocalMulticast = (ip: Ip) => (is4(ip) ? inPrefix(ip, '224.0.0.0/24') : ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 0x02);
const isLinkLocalUnicast = (ip: Ip) => (is4(ip) ? inPrefix(ip, '169.254.0.0/16') : inPrefix(ip, 'fe80::/10'));
const isGlobalUnicast = (ip: Ip) => !(is4(ip) && ip.bytes.every((b) => b === 255)) && !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip);

const ipPredicate = (name: string, test: (ip: Ip) => boolean) =>
  celMethod(name, CelScalar.DYN, [], CelScalar.BOOL, function () {
    return test(expectOpaque<Ip>(this, IP_NAME));
  });

/** A string or an IP value as an address. */
const ipArg = (v: unknown): Ip => (typeof v === 'string' ? toIp(v) : expectOpaque<Ip>(v, IP_NAME));
/** A string or a CIDR value as a prefix. */
const cidrArg = (v: unknown): Cidr => (typeof v === 'string' ? toCidr(v) : expectOpaque<Cidr>(v, CIDR_NAME));

/** `string()` of an IP or a CIDR, shared by both libraries. */
const STRING_OF = celFunc('string', [CelScalar.DYN], CelScalar.STRING, (v) => {
  const ip = unwrapOpaque<Ip>(v, IP_NAME);
  if (ip) return formatIp(ip);
  return cidrText(expectOpaque<Cidr>(v, CIDR_NAME));
});

/** The IP library. */
export const IP_LIB: CelLibraryImpl = {
  decls: [
    fn('ip', [STRING], IP_T),
    fn('isIP', [STRING], BOOL),
    fn('ip.isCanonical', [STRING], BOOL),
    fn('string', [IP_T], STRING),
    method('family', IP_T, [], INT),
    ...['isUnspecified', 'isLoopback', 'isLinkLocalMulticast', 'isLinkLocalUnicast', 'isGlobalUnicast'].map((n) => method(n, IP_T, [], BOOL)),
  ],
  funcs: [
    celFunc('ip', [CelScalar.STRING], CelScalar.DYN, (s) => wrapIp(toIp(s)) as never),
    celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, accepts(parseIp)),
    celFunc('ip.isCanonical', [CelScalar.STRING], CelScalar.BOOL, (s) => formatIp(toIp(s)) === s),
    STRING_OF,
    celMethod('family', CelScalar.DYN, [], CelScalar.INT, function () {
      return is4(expectOpaque<Ip>(this, IP_NAME)) ? 4n : 6n;
    }),
    ipPredicate('isUnspecified', isUnspecified),
    ipPredicate('isLoopback', isLoopback),
    ipPredicate('isLinkLocalMulticast', isLinkLocalMulticast),
    ipPredicate('isLinkLocalUnicast', isLinkLocalUnicast),
    ipPredicate('isGlobalUnicast', isGlobalUnicast),
  ],
};

/** The CIDR library. */
export const CIDR_LIB: CelLibraryImpl = {
  decls: [
    fn('cidr', [STRING], CIDR_T),
    fn('isCIDR', [STRING], BOOL),
    fn('string', [CIDR_T], STRING),
    method('containsIP', CIDR_T, [STRING], BOOL),
    method('containsIP', CIDR_T, [IP_T], BOOL),
    method('containsCIDR', CIDR_T, [STRING], BOOL),
    method('containsCIDR', CIDR_T, [CIDR_T], BOOL),
    method('ip', CIDR_T, [], IP_T),
    method('masked', CIDR_T, [], CIDR_T),
    method('prefixLength', CIDR_T, [], INT),
  ],
  funcs: [
    celFunc('cidr', [CelScalar.STRING], CelScalar.DYN, (s) => wrapCidr(toCidr(s)) as never),
    celFunc('isCIDR', [CelScalar.STRING], CelScalar.BOOL, accepts(parseCidr)),
    STRING_OF,
    celMethod('containsIP', CelScalar.DYN, [CelScalar.DYN], CelScalar.BOOL, function (v) {
      return containsIp(expectOpaque<Cidr>(this, CIDR_NAME), ipArg(v));
    }),
    celMethod('containsCIDR', CelScalar.DYN, [CelScalar.DYN], CelScalar.BOOL, function (v) {
      return containsCidr(expectOpaque<Cidr>(this, CIDR_NAME), cidrArg(v));
    }),
    celMethod('ip', CelScalar.DYN, [], CelScalar.DYN, function () {
      return wrapIp(expectOpaque<Cidr>(this, CIDR_NAME).ip) as never;
    }),
    celMethod('masked', CelScalar.DYN, [], CelScalar.DYN, function () {
      return wrapCidr(masked(expectOpaque<Cidr>(this, CIDR_NAME))) as never;
    }),
    celMethod('prefixLength', CelScalar.DYN, [], CelScalar.INT, function () {
      return BigInt(expectOpaque<Cidr>(this, CIDR_NAME).bits);
    }),
  ],
};
