/**
 * `npm test`: run every compiled test file with tap, then count the assertions of the run from
 * tap's saved results (`.tap/test-results`) and end with the plain line `N passed, N failed`
 * (`, N skipped` when some were skipped) that CI reads. Exits non-zero when any test failed.
 *
 * The default run (no files named) then runs {@link ON_ETCD} again with `KUBE_SKEW_TEST_STORE=etcd`
 * (test/fixtures/store.ts), so that their clusters and scenarios run on a local etcd; where etcd is
 * not installed that second run is skipped with a message and counted as one skip per file. Their
 * failures are listed as `etcd: <file>: …`. Named files run once, on the store the environment picks.
 *
 * `--tier unit` runs only the in-process files of {@link UNIT_TIER} (scripts/test-tiers.ts), once,
 * on the store the environment picks: `npm run test:unit`.
 *
 *   node dist/scripts/run-tests.js [--tier unit] [tap args] [files…]   (default: every dist/test/**\/*.test.js)
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, type Result } from 'tap-parser';
import { etcdMissing } from '../server/cluster/local-etcd.js';
import { TEST_STORE_ENV, testStore } from '../test/fixtures/store.js';
import { UNIT_TIER } from './test-tiers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(root, '.tap', 'test-results');

/**
 * The files the default run repeats on etcd, a representative subset of the suites that start
 * clusters: the Mixed Version Proxy end to end (Generation B, `test/peers/proxy.test.ts`) and
 * Generation A (`test/peers/generation-a.test.ts`). Already on etcd in every run: the store contract
 * suite (`test/storage/etcd.test.ts`), a mixed cluster (`test/cluster/etcd.test.ts`) and a few
 * library scenarios (`test/scenarios/etcd.test.ts`). The full MVP suites and scenario library pass
 * on etcd too, run by hand with `KUBE_SKEW_TEST_STORE=etcd` (README, Tests).
 */
const ON_ETCD = ['dist/test/peers/proxy.test.js', 'dist/test/peers/generation-a.test.js'];

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith('.test.js')) out.push(relative(root, path));
  }
  return out.sort();
}

/** Count leaf assertions in one TAP stream; a subtest's own summary point is not counted again. */
function count(tap: string): { pass: number; fail: number; skip: number; failures: string[] } {
  const totals = { pass: 0, fail: 0, skip: 0, failures: [] as string[] };
  const attach = (parser: Parser, path: string[]): void => {
    let pendingChildren = 0;
    parser.on('child', (child: Parser) => {
      pendingChildren++;
      attach(child, [...path, child.name]);
    });
    parser.on('assert', (res: Result) => {
      if (pendingChildren > 0) {
        pendingChildren--;
        if (!res.ok && !res.todo && !res.skip) totals.failures.push([...path, res.name].join(' > '));
        return;
      }
      if (res.skip || res.todo) totals.skip++;
      else if (res.ok) totals.pass++;
      else {
        totals.fail++;
        totals.failures.push([...path, res.name].join(' > '));
      }
    });
  };
  const parser = new Parser();
  attach(parser, []);
  parser.end(tap);
  return totals;
}

/** The totals of one tap run. */
interface Totals {
  pass: number;
  fail: number;
  skip: number;
  failures: string[];
}

const walk = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : e.endsWith('.tap') ? [join(dir, e)] : [])) : [];

