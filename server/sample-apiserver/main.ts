/**
 * `kube-skew sample-apiserver <flags>`: the flags of upstream's sample-apiserver that kube-skew
 * honours (serving, request-header trust, `--authentication-kubeconfig`, the delegated authorization
 * flags) and kube-skew's own
 * storage and lifeline flags; prints one JSON line when it listens and stops on SIGTERM/SIGINT.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { APISERVER_FLAGS, FlagError, parseFlags } from '../main.js';
import { selfSignedServing } from '../cluster/pki.js';
import { startSampleApiServer } from './server.js';
import { fetchTrust, readKubeconfig, type RequestHeaderTrust } from './trust.js';
import type { DelegatedAuthorization } from './server.js';
import { parseGoDuration } from '../http/duration.js';
import { DEFAULT_ALWAYS_ALLOW_PATHS } from '../authz/delegating.js';
import { readFile } from 'node:fs/promises';

/** The flags it shares with `kube-skew apiserver`, with the same help. */
const SHARED_FLAGS = ['bind-address', 'tls-cert-file', 'tls-private-key-file', 'client-ca-file', 'requestheader-allowed-names', 'requestheader-username-headers', 'requestheader-group-headers', 'requestheader-extra-headers-prefix', 'log-level', 'exit-with-stdin'];

/** Every flag `kube-skew sample-apiserver` accepts. */
export const SAMPLE_APISERVER_FLAGS = [
  { name: 'secure-port', help: 'The port on which to serve HTTPS (0 picks a free port). Default 443.' },
  { name: 'cert-dir', help: 'The directory where the self-signed serving certificate is written when --tls-cert-file is absent. Default apiserver.local.config/certificates.' },
  { name: 'authentication-kubeconfig', help: 'kubeconfig of the cluster whose kube-system/extension-apiserver-authentication ConfigMap gives the front-proxy trust.' },
  { name: 'requestheader-client-ca-file', help: 'Front-proxy CA bundle; when given, the ConfigMap is not read.' },
  { name: 'authorization-kubeconfig', help: "kubeconfig file pointing at the 'core' kubernetes server with enough rights to create subjectaccessreviews.authorization.k8s.io." },
  { name: 'authorization-webhook-cache-authorized-ttl', help: "The duration to cache 'authorized' responses from the webhook authorizer. Default 10s." },
  { name: 'authorization-webhook-cache-unauthorized-ttl', help: "The duration to cache 'unauthorized' responses from the webhook authorizer. Default 10s." },
  { name: 'authorization-always-allow-paths', help: `A list of HTTP paths to skip during authorization, i.e. these are authorized without contacting the 'core' kubernetes server. Default ${DEFAULT_ALWAYS_ALLOW_PATHS.join(',')}.` },
  { name: 'storage-path', help: 'kube-skew: the SQLite file of flunders and fischers. Default :memory: (nothing kept).' },
  ...APISERVER_FLAGS.filter((f) => SHARED_FLAGS.includes(f.name)),
];

function list(value: string | undefined, fallback: string[]): string[] {
  return value === undefined ? fallback : value.split(',').map((s) => s.trim()).filter(Boolean);
}

async function trustFrom(flags: Record<string, string | undefined>): Promise<RequestHeaderTrust> {
  const caFile = flags['requestheader-client-ca-file'];
  let trust: RequestHeaderTrust;
  if (caFile) {
    trust = {
      requestHeaderCA: await readFile(caFile, 'utf8'),
      requestHeaderAllowedNames: list(flags['requestheader-allowed-names'], []),
      usernameHeaders: list(flags['requestheader-username-headers'], ['X-Remote-User']),
      groupHeaders: list(flags['requestheader-group-headers'], ['X-Remote-Group']),
      extraHeaderPrefixes: list(flags['requestheader-extra-headers-prefix'], ['X-Remote-Extra-']),
    };
  } else if (flags['authentication-kubeconfig']) {
    trust = await fetchTrust(flags['authentication-kubeconfig']);
  } else {
    throw new FlagError('no front-proxy trust: give --requestheader-client-ca-file or --authentication-kubeconfig');
  }
  if (flags['client-ca-file']) trust = { ...trust, clientCA: await readFile(flags['client-ca-file'], 'utf8') };
  return trust;
}

