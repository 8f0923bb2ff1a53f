/**
 * The public address a server advertises, as kube-apiserver resolves it (genericoptions'
 * DefaultAdvertiseAddress, apimachinery's ResolveBindAddress and ChooseHostInterface), over a fixed
 * host network: route files and interfaces as a test gives them.
 */
import t from 'tap';
import type { NetworkInterfaceInfo } from 'node:os';
import { chooseHostInterface, defaultAdvertiseAddress, ipv4DefaultRoutes, ipv6DefaultRoutes, isGlobalUnicast, resolveBindAddress, type HostNetwork } from '../../server/advertise-address.js';
import { ConfigError } from '../../server/config.js';

const ROUTE_HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';
/** `default via 192.0.2.1 dev eth0` and `192.0.2.0/24 dev eth0`, as /proc/net/route shows them. */
const V4_DEFAULT = `${ROUTE_HEADER}eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
const V4_NO_DEFAULT = `${ROUTE_HEADER}eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
/** `default via 2001:db8::1 dev eth1` and the loopback's `::/0` without a gateway (skipped). */
const V6_DEFAULT = [
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010db8000000000000000000000001 00000400 00000001 00000000 00000003     eth1',
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo',
].join('\n');

const addr = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;

const LO = [addr('127.0.0.1', 'IPv4', true), addr('::1', 'IPv6', true)];
const ETH0 = [addr('192.0.2.2', 'IPv4'), addr('fe80::1', 'IPv6')];
const ETH1 = [addr('2001:db8::2', 'IPv6')];

function network(routes: { v4?: string; v6?: string }, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): HostNetwork {
  return { routeFile: (path) => (path.endsWith('ipv6_route') ? routes.v6 : routes.v4), interfaces: () => interfaces };
}

t.test('route files: only default routes count, an IPv6 one only with a gateway', async (t) => {
  t.same(ipv4DefaultRoutes(V4_DEFAULT), [{ iface: 'eth0', family: 4 }]);
  t.same(ipv4DefaultRoutes(V4_NO_DEFAULT), []);
  t.same(ipv6DefaultRoutes(V6_DEFAULT), [{ iface: 'eth1', family: 6 }]);
});

t.test('IsGlobalUnicast: private addresses count, loopback, link-local, multicast and broadcast do not', async (t) => {
  for (const a of ['10.0.0.1', '192.0.2.2', '2001:db8::2']) t.ok(isGlobalUnicast(a), a);
  for (const a of ['127.0.0.1', '0.0.0.0', '169.254.1.1', '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'ff02::1']) t.notOk(isGlobalUnicast(a), a);
});

t.test('the advertise address, then the bind address, then the default interface', async (t) => {
  const net = network({ v4: V4_DEFAULT, v6: V6_DEFAULT }, { lo: LO, eth0: ETH0, eth1: ETH1 });
  t.equal(defaultAdvertiseAddress({ advertiseAddress: '10.0.0.5', bindAddress: '10.0.0.6' }, net), '10.0.0.5', '--advertise-address first');
  t.equal(defaultAdvertiseAddress({ advertiseAddress: '0.0.0.0', bindAddress: '10.0.0.6' }, net), '10.0.0.6', 'an unspecified advertise address is no advertise address');
  t.equal(defaultAdvertiseAddress({ advertiseAddress: '', bindAddress: '10.0.0.6' }, net), '10.0.0.6', 'a specific bind address next');
  t.equal(defaultAdvertiseAddress({ advertiseAddress: '', bindAddress: '0.0.0.0' }, net), '192.0.2.2', 'the default route\'s interface for 0.0.0.0');
  t.equal(defaultAdvertiseAddress({ advertiseAddress: '', bindAddress: '127.0.0.1' }, net), '192.0.2.2', 'and for a loopback bind address');
  t.equal(resolveBindAddress('::', net), '2001:db8::2', 'an IPv6 bind address prefers an IPv6 default route');
  t.equal(resolveBindAddress('::1', net), '2001:db8::2');
});

t.test('no usable address: kube-apiserver\'s startup errors', async (t) => {
  const noRoute = network({ v4: V4_NO_DEFAULT, v6: '' }, { lo: LO, eth0: ETH0 });
  t.throws(() => defaultAdvertiseAddress({ advertiseAddress: '', bindAddress: '0.0.0.0' }, noRoute), new ConfigError(
    'Unable to find suitable network address.error=\'no default routes found in "/proc/net/route" or "/proc/net/ipv6_route"\'. Try to set the AdvertiseAddress directly or provide a valid BindAddress to fix this.',
  ));
  t.equal(defaultAdvertiseAddress({ advertiseAddress: '', bindAddress: '192.0.2.2' }, noRoute), '192.0.2.2', 'a specific bind address needs no route');
  const linkLocalOnly = network({ v4: V4_DEFAULT }, { lo: LO, eth0: [addr('169.254.3.3', 'IPv4')] });
  t.throws(() => chooseHostInterface([4, 6], linkLocalOnly), { message: 'unable to select an IP from default routes.' });
  const globalOnLoopback = network({ v4: V4_DEFAULT }, { lo: [...LO, addr('203.0.113.7', 'IPv4', true)], eth0: [addr('169.254.3.3', 'IPv4')] });
  t.equal(chooseHostInterface([4, 6], globalOnLoopback), '203.0.113.7', 'a global address on loopback when the route\'s interface has none (RFC 5549 set-ups)');
});

t.test('without a route file (not Linux): the first global address of an interface that is not loopback', async (t) => {
  t.equal(chooseHostInterface([4, 6], network({}, { lo: LO, en0: [addr('fe80::2', 'IPv6'), addr('198.51.100.4', 'IPv4')] })), '198.51.100.4');
  t.throws(() => chooseHostInterface([4, 6], network({}, { lo: LO })), { message: 'no acceptable interface with global unicast address found on host' });
});
