/**
 * The pieces under the Service allocators without a server: the range flags as kube-apiserver
 * parses them, CIDR arithmetic and Go's address printing, the static-subrange sizes of KEP-3070 and
 * KEP-3668, and the shared bitmap record (its Go-compatible encoding, and two allocators over one
 * SQLite file never taking one offset twice).
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerConfig } from '../../../server/config.js';
import { parseFlags } from '../../../server/main.js';
import { intToIP, ipRangeOffset, parseCidr } from '../../../server/registry/service/cidr.js';
import { parsePortRange, portRangeOffset, portRangeString } from '../../../server/registry/service/port-allocator.js';
import { RangeRecord, RANGE_MISMATCH } from '../../../server/registry/service/range-record.js';
import { openSqliteStore } from '../../../storage/sqlite/store.js';

const config = (...args: string[]) => parseServerConfig(parseFlags(['--storage-path=/tmp/unused.db', ...args]));

t.test('the range flags', async (t) => {
  const defaults = config();
  t.same(defaults.serviceCIDRs.map((c) => c.text), ['10.0.0.0/24']);
  t.same(defaults.serviceNodePortRange, { base: 30000, size: 2768 });
  t.same(config('--service-cluster-ip-range=10.96.5.7/12,fd00::/108').serviceCIDRs.map((c) => c.text), ['10.96.0.0/12', 'fd00::/108']);
  t.throws(() => config('--service-cluster-ip-range=10.0.0.0/24,10.1.0.0/24'), { message: '--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family' });
  t.throws(() => config('--service-cluster-ip-range=10.0.0.0/24,nope'), { message: 'service-cluster-ip-range[1] is not a valid cidr' });
  t.same(config('--service-node-port-range=30000+99').serviceNodePortRange, { base: 30000, size: 100 });
  t.throws(() => config('--service-node-port-range=40000-30000'), { message: 'invalid argument "40000-30000" for "--service-node-port-range" flag: invalid port range: 40000-30000' });
  t.throws(() => config('--service-node-port-range=abc'), { message: 'invalid argument "abc" for "--service-node-port-range" flag: unable to parse port range: abc' });
  t.equal(portRangeString(parsePortRange('30000-32767')), '30000-32767');
});

t.test('CIDRs, addresses and static subranges', async (t) => {
  t.equal(intToIP(parseCidr('fd00:0:0:0::/108')!.base + 1n, 'IPv6'), 'fd00::1');
  t.equal(intToIP(parseCidr('2001:db8:0:1:0:0:0:0/64')!.base, 'IPv6'), '2001:db8:0:1::', 'the first longest run of zeros');
  t.equal(parseCidr('10.0.0.0/33'), undefined);
  t.same([ipRangeOffset(parseCidr('10.0.0.0/28')!), ipRangeOffset(parseCidr('10.0.0.0/24')!), ipRangeOffset(parseCidr('10.0.0.0/20')!), ipRangeOffset(parseCidr('10.96.0.0/12')!)], [0, 16, 256, 256]);
  t.same([portRangeOffset({ base: 30000, size: 16 }), portRangeOffset({ base: 30000, size: 100 }), portRangeOffset({ base: 30000, size: 2768 }), portRangeOffset({ base: 1, size: 65535 })], [0, 16, 86, 128]);
});

t.test('the bitmap record', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-range-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'store.db');
  const a = openSqliteStore(path);
  const b = openSqliteStore(path);
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const spec = { key: '/registry/ranges/test', range: '0-99', max: 100, offset: 10 };
  const now = () => new Date(0);
  const ra = new RangeRecord(a, spec, Math.random, now);
  const rb = new RangeRecord(b, spec, Math.random, now);
  t.equal(await ra.allocate(0), true);
  t.equal(await rb.allocate(0), false, 'the other store sees it taken');
  t.equal(await rb.allocate(9), true);
  t.equal(((await a.get(spec.key))!.value as { data: string }).data, 'AgE=', 'bits 0 and 9: Go big.Int bytes 0x02 0x01');
  const picked = await Promise.all(Array.from({ length: 98 }, (_, i) => (i % 2 === 0 ? ra : rb).allocateNext()));
  t.equal(new Set(picked).size, 98, 'no offset twice');
  t.ok(picked.slice(0, 40).every((o) => o !== undefined), 'all allocated');
  t.notOk(picked.includes(0) || picked.includes(9));
  t.equal(await ra.allocateNext(), undefined, 'full');
  await rb.release(42);
  t.equal(await ra.allocateNext(), 42, 'a freed offset is the only one left');
  const other = new RangeRecord(a, { ...spec, range: '0-49', max: 50 }, Math.random, now);
  await t.rejects(other.allocate(1), { message: RANGE_MISMATCH });
});
