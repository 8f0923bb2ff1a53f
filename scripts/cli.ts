#!/usr/bin/env node
/**
 * The `kube-skew` command line. Each command is a thin shell over a library function, imported only
 * when that command runs: a server process (`kube-skew apiserver`, started once per simulated
 * kube-apiserver) loads the server and nothing else.
 */
import { Command } from 'commander';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../versions/manifest.js';

async function main(argv: string[]): Promise<void> {
  if (argv[2] === 'apiserver') {
    const { runApiserver } = await import('../server/main.js');
    process.exitCode = await runApiserver(argv.slice(3));
    return;
  }
  if (argv[2] === 'sample-apiserver') {
    const { runSampleApiserver } = await import('../server/sample-apiserver/main.js');
    process.exitCode = await runSampleApiserver(argv.slice(3));
    return;
  }
  const program = new Command();
  program.name('kube-skew').description('Reproduce Kubernetes control-plane version skew on one machine.').showHelpAfterError('(add --help for usage)');

  program
    .command('up')
    .description('start a mixed-version cluster; prints "ready" when every server is ready, stops on SIGINT/SIGTERM')
    .option('--servers <list>', `minors to run, e.g. ${PREVIOUS_MINOR},${NEWEST_MINOR} or a=${PREVIOUS_MINOR},b=${NEWEST_MINOR} (default: ${PREVIOUS_MINOR},${NEWEST_MINOR},${NEWEST_MINOR})`)
    .option('--data-dir <dir>', 'where the store, PKI, kubeconfig and cluster.json go (default: a new temporary directory)')
    .option('--feature-gates <gates>', 'feature gates for every server, e.g. WatchList=true')
    .option('--runtime-config <config>', 'runtime config for every server, e.g. batch/v1=false')
    .option('--base-port <port>', 'first port to use; servers get consecutive ports (default: free ports)')
    .option('--server-flag <name=flag>', 'a kube-apiserver flag for one server, e.g. b=--runtime-config=batch/v1=false (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--lb-policy <policy>', 'front door policy: round-robin, random, pinned or pinned=<server>', 'round-robin')
    .option('--no-mvp', 'turn the Mixed Version Proxy off on every server (on by default where the minor has it)')
    .option('--no-peer-ca-file', 'keep the proxy gate on but give no server a --peer-ca-file, as most kubeadm clusters run: peer leases are written, nothing is proxied')
    .option('--time-scale <n>', 'run leases, GC periods and timeouts n times faster')
    .option('--log-level <level>', 'server log level: silent, error, warn, info, debug; logs go to <data-dir>/logs/<server>.log (default: warn, or info with -v)')
    .option('-v, --verbose', 'also print every server\'s log on standard error, each line prefixed with the server\'s name')
    .option('--store <backend>', 'the store every server shares: sqlite (<data-dir>/store.db) or etcd (a local etcd from the machine\'s etcd binary, data and log in <data-dir>/etcd, stopped last)', 'sqlite')
    .option('--etcd-servers <urls>', 'use this existing etcd (comma-separated client URLs) as the store instead of starting one')
    .option('--with-sample-apiserver', 'also start kube-skew sample-apiserver (wardle.example.com/v1alpha1) and register its APIService')
    .option('--detach', 'run in the background (output in <data-dir>/up.log); return once ready, printing export KUBECONFIG=…; kube-skew down stops it')
    .addHelpText('after', '\nExamples:\n  kube-skew up\n  kube-skew up --servers 1.32 --data-dir /tmp/skew\n  kube-skew up --servers a=1.36,b=1.37,c=1.37 --data-dir /tmp/skew\n  kube-skew up --servers a=1.32,b=1.32 --server-flag b=--runtime-config=batch/v1=false\n  kube-skew up --no-mvp --lb-policy random\n  kube-skew up --servers 1.35,1.36 --no-peer-ca-file\n  kube-skew up --servers 1.33,1.35 --store etcd\n  kube-skew up --etcd-servers http://127.0.0.1:2379\n  KUBECONFIG=/tmp/skew/kubeconfig kubectl get ns\n')
    .action(async (opts) => {
      const { runUp } = await import('../server/cluster/up.js');
      process.exitCode = await runUp(opts, argv.slice(3));
    });

  // Commands against a running cluster, through the control channel of its `up`.
  const dataDirHelp = 'the cluster\'s data directory (default: the cluster kube-skew up made last)';
  program.command('status').description('show each server of a running cluster and the front door').option('--data-dir <dir>', dataDirHelp).option('-o, --output <format>', 'table or json', 'table')
    .action(async (opts) => { const { runStatus } = await import('./live/status.js'); process.exitCode = await runStatus([], opts); });
  for (const [verb, description] of [
    ['stop', 'stop a server gracefully (SIGTERM)'],
    ['start', 'start a stopped, killed or exited server again and wait until it is ready'],
    ['kill', 'kill a server with SIGKILL, as a crash'],
    ['pause', 'freeze a server with SIGSTOP'],
    ['resume', 'thaw a paused server with SIGCONT'],
  ] as const) {
    program.command(`${verb} <server>`).description(description).option('--data-dir <dir>', dataDirHelp)
      .action(async (server: string, opts) => { const mod = (await import(`./live/${verb}.js`)) as Record<string, (a: string[], o: object) => Promise<number>>; process.exitCode = await mod[`run${verb[0]!.toUpperCase()}${verb.slice(1)}`]!([server], opts); });
  }
  program.command('restart <server>').description('restart a server gracefully, at another minor with --minor, and wait until it is ready').option('--minor <minor>', 'the minor to start it at').option('--data-dir <dir>', dataDirHelp)
    .action(async (server: string, opts) => { const { runRestart } = await import('./live/restart.js'); process.exitCode = await runRestart([server], opts); });
  program.command('upgrade <server> <minor>').description('restart a server at a newer minor and wait until it is ready').option('--data-dir <dir>', dataDirHelp)
    .action(async (server: string, minor: string, opts) => { const { runUpgrade } = await import('./live/upgrade.js'); process.exitCode = await runUpgrade([server, minor], opts); });
  program.command('downgrade <server> <minor>').description('restart a server at an older minor and wait until it is ready').option('--data-dir <dir>', dataDirHelp)
    .action(async (server: string, minor: string, opts) => { const { runDowngrade } = await import('./live/downgrade.js'); process.exitCode = await runDowngrade([server, minor], opts); });
  program.command('down').description('stop a running cluster and its kube-skew up').option('--data-dir <dir>', dataDirHelp)
    .action(async (opts) => { const { runDown } = await import('./live/down.js'); process.exitCode = await runDown([], opts); });

  program
    .command('logs')
    .description('print a server\'s log (<data-dir>/logs/<server>.log): formatted on a terminal, JSON lines otherwise')
    .argument('<server>', 'the server\'s name, as `up` printed it (or sample-apiserver)')
    .option('-f, --follow', 'keep printing lines as they are written, like tail -f')
    .option('--data-dir <dir>', 'the cluster\'s data directory (required)')
    .addHelpText('after', '\nExamples:\n  kube-skew logs s1 --data-dir /tmp/skew\n  kube-skew logs b -f --data-dir /tmp/skew\n')
    .action(async (server: string, opts: { follow?: boolean; dataDir?: string }) => {
      const { runLogs } = await import('../server/cluster/logs.js');
      process.exitCode = await runLogs({ server, ...opts });
    });

  program
    .command('apiserver')
    .description('run one simulated kube-apiserver (kube-apiserver flags; --help lists them)')
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[flags...]');

  program
    .command('sample-apiserver')
    .description('run an aggregated API server for wardle.example.com/v1alpha1, like upstream\'s sample-apiserver (--help lists its flags)')
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[flags...]');

  const { registerBench } = await import('./bench/command.js');
  registerBench(program);
  const { registerScenario } = await import('../scenarios/engine/command.js');
  registerScenario(program);
  const { registerVersions } = await import('./versions/command.js');
  registerVersions(program);
  const { registerHosts } = await import('./hosts/command.js');
  registerHosts(program);

  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
