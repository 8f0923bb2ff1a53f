/** `kube-skew up`: start a mixed-version cluster and run it until SIGINT or SIGTERM. */
import type { LeafCommand } from './definition.js';
import { repeatable } from './parsers.js';
import { DEFAULT_LB_POLICY, DEFAULT_LOG_LEVEL, DEFAULT_SERVERS, DEFAULT_STORE, LOG_LEVELS, type UpOptions } from '../../server/cluster/up-options.js';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';

/** The `up` command. */
export const command: LeafCommand<UpOptions> = {
  options: [
    { flags: '--servers <list>', help: `minors to run, e.g. ${PREVIOUS_MINOR},${NEWEST_MINOR} or a=${PREVIOUS_MINOR},b=${NEWEST_MINOR}`, defaultText: DEFAULT_SERVERS },
    { flags: '--data-dir <dir>', help: 'where the store, PKI, kubeconfig and cluster.json go', defaultText: 'a new temporary directory' },
    { flags: '--feature-gates <gates>', help: 'feature gates for every server, e.g. WatchList=true' },
    { flags: '--runtime-config <config>', help: 'runtime config for every server, e.g. batch/v1=false' },
    { flags: '--base-port <port>', help: 'first port to use; servers get consecutive ports', defaultText: 'free ports' },
    { flags: '--server-flag <name=flag>', help: 'a kube-apiserver flag for one server, e.g. b=--runtime-config=batch/v1=false (repeatable)', default: [], parse: repeatable },
    { flags: '--lb-policy <policy>', help: 'front door policy: round-robin, random, pinned or pinned=<server>', default: DEFAULT_LB_POLICY },
    { flags: '--no-mvp', help: 'turn the Mixed Version Proxy off on every server (on by default where the minor has it)' },
    { flags: '--no-peer-ca-file', help: 'keep the proxy gate on but give no server a --peer-ca-file, as most kubeadm clusters run: peer leases are written, nothing is proxied' },
    { flags: '--time-scale <n>', help: 'run leases, GC periods and timeouts n times faster' },
    { flags: '--log-level <level>', help: `server log level: ${LOG_LEVELS.join(', ')}; logs go to <data-dir>/logs/<server>.log`, defaultText: `${DEFAULT_LOG_LEVEL}, or info with -v` },
    { flags: '-v, --verbose', help: "also print every server's log on standard error, each line prefixed with the server's name" },
    {
      flags: '--store <backend>',
      help: "the store every server shares: sqlite (<data-dir>/store.db) or etcd (a local etcd from the machine's etcd binary, data and log in <data-dir>/etcd, stopped last)",
      default: DEFAULT_STORE,
    },
    { flags: '--etcd-servers <urls>', help: 'use this existing etcd (comma-separated client URLs) as the store instead of starting one' },
    { flags: '--with-sample-apiserver', help: 'also start kube-skew sample-apiserver (wardle.example.com/v1alpha1) and register its APIService' },
    { flags: '--detach', help: 'run in the background (output in <data-dir>/up.log); return once ready, printing export KUBECONFIG=…; kube-skew down stops it' },
  ],
  examples: [
    'kube-skew up',
    'kube-skew up --servers 1.32 --data-dir /tmp/skew',
    'kube-skew up --servers a=1.36,b=1.37,c=1.37 --data-dir /tmp/skew',
    'kube-skew up --servers a=1.32,b=1.32 --server-flag b=--runtime-config=batch/v1=false',
    'kube-skew up --no-mvp --lb-policy random',
    'kube-skew up --servers 1.35,1.36 --no-peer-ca-file',
    'kube-skew up --servers 1.33,1.35 --store etcd',
    'kube-skew up --etcd-servers http://127.0.0.1:2379',
    'eval "$(kube-skew up --detach --data-dir /tmp/skew)"; kubectl get ns; kube-skew down',
    'KUBECONFIG=/tmp/skew/kubeconfig kubectl get ns',
  ],
  async run(_args, opts) {
    const { runUp } = await import('../../server/cluster/up.js');
    // --detach starts the background `up` with these same flags.
    return runUp(opts, process.argv.slice(3));
  },
};
