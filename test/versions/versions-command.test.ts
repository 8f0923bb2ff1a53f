// `kube-skew versions list|diff` as a user runs them: tables, --json, and a clear error for an unknown minor.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const CLI = fileURLToPath(new URL('../../scripts/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

t.test('versions list: one row per minor with its MVP and proxy gate', async (t) => {
  const res = run('versions', 'list');
  t.equal(res.status, 0, res.stderr);
  const lines = res.stdout.trimEnd().split('\n');
  t.match(lines[0], /^MINOR\s+GIT VERSION\s+MVP\s+PROXY GATE\s+AGGREGATED DISCOVERY$/);
  t.match(lines.find((l) => l.startsWith('1.25 ')), /v1\.25\.0\s+none\s+-\s+none \(legacy only\)$/);
  t.match(lines.find((l) => l.startsWith('1.28 ')), /storage-version\s+alpha, off by default\s+v2beta1$/);
  t.match(lines.find((l) => l.startsWith('1.33 ')), /discovery\s+alpha, off by default\s+v2$/);
  const json = JSON.parse(run('versions', 'list', '--json').stdout) as { minor: string; mvpGeneration: string }[];
  t.equal(json[0]?.minor, '1.25');
  t.equal(json.find((r) => r.minor === '1.32')?.mvpGeneration, 'storage-version');
});

t.test('versions diff: the rows a client needs, and JSON', async (t) => {
  const res = run('versions', 'diff', '1.32', 'v1.33');
  t.equal(res.status, 0, res.stderr);
  t.match(res.stdout, /^From 1\.32 to 1\.33, as a client of a server with default flags sees it:/);
  t.match(res.stdout, /\ndeprecated\s+v1\s+endpoints\s+Endpoints\s+deprecated in v1\.33; use discovery\.k8s\.io\/v1 EndpointSlice\n/);
  t.match(res.stdout, /\nadded\s+networking\.k8s\.io\/v1\s+servicecidrs\s+ServiceCIDR\n/);
  const json = JSON.parse(run('versions', 'diff', '1.31', '1.32', '--json').stdout) as { groupVersions: { groupVersion: string; change: string }[] };
  t.same(json.groupVersions.map((g) => [g.groupVersion, g.change]), [['flowcontrol.apiserver.k8s.io/v1beta3', 'removed']]);
  t.match(run('versions', 'diff', '1.33', '1.33').stdout, /no group\/version or resource changes\.\n$/);
});

t.test('versions diff: an unknown minor is a one-line error naming the supported ones', async (t) => {
  const res = run('versions', 'diff', '1.3', '1.32');
  t.equal(res.status, 1);
  t.equal(res.stdout, '');
  t.match(res.stderr, /^Error: unsupported Kubernetes version "1\.3": kube-skew simulates 1\.25, 1\.26,/);
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
});