/** Run tap on `files` with `env` and count its saved results; failures are prefixed with `label`. */
function runTap(tapArgs: string[], files: string[], env: NodeJS.ProcessEnv, label = ''): Totals {
  rmSync(resultsDir, { recursive: true, force: true });
  const tap = join(root, 'node_modules', '.bin', 'tap');
  // People at a terminal get tap's own reporter; CI logs get plain TAP.
  const reporter = process.stdout.isTTY ? 'base' : 'tap';
  const run = spawnSync(tap, [`--reporter=${reporter}`, ...tapArgs, ...files], { cwd: root, stdio: 'inherit', env });
  const totals: Totals = { pass: 0, fail: 0, skip: 0, failures: [] };
  for (const file of walk(resultsDir)) {
    const counted = count(readFileSync(file, 'utf8'));
    totals.pass += counted.pass;
    totals.fail += counted.fail;
    totals.skip += counted.skip;
    totals.failures.push(...counted.failures.map((f) => `${label}${relative(resultsDir, file).replace(/\.tap$/, '')}: ${f}`));
  }
  // A file that crashed before reporting leaves no result but a non-zero tap exit.
  if (run.status !== 0 && totals.fail === 0) {
    totals.fail = 1;
    totals.failures.push(`${label}tap exited with ${run.status ?? run.signal}`);
  }
  return totals;
}

/** `--tier <name>` (or `--tier=<name>`) taken out of the arguments; only `unit` is a tier. */
function takeTier(argv: string[]): { tier?: string; rest: string[] } {
  const rest: string[] = [];
  let tier: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--tier') tier = argv[++i];
    else if (a.startsWith('--tier=')) tier = a.slice('--tier='.length);
    else rest.push(a);
  }
  return { tier, rest };
}

const { tier, rest: args } = takeTier(process.argv.slice(2));
if (tier !== undefined && tier !== 'unit') {
  process.stderr.write(`unknown test tier ${JSON.stringify(tier)}: the only tier is "unit"\n`);
  process.exit(2);
}
const missingFromTier = tier === 'unit' ? UNIT_TIER.filter((f) => !existsSync(join(root, f))) : [];
if (missingFromTier.length > 0) {
  process.stderr.write(`scripts/test-tiers.ts lists files that are not built (renamed? run \`npm run build\`):\n  ${missingFromTier.join('\n  ')}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}
const namedFiles = args.filter((a) => a.endsWith('.js'));
// A tier is a list of named files: it runs once, never again on etcd.
const explicitFiles = tier === 'unit' ? [...UNIT_TIER] : namedFiles;
const tapArgs = args.filter((a) => !a.endsWith('.js'));
const files = explicitFiles.length > 0 ? explicitFiles : testFiles(join(root, 'dist', 'test'));
if (files.length === 0) {
  process.stderr.write('no compiled tests under dist/test: run `npm run build` first\n');
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}
// `kube-skew up` records the cluster it made last under XDG_STATE_HOME: the tests' clusters are
// recorded in a directory of the run's own, never in the user's ~/.local/state.
const stateHome = mkdtempSync(join(tmpdir(), 'kube-skew-test-state-'));
process.env.XDG_STATE_HOME = stateHome;
process.on('exit', () => rmSync(stateHome, { recursive: true, force: true }));
const totals = runTap(tapArgs, files, process.env);
// A default run already on etcd (KUBE_SKEW_TEST_STORE=etcd) ran these files there.
if (explicitFiles.length === 0 && testStore() !== 'etcd') {
  const missing = etcdMissing();
  if (missing !== undefined) {
    process.stdout.write(`\nskipped the etcd run of ${ON_ETCD.join(', ')}: ${missing}\n`);
    totals.skip += ON_ETCD.length;
  } else {
    process.stdout.write(`\nagain on etcd (${TEST_STORE_ENV}=etcd): ${ON_ETCD.join(', ')}\n`);
    const onEtcd = runTap(tapArgs, ON_ETCD, { ...process.env, [TEST_STORE_ENV]: 'etcd' }, 'etcd: ');
    totals.pass += onEtcd.pass;
    totals.fail += onEtcd.fail;
    totals.skip += onEtcd.skip;
    totals.failures.push(...onEtcd.failures);
  }
}
const { pass, fail, skip, failures } = totals;
if (failures.length > 0) process.stdout.write(`\nfailed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
process.stdout.write(`\n${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}\n`);
process.exit(fail > 0 ? 1 : 0);
