/**
 * The command table of `kube-skew`: every row agrees with the command it loads, `--help` lists
 * every command and loads none of them (nor any server code), and a command run loads only itself.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Help } from 'commander';
import { COMMANDS } from '../../scripts/cli.js';
import { defineLeaf } from '../../scripts/commands/commander.js';
import { isGroup, type CommandEntry, type LeafCommand } from '../../scripts/commands/definition.js';
import { CLI } from '../fixtures/cli.js';
import { tempDir, type TestLike } from '../fixtures/cluster.js';

/** Every row of the table and its subtables, with its path (`bench core`). */
async function rows(entries: CommandEntry[], prefix: string[] = []): Promise<Array<{ path: string[]; entry: CommandEntry }>> {
  const out: Array<{ path: string[]; entry: CommandEntry }> = [];
  for (const entry of entries) {
    const path = [...prefix, entry.name];
    out.push({ path, entry });
    if (entry.raw) continue;
    const { command } = await entry.load();
    if (isGroup(command)) out.push(...(await rows(command.subcommands, path)));
  }
  return out;
}

t.test('each row lists its command as commander prints the loaded command', async (t) => {
  const all = await rows(COMMANDS);
  t.ok(all.length >= 16, `${all.length} commands`);
  for (const { path, entry } of all) {
    const { command } = await entry.load();
    t.ok(entry.summary.length > 0, `${path.join(' ')}: has a summary`);
    if (entry.raw) {
      t.type((command as { run?: unknown }).run, 'function', `${path.join(' ')}: a raw command runs`);
      continue;
    }
    if (isGroup(command)) {
      t.equal(entry.usage, undefined, `${path.join(' ')}: a group lists no usage`);
      continue;
    }
    const cmd = defineLeaf(new Command(entry.name), command as LeafCommand);
    t.equal(entry.usage ? `${entry.name} ${entry.usage}` : entry.name, new Help().subcommandTerm(cmd), `${path.join(' ')}: the row's usage is the command's`);
    const names = (command as LeafCommand).options?.map((o) => o.flags.split(/[ ,]/)[0]) ?? [];
    t.equal(new Set(names).size, names.length, `${path.join(' ')}: no flag is defined twice`);
  }
});

/** Runs the CLI with an import hook that writes every module it resolves to a file; returns the exit code, stdout and those modules. */
async function traced(t: TestLike, args: string[]): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const dir = await tempDir(t);
  const log = join(dir, 'modules.txt');
  writeFileSync(log, '');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');\n  return r;\n}\n`);
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const run = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

t.test('--help lists every command and loads none of them, nor any server code', async (t) => {
  const { code, stdout, modules } = await traced(t, ['--help']);
  t.equal(code, 0);
  for (const entry of COMMANDS) t.match(stdout, new RegExp(`\\n  ${entry.name}[ \\[]`), `lists ${entry.name}`);
  t.match(stdout, 'start a mixed-version cluster', 'with its summary');
  const ours = modules.filter((m) => m.startsWith('file:') && !m.includes('/node_modules/'));
  t.same(
    ours.map((m) => m.replace(/^.*\/dist\//, '')).sort(),
    ['scripts/cli.js', 'scripts/commands/commander.js', 'scripts/commands/definition.js'],
    'only the CLI, the table shape and the commander adapter',
  );
  const packages = new Set(modules.filter((m) => m.includes('/node_modules/')).map((m) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)![1]));
  t.same([...packages], ['commander'], 'no package but commander');
});

t.test('a command loads its own file, not the others', async (t) => {
  const { code, stdout, modules } = await traced(t, ['versions', 'list']);
  t.equal(code, 0);
  t.match(stdout, /1\.37/);
  const commands = modules.filter((m) => m.includes('/scripts/commands/')).map((m) => m.replace(/^.*\/scripts\/commands\//, ''));
  t.same([...new Set(commands)].sort(), ['commander.js', 'definition.js', 'versions.js', 'versions/list.js']);
  t.notOk(modules.some((m) => m.includes('/server/cluster/') || m.includes('/node_modules/fastify/')), 'no server code');
});

t.test('apiserver --help runs without commander', async (t) => {
  const { code, stdout, modules } = await traced(t, ['apiserver', '--help']);
  t.equal(code, 0);
  t.match(stdout, '--emulated-version');
  t.notOk(modules.some((m) => m.includes('/node_modules/commander/')), 'commander is not loaded');
});
