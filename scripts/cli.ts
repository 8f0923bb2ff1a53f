#!/usr/bin/env node
/**
 * The `kube-skew` command line: a table of commands, each in its own file under scripts/commands/,
 * loaded only when it runs. `kube-skew --help` reads this table and loads no command; a server
 * process (`kube-skew apiserver`, started once per simulated kube-apiserver) skips commander too and
 * loads the server and nothing else.
 *
 * Adding a command:
 * 1. Write scripts/commands/<name>.ts exporting `command: LeafCommand<Options>` (see
 *    commands/definition.ts): its `arguments`, `options` (each flag's flags, help, default and
 *    parser, written once), `notes`, `examples` and `run(args, opts): Promise<number>`, which
 *    imports the library code it calls inside `run` (`await import(…)`), so `--help` stays fast.
 *    A function `runX(args, opts): Promise<number>` becomes `run: async (args, opts) => (await
 *    import('…/x.js')).runX(args, opts)`.
 * 2. Add its row below: name, the summary `--help` lists, `usage` (what commander prints after the
 *    name: `[options]` when it has options, then its arguments), and `load`.
 * 3. test/scripts/cli.test.ts checks the row against the definition; add a test of the command's
 *    behaviour beside its library code's tests.
 * A group of subcommands (`bench`, `scenario`, `versions`) is a file exporting `command: GroupCommand`
 * with a table of its own, under scripts/commands/<group>/.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CommandEntry, RawCommand } from './commands/definition.js';

/** The program's name and what it does, at the top of `kube-skew --help`. */
const PROGRAM = { name: 'kube-skew', summary: 'Reproduce Kubernetes control-plane version skew on one machine.' };

/** Every command, in the order `kube-skew --help` lists them. */
export const COMMANDS: CommandEntry[] = [
  {
    name: 'up',
    summary: 'start a mixed-version cluster; prints "ready" when every server is ready, stops on SIGINT/SIGTERM',
    usage: '[options]',
    load: () => import('./commands/up.js'),
  },
  {
    name: 'apiserver',
    summary: 'run one simulated kube-apiserver (kube-apiserver flags; --help lists them)',
    usage: '[flags...]',
    raw: true,
    load: () => import('./commands/apiserver.js'),
  },
  {
    name: 'sample-apiserver',
    summary: "run an aggregated API server for wardle.example.com/v1alpha1, like upstream's sample-apiserver (--help lists its flags)",
    usage: '[flags...]',
    raw: true,
    load: () => import('./commands/sample-apiserver.js'),
  },
  { name: 'bench', summary: 'benchmarks and soak runs, each figure beside a baseline or a bound', load: () => import('./commands/bench.js') },
  { name: 'scenario', summary: 'run upgrade scenarios (see scenarios/*.yaml)', load: () => import('./commands/scenario.js') },
  { name: 'versions', summary: 'the Kubernetes minors kube-skew simulates, and what changes between two of them', load: () => import('./commands/versions.js') },
  // Commands against a running cluster, through the control channel of its `up`.
  { name: 'status', summary: 'show each server of a running cluster and the front door', usage: '[options]', load: () => import('./commands/status.js') },
  { name: 'stop', summary: 'stop a server gracefully (SIGTERM)', usage: '[options] <server>', load: () => import('./commands/stop.js') },
  { name: 'start', summary: 'start a stopped, killed or exited server again and wait until it is ready', usage: '[options] <server>', load: () => import('./commands/start.js') },
  { name: 'kill', summary: 'kill a server with SIGKILL, as a crash', usage: '[options] <server>', load: () => import('./commands/kill.js') },
  { name: 'pause', summary: 'freeze a server with SIGSTOP', usage: '[options] <server>', load: () => import('./commands/pause.js') },
  { name: 'resume', summary: 'thaw a paused server with SIGCONT', usage: '[options] <server>', load: () => import('./commands/resume.js') },
  {
    name: 'restart',
    summary: 'restart a server gracefully, at another minor with --minor, and wait until it is ready',
    usage: '[options] <server>',
    load: () => import('./commands/restart.js'),
  },
  { name: 'upgrade', summary: 'restart a server at a newer minor and wait until it is ready', usage: '[options] <server> <minor>', load: () => import('./commands/upgrade.js') },
  { name: 'downgrade', summary: 'restart a server at an older minor and wait until it is ready', usage: '[options] <server> <minor>', load: () => import('./commands/downgrade.js') },
  { name: 'down', summary: 'stop a running cluster and its kube-skew up', usage: '[options]', load: () => import('./commands/down.js') },
  { name: 'logs', summary: "print a server's log: formatted on a terminal, JSON lines otherwise", usage: '[options] <server>', load: () => import('./commands/logs.js') },
  { name: 'hosts', summary: 'a cluster over several hosts made of network namespaces on this machine (needs root and ip)', load: () => import('./commands/hosts.js') },
];

/** Runs the command line `argv` (`process.argv`); resolves with the exit code, or undefined when commander has set it. */
export async function main(argv: string[]): Promise<number | undefined> {
  const words = argv.slice(2);
  const raw = COMMANDS.find((c) => c.raw && c.name === words[0]);
  if (raw) {
    const { command } = await raw.load();
    return (command as RawCommand).run(words.slice(1));
  }
  const { programFor } = await import('./commands/commander.js');
  const program = await programFor(PROGRAM.name, PROGRAM.summary, COMMANDS, words);
  await program.parseAsync(argv);
  return undefined;
}

/** True when this module is the program being run (also through npm's bin link), not a module a test imports. */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
