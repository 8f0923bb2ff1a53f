/**
 * The address a server advertises (its public address), resolved as kube-apiserver does at start:
 * `--advertise-address` when given and specified; else apimachinery's `ResolveBindAddress`:
 * `--bind-address` when it is neither unspecified nor loopback; else `ChooseHostInterface`: the
 * first global unicast address of the interface a default route in `/proc/net/route` (then
 * `/proc/net/ipv6_route`) transits, or of the loopback interface when that one has none. A host
 * without a default route has no such address, and the server refuses to start with upstream's
 * words. The peer address (`--peer-advertise-ip`/`--peer-advertise-port`) falls back to this one.
 */
import { readFileSync } from 'node:fs';
import { isIPv6, isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { ConfigError } from './config.js';

/** The route files ChooseHostInterface reads. */
export const IPV4_ROUTE_FILE = '/proc/net/route';
export const IPV6_ROUTE_FILE = '/proc/net/ipv6_route';

/** One default route: the interface it transits and its family. */
export interface DefaultRoute {
  iface: string;
  family: 4 | 6;
}

/** What the resolution reads from the host: injectable so a test can fix it. */
export interface HostNetwork {
  /** The text of a route file, or undefined when it does not exist. */
  routeFile(path: string): string | undefined;
  /**
   * The addresses of every interface that is up, by name (`os.networkInterfaces()`, which lists only
   * interfaces that are up and running; `internal` marks loopback).
   */
  interfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** This host's network, as seen from the process's network namespace. */
export const systemNetwork: HostNetwork = {
  routeFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  interfaces: () => networkInterfaces(),
};

/** An IPv4 address from a route file's little-endian hex (`0100000A` is 10.0.0.1). */
function hexIPv4(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length !== 4) throw new Error('invalid IPv4 address in route');
  return [bytes[3], bytes[2], bytes[1], bytes[0]].join('.');
}

/** The default routes in `/proc/net/route` text (destination 0.0.0.0). */
export function ipv4DefaultRoutes(text: string): DefaultRoute[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('Iface'))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => hexIPv4(fields[1] ?? '') === '0.0.0.0')
    .map((fields) => ({ iface: fields[0]!, family: 4 as const }));
}

/** The default routes in `/proc/net/ipv6_route` text (destination ::, with a gateway). */
export function ipv6DefaultRoutes(text: string): DefaultRoute[] {
  const zero = '0'.repeat(32);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] === zero && fields[4] !== zero)
    .map((fields) => ({ iface: fields[9]!, family: 6 as const }));
}

/** Go's `IP.IsGlobalUnicast`: not unspecified, loopback, link-local, multicast or the IPv4 broadcast. */
export function isGlobalUnicast(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return !(address === '0.0.0.0' || address === '255.255.255.255' || a === 127 || (a === 169 && b === 254) || a >= 224);
  }
  const lower = address.toLowerCase().replace(/%.*$/, '');
  return !(lower === '::' || lower === '::1' || /^fe[89ab]/.test(lower) || lower.startsWith('ff'));
}

const familyOf = (a: NetworkInterfaceInfo): 4 | 6 => (a.family === 'IPv6' || (a.family as unknown) === 6 ? 6 : 4);

/** The first global unicast address of `family` on one interface (undefined when it is down or has none). */
function globalAddressOn(addrs: NetworkInterfaceInfo[] | undefined, family: 4 | 6): string | undefined {
  return addrs?.find((a) => familyOf(a) === family && isGlobalUnicast(a.address))?.address;
}

/**
 * apimachinery's `chooseHostInterface`: with families in order of preference, the address of the
 * interface a default route transits (or the loopback interface's global address); without a route
 * file (not Linux), the first global address of an interface that is up and not loopback. Throws
 * with upstream's error text when there is none.
 */
export function chooseHostInterface(families: ReadonlyArray<4 | 6>, net: HostNetwork = systemNetwork): string {
  const interfaces = net.interfaces();
  const v4 = net.routeFile(IPV4_ROUTE_FILE);
  if (v4 === undefined) {
    const names = Object.keys(interfaces);
    if (names.length === 0) throw new Error('no interfaces found on host.');
    for (const family of families) {
      for (const name of names) {
        const addrs = interfaces[name] ?? [];
        if (addrs.some((a) => a.internal)) continue;
        const found = globalAddressOn(addrs, family);
        if (found) return found;
      }
    }
    throw new Error('no acceptable interface with global unicast address found on host');
  }
  const v6 = net.routeFile(IPV6_ROUTE_FILE);
  const routes = [...ipv4DefaultRoutes(v4), ...(v6 === undefined ? [] : ipv6DefaultRoutes(v6))];
  if (routes.length === 0) throw new Error(`no default routes found in "${IPV4_ROUTE_FILE}" or "${IPV6_ROUTE_FILE}"`);
  const loopback = Object.values(interfaces).find((addrs) => addrs?.some((a) => a.internal));
  for (const family of families) {
    for (const route of routes) {
      if (route.family !== family) continue;
      const found = globalAddressOn(interfaces[route.iface], family) ?? globalAddressOn(loopback, family);
      if (found) return found;
    }
  }
  throw new Error('unable to select an IP from default routes.');
}

/**
 * apimachinery's `ResolveBindAddress`: the bind address itself, unless it is unset, unspecified or
 * loopback; then the host's default address, preferring the bind address's family.
 */
export function resolveBindAddress(bindAddress: string, net: HostNetwork = systemNetwork): string {
  const families: Array<4 | 6> = bindAddress !== '' && isIPv6(bindAddress) ? [6, 4] : [4, 6];
  if (bindAddress === '' || isUnspecified(bindAddress) || isLoopback(bindAddress)) return chooseHostInterface(families, net);
  return bindAddress;
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || (isIPv6(address) && /^[0:]+$/.test(address));
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.toLowerCase() === '::ffff:127.0.0.1';
}

/**
 * genericoptions' `DefaultAdvertiseAddress`: `--advertise-address` when given and specified, else the
 * resolved bind address. Throws a ConfigError with kube-apiserver's startup error when the host has
 * no usable address.
 */
export function defaultAdvertiseAddress(config: { advertiseAddress: string; bindAddress: string }, net: HostNetwork = systemNetwork): string {
  if (config.advertiseAddress && !isUnspecified(config.advertiseAddress)) return config.advertiseAddress;
  try {
    return resolveBindAddress(config.bindAddress, net);
  } catch (err) {
    throw new ConfigError(`Unable to find suitable network address.error='${(err as Error).message}'. Try to set the AdvertiseAddress directly or provide a valid BindAddress to fix this.`);
  }
}
