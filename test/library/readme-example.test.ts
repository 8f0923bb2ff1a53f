/**
 * The package as a user installs it: `npm pack` of this checkout, unpacked into a consumer project's
 * node_modules (its dependencies linked from this checkout's). There the README's example of
 * "Using kube-skew from test code" runs as written, leaving no process and no temporary directory,
 * and a TypeScript consumer type-checks against the declarations `exports` names, with misuse
 * reported as errors.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, type TestLike } from '../fixtures/cluster.js';
import { processesMentioning } from '../fixtures/processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README_SECTION = '## Using kube-skew from test code';

/** The first ```js block of the README section `heading`. */
function exampleOf(readme: string, heading: string): string {
  const start = readme.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const next = readme.indexOf('\n## ', start + heading.length);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const block = /```js\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`README section "${heading}" has no js block`);
  return block[1]!;
}

/** Run `command args` in `cwd` to its exit (killed at teardown if it still runs). */
async function run(t: TestLike, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; out: string }> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  let stdout = '';
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, out };
}

t.test('the README example runs as written against the packed package', async (t) => {
  const dir = await tempDir(t, 'kube-skew-consumer-');
  const pack = await run(t, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  t.equal(pack.code, 0, 'npm pack succeeds', { output: pack.out.slice(-2000) });
  const tarball = join(dir, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  const pkgDir = join(dir, 'node_modules', 'kube-skew');
  await mkdir(pkgDir, { recursive: true });
  t.equal((await run(t, 'tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1'], dir)).code, 0, 'the tarball unpacks');
  // The consumer installed kube-skew's dependencies beside it, and @kubernetes/client-node itself.
  await symlink(join(ROOT, 'node_modules'), join(pkgDir, 'node_modules'));
  await symlink(join(ROOT, 'node_modules', '@kubernetes'), join(dir, 'node_modules', '@kubernetes'));
  await symlink(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));

  t.test('the packed package holds the entry point, its declarations and the data servers read', async (t) => {
    for (const file of ['dist/server/cluster/library.js', 'dist/server/cluster/library.d.ts', 'dist/scripts/cli.js', 'versions/manifests/1.37.json', 'versions/openapi/definitions.json', 'scenarios/schema.json']) {
      t.ok(existsSync(join(pkgDir, file)), file);
    }
    t.notOk(existsSync(join(pkgDir, 'dist/test')), 'no compiled tests');
  });

  t.test('the example', async (t) => {
    const example = exampleOf(await readFile(join(ROOT, 'README.md'), 'utf8'), README_SECTION);
    t.match(example, /from 'kube-skew'/, 'the example imports the package by name');
    await writeFile(join(dir, 'example.mjs'), example);
    // Its temporary data directory goes under a TMPDIR of the test's own, to check that it is removed.
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const res = await run(t, process.execPath, ['example.mjs'], dir, { ...process.env, TMPDIR: tmp });
    t.equal(res.code, 0, 'node example.mjs exits 0', { output: res.out.slice(-4000) });
    t.same(await readdir(tmp), [], 'the temporary data directory is removed');
    t.same(processesMentioning(tmp), [], 'no server process is left');
  });

  t.test('a TypeScript consumer type-checks against the declarations', async (t) => {
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck: true }, files: ['consumer.ts'] }),
    );
    await writeFile(
      join(dir, 'consumer.ts'),
      [
        "import { startCluster, type ClusterStatus, type SkewCluster } from 'kube-skew';",
        "export async function use(): Promise<ClusterStatus> {",
        "  await using cluster: SkewCluster = await startCluster({ servers: [{ name: 'a', minor: '1.36' }, '1.37'], lbPolicy: 'random' });",
        "  await cluster.upgrade('a', '1.37');",
        "  await cluster.fault('a', 's2', { latencyMs: 100 });",
        "  const state: 'running' | 'paused' | 'stopped' = cluster.status().servers[0]!.state;",
        "  void state;",
        '  // @ts-expect-error no such operation',
        '  await cluster.explode();',
        "  // @ts-expect-error not a fault",
        "  await cluster.fault('a', 's2', 'melt');",
        '  // @ts-expect-error servers is required',
        '  await startCluster({});',
        '  return cluster.status();',
        '}',
        '',
      ].join('\n'),
    );
    const tsc = await run(t, process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
    t.equal(tsc.code, 0, 'tsc finds no error', { output: tsc.out });
  });
});
