/**
 * The kubectl compatibility matrix: every kubectl from 1.27 to 1.33 against a server of its own minor,
 * through the commands users run every day, printed as the Markdown table the README records.
 *
 *   node dist/scripts/kubectl-matrix.js [minors…]     (default 1.27 … 1.33)
 *
 * Each cell is what actually happened: `yes`, or `no` with the first line of kubectl's error.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../server/cluster/cluster.js';
import { loadManifest } from '../versions/manifest.js';

const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

interface Check {
  name: string;
  args: string[];
  stdin?: string;
  /** A pattern the output must match (default: exit code 0 is enough). */
  expect?: RegExp;
}

const CONFIGMAP = (name: string, value: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: ${value}\n`;
const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-pod\nspec:\n  containers:\n  - name: web\n    image: nginx\n';

const CHECKS: Check[] = [
  { name: 'version', args: ['version'], expect: /Server Version: (v1\.\d+|version\.Info\{.*GitVersion:"v1\.\d+)/ },
  { name: 'api-resources', args: ['api-resources'], expect: /deployments/ },
  { name: 'api-versions', args: ['api-versions'], expect: /apps\/v1/ },
  { name: 'create namespace', args: ['create', 'namespace', 'matrix'] },
  { name: 'create configmap', args: ['create', 'configmap', 'cm1', '--from-literal=a=b', '-n', 'matrix'] },
  { name: 'create secret generic', args: ['create', 'secret', 'generic', 's1', '--from-literal=p=q', '-n', 'matrix'] },
  { name: 'create serviceaccount', args: ['create', 'serviceaccount', 'sa1', '-n', 'matrix'] },
  { name: 'create deployment', args: ['create', 'deployment', 'web', '--image=nginx', '-n', 'matrix'] },
  { name: 'create -f (validation on)', args: ['create', '-f', '-', '-n', 'matrix'], stdin: CONFIGMAP('cm2', 'one') },
  { name: 'apply -f (create)', args: ['apply', '-f', '-', '-n', 'matrix'], stdin: CONFIGMAP('cm3', 'one'), expect: /created/ },
  { name: 'apply -f (change)', args: ['apply', '-f', '-', '-n', 'matrix'], stdin: CONFIGMAP('cm3', 'two'), expect: /configured/ },
  { name: 'apply -f (unchanged)', args: ['apply', '-f', '-', '-n', 'matrix'], stdin: CONFIGMAP('cm3', 'two'), expect: /unchanged/ },
  { name: 'apply --server-side', args: ['apply', '--server-side', '-f', '-', '-n', 'matrix'], stdin: CONFIGMAP('cm4', 'one'), expect: /serverside-applied/ },
  { name: 'patch --type=merge', args: ['patch', 'configmap', 'cm1', '-n', 'matrix', '--type=merge', '-p', '{"data":{"m":"1"}}'], expect: /patched/ },
  { name: 'patch --type=json', args: ['patch', 'configmap', 'cm1', '-n', 'matrix', '--type=json', '-p', '[{"op":"add","path":"/data/j","value":"1"}]'], expect: /patched/ },
  { name: 'patch (strategic)', args: ['patch', 'deployment', 'web', '-n', 'matrix', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}'], expect: /patched/ },
  { name: 'patch (no change)', args: ['patch', 'configmap', 'cm1', '-n', 'matrix', '--type=merge', '-p', '{"data":{"m":"1"}}'], expect: /no change/ },
  { name: 'label', args: ['label', 'configmap', 'cm1', '-n', 'matrix', 'tier=web'], expect: /labeled/ },
  { name: 'annotate', args: ['annotate', 'configmap', 'cm1', '-n', 'matrix', 'note=hi'], expect: /annotate/ },
  { name: 'scale', args: ['scale', 'deployment', 'web', '-n', 'matrix', '--replicas=3'], expect: /scaled/ },
  { name: 'set image', args: ['set', 'image', 'deployment/web', '-n', 'matrix', 'nginx=nginx:1.28'], expect: /image updated/ },
  { name: 'rollout status', args: ['rollout', 'status', 'deployment/web', '-n', 'matrix', '--timeout=30s'], expect: /successfully rolled out/ },
  { name: 'auth can-i', args: ['auth', 'can-i', 'create', 'pods'], expect: /yes/ },
  { name: 'auth whoami', args: ['auth', 'whoami'], expect: /kube-skew-admin/ },
  { name: 'explain pods.spec.containers', args: ['explain', 'pods.spec.containers'], expect: /image/ },
  { name: 'describe pod', args: ['describe', 'pod', 'web-pod', '-n', 'matrix'], expect: /Name:\s+web-pod/ },
  { name: 'events', args: ['events', '-n', 'matrix'] },
  { name: 'get -o yaml', args: ['get', 'configmap', 'cm1', '-n', 'matrix', '-o', 'yaml'], expect: /resourceVersion/ },
  { name: 'delete', args: ['delete', 'configmap', 'cm1', '-n', 'matrix'], expect: /deleted/ },
  { name: 'delete namespace', args: ['delete', 'namespace', 'matrix', '--timeout=60s'], expect: /deleted/ },
];

function run(binary: string, kubeconfig: string, context: string, check: Check, cache: string): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, [`--kubeconfig=${kubeconfig}`, `--context=${context}`, ...check.args], { env: { ...process.env, KUBECACHEDIR: cache, HOME: cache } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ok = code === 0 && (!check.expect || check.expect.test(out));
      const firstError = out.split('\n').find((l) => /error|Error|unable|invalid/i.test(l)) ?? out.split('\n')[0] ?? '';
      resolve({ ok, detail: ok ? '' : firstError.trim().slice(0, 120) });
    });
    child.stdin.end(check.stdin ?? '');
  });
}

/**
 * The `--runtime-config` a minor needs for `kubectl auth whoami`: when the newest group/version of
 * the minor that has SelfSubjectReview is off by default (authentication.k8s.io/v1beta1 on 1.27),
 * a user of a real cluster must turn it on, and the matrix does as they would. Without it, kubectl
 * gets upstream's `the selfsubjectreviews API is not enabled in the cluster`
 * (test/server/kubectl-fidelity.ts checks that default).
 */
function whoamiRuntimeConfig(minor: string): string | undefined {
  const group = loadManifest(minor).groups.find((g) => g.group === 'authentication.k8s.io');
  const version = group?.versions.find((v) => v.resources.some((r) => r.name === 'selfsubjectreviews'));
  return version && !version.enabledByDefault ? `authentication.k8s.io/${version.version}=true` : undefined;
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const minors = (requested.length ? requested : ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33']).filter((m) => {
    const present = existsSync(join(KUBECTL_DIR, `kubectl.${m}`));
    if (!present) process.stderr.write(`kubectl.${m} is not installed; skipping ${m}\n`);
    return present;
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'kube-skew-matrix-'));
  const cluster = await Cluster.start({ dataDir, servers: minors.map((m) => ({ name: `v${m.replace('.', '-')}`, minor: m, runtimeConfig: whoamiRuntimeConfig(m) })) });
  const results = new Map<string, Map<string, { ok: boolean; detail: string }>>();
  try {
    for (const m of minors) {
      const context = `skew-v${m.replace('.', '-')}`;
      const cache = await mkdtemp(join(tmpdir(), 'kube-skew-matrix-cache-'));
      await run(join(KUBECTL_DIR, `kubectl.${m}`), cluster.kubeconfigPath, context, { name: 'pod', args: ['create', '-f', '-', '-n', 'default', '--validate=false'], stdin: POD.replace('web-pod', 'seed') }, cache);
      const row = new Map<string, { ok: boolean; detail: string }>();
      for (const check of CHECKS) {
        if (check.name === 'describe pod') await run(join(KUBECTL_DIR, `kubectl.${m}`), cluster.kubeconfigPath, context, { name: 'pod', args: ['create', '-f', '-', '-n', 'matrix', '--validate=false'], stdin: POD }, cache);
        const result = await run(join(KUBECTL_DIR, `kubectl.${m}`), cluster.kubeconfigPath, context, check, cache);
        row.set(check.name, result);
        process.stderr.write(`${m} ${check.name}: ${result.ok ? 'yes' : `no (${result.detail})`}\n`);
      }
      results.set(m, row);
      await rm(cache, { recursive: true, force: true });
    }
  } finally {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  const header = `| command | ${minors.join(' | ')} |\n| --- |${minors.map(() => ' --- |').join('')}`;
  const rows = CHECKS.map((c) => `| \`kubectl ${c.name}\` | ${minors.map((m) => (results.get(m)?.get(c.name)?.ok ? 'yes' : 'no')).join(' | ')} |`);
  process.stdout.write(`${header}\n${rows.join('\n')}\n`);
  const failures = [...results.entries()].flatMap(([m, row]) => [...row.entries()].filter(([, r]) => !r.ok).map(([c, r]) => `- ${m} \`${c}\`: ${r.detail}`));
  if (failures.length) process.stdout.write(`\n${failures.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
