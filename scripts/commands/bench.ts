/** `kube-skew bench`: the benchmarks, one subcommand each; a benchmark's code (and autocannon) loads only when it runs. */
import type { GroupCommand } from './definition.js';

/** The `bench` command group. */
export const command: GroupCommand = {
  subcommands: [
    {
      name: 'core',
      summary: 'GET/LIST/CREATE throughput, p99 and CPU per request vs a bare fastify + better-sqlite3 server, cross-process watch latency, server RSS, on SQLite, etcd or both',
      usage: '[options]',
      load: () => import('./bench/core.js'),
    },
    {
      name: 'contention',
      summary: '1, 2, 4 … N processes writing into one store (SQLite, etcd or both) at full speed: writes/s, BUSY retries, write latency, failed writes',
      usage: '[options]',
      load: () => import('./bench/contention.js'),
    },
    {
      name: 'proxy',
      summary: 'GET direct vs through the Mixed Version Proxy vs through a bare @fastify/reply-from hop; time to a ready 3- and 10-server cluster; RSS per server',
      usage: '[options]',
      load: () => import('./bench/proxy.js'),
    },
    {
      name: 'startup',
      summary: 'time to ready of 1, 3 and 10 servers through `up` and through the library, and of `kube-skew --help`, each beside bare Node processes started the same way',
      usage: '[options]',
      load: () => import('./bench/startup.js'),
    },
    {
      name: 'soak',
      summary:
        'a mixed-minor cluster under steady mixed traffic and misbehaving clients while it is upgraded, SIGKILLed and paused; counts false 404s, lost writes, watch gaps, 5xx outside fault windows, servers that exit unasked, slow /readyz',
      usage: '[options]',
      load: () => import('./bench/soak.js'),
    },
    {
      name: 'fuzz',
      summary: 'hostile requests against one real server over mTLS: counts crashes, hangs, non-Status error bodies, 500s and store changes from rejected requests',
      usage: '[options]',
      load: () => import('./bench/fuzz.js'),
    },
  ],
};