function ttl(flags: Record<string, string | undefined>, name: string): number | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  try {
    return parseGoDuration(value);
  } catch (err) {
    throw new FlagError(`invalid argument "${value}" for "--${name}" flag: ${(err as Error).message}`);
  }
}

/**
 * The delegated authorization settings. Without `--authorization-kubeconfig` upstream falls back to
 * the in-cluster configuration, which a process outside a Pod does not have: it fails to start with
 * client-go's message, and so does this one.
 */
async function authorizationFrom(flags: Record<string, string | undefined>): Promise<DelegatedAuthorization> {
  const kubeconfig = flags['authorization-kubeconfig'];
  if (!kubeconfig) throw new FlagError('failed to get delegated authorization kubeconfig: unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const allowTtlMs = ttl(flags, 'authorization-webhook-cache-authorized-ttl');
  const denyTtlMs = ttl(flags, 'authorization-webhook-cache-unauthorized-ttl');
  const paths = flags['authorization-always-allow-paths'];
  return {
    target: await readKubeconfig(kubeconfig),
    ...(allowTtlMs !== undefined ? { allowTtlMs } : {}),
    ...(denyTtlMs !== undefined ? { denyTtlMs } : {}),
    ...(paths !== undefined ? { alwaysAllowPaths: list(paths, []) } : {}),
  };
}

/** Run the sample-apiserver command; resolves with the exit code once it has stopped. */
export async function runSampleApiserver(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    const lines = SAMPLE_APISERVER_FLAGS.map((f) => `  --${f.name.padEnd(38)}${f.help}`);
    process.stdout.write(`Usage: kube-skew sample-apiserver [flags]\n\nAn aggregated API server for wardle.example.com/v1alpha1 (flunders, fischers), like upstream's sample-apiserver.\n\nFlags:\n${lines.join('\n')}\n`);
    return 0;
  }
  let server;
  let flags: Record<string, string | undefined> = {};
  try {
    flags = parseFlags(argv, SAMPLE_APISERVER_FLAGS) as Record<string, string | undefined>;
    const bindAddress = flags['bind-address'] ?? '0.0.0.0';
    const securePort = Number(flags['secure-port'] ?? '443');
    if (!Number.isInteger(securePort) || securePort < 0 || securePort > 65535) throw new FlagError(`invalid argument "${flags['secure-port']}" for "--secure-port" flag`);
    const serving = flags['tls-cert-file']
      ? { certFile: flags['tls-cert-file'], keyFile: flags['tls-private-key-file'] ?? '' }
      : await selfSignedServing(resolve(flags['cert-dir'] ?? 'apiserver.local.config/certificates'), hostname(), [bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress]);
    server = await startSampleApiServer({
      bindAddress,
      securePort,
      ...serving,
      storagePath: flags['storage-path'] ?? ':memory:',
      trust: await trustFrom(flags),
      authorization: await authorizationFrom(flags),
      logLevel: flags['log-level'] ?? 'warn',
    });
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url, port: server.port, pid: process.pid })}\n`);
  const running = server;
  const exitWithStdin = flags['exit-with-stdin'] === 'true';
  return new Promise<number>((done) => {
    const stop = (): void => {
      process.off('SIGTERM', stop).off('SIGINT', stop);
      if (exitWithStdin) process.stdin.off('end', stop).destroy();
      void running.close().then(() => done(0));
    };
    process.on('SIGTERM', stop).on('SIGINT', stop);
    if (exitWithStdin) process.stdin.on('end', stop).resume();
  });
}
