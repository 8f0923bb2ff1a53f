/**
 * `npm test`: run every compiled test file with tap, then count the assertions of the run from
 * tap's saved results (`.tap/test-results`) and end with the plain line `N passed, N failed`
 * (`, N skipped` when some were skipped) that CI reads. Exits non-zero when any test failed.
 *
 *   node dist/scripts/run-tests.js [tap args] [files…]   (default: every dist/test/**\/*.test.js)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, type Result } from 'tap-parser';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(root, '.tap', 'test-results');

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

const args = process.argv.slice(2);
const explicitFiles = args.filter((a) => a.endsWith('.js'));
const tapArgs = args.filter((a) => !a.endsWith('.js'));
const files = explicitFiles.length > 0 ? explicitFiles : testFiles(join(root, 'dist', 'test'));
if (files.length === 0) {
  process.stderr.write('no compiled tests under dist/test: run `npm run build` first\n');
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}
rmSync(resultsDir, { recursive: true, force: true });
const tap = join(root, 'node_modules', '.bin', 'tap');
// People at a terminal get tap's own reporter; CI logs get plain TAP.
const reporter = process.stdout.isTTY ? 'base' : 'tap';
const run = spawnSync(tap, [`--reporter=${reporter}`, ...tapArgs, ...files], { cwd: root, stdio: 'inherit', env: process.env });

let pass = 0;
let fail = 0;
let skip = 0;
const failures: string[] = [];
const walk = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : e.endsWith('.tap') ? [join(dir, e)] : [])) : [];
const resultFiles = walk(resultsDir);
for (const file of resultFiles) {
  const totals = count(readFileSync(file, 'utf8'));
  pass += totals.pass;
  fail += totals.fail;
  skip += totals.skip;
  failures.push(...totals.failures.map((f) => `${relative(resultsDir, file).replace(/\.tap$/, '')}: ${f}`));
}
// A file that crashed before reporting leaves no result but a non-zero tap exit.
if (run.status !== 0 && fail === 0) {
  fail = 1;
  failures.push(`tap exited with ${run.status ?? run.signal}`);
}
if (failures.length > 0) process.stdout.write(`\nfailed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
process.stdout.write(`\n${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}\n`);
process.exit(fail > 0 ? 1 : 0);
