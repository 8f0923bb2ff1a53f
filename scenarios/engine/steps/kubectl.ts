/**
 * The kubectl step: runs the real kubectl that matches the target server's minor (or the
 * `/usr/bin/kubectl` dispatcher through the front door) with a fresh discovery cache, and checks its
 * exit code and output. Each run goes to the run's timeline.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubectlStep } from '../format.js';
import { parseDuration } from '../format.js';
import type { RunContext } from '../context.js';
import { matchText } from '../expect.js';
import { BODY_PREVIEW_BYTES, outcome, type StepOutcome } from './outcome.js';
import { firstBytes } from '../timeline.js';

/** Where the per-minor kubectl binaries live on these machines. */
export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
/** The dispatcher that runs the kubectl of the server's minor. */
export const KUBECTL_DISPATCHER = '/usr/bin/kubectl';

/** The binary for `wanted` (a minor or `dispatcher`), falling back to the dispatcher; undefined when none exists. */
export function kubectlFor(wanted: string): string | undefined {
  const exact = wanted === 'dispatcher' ? KUBECTL_DISPATCHER : join(KUBECTL_DIR, `kubectl.${wanted}`);
  if (existsSync(exact)) return exact;
  return existsSync(KUBECTL_DISPATCHER) ? KUBECTL_DISPATCHER : undefined;
}

/** Run a kubectl step. */
export async function runKubectl(ctx: RunContext, step: KubectlStep): Promise<StepOutcome> {
  const via = step.via ?? 'front-door';
  const wanted = step.binary ?? (via === 'front-door' ? 'dispatcher' : (ctx.cluster.specs.get(via)?.minor ?? 'dispatcher'));
  const binary = kubectlFor(wanted);
  if (!binary) return outcome([`no kubectl binary for ${wanted} on this machine (looked in ${KUBECTL_DIR} and ${KUBECTL_DISPATCHER})`]);
  const context = via === 'front-door' ? 'skew' : `skew-${via}`;
  const cache = await mkdtemp(join(tmpdir(), 'kube-skew-kubectl-'));
  try {
    const args = [`--kubeconfig=${ctx.cluster.kubeconfigPath}`, `--context=${context}`, ...step.args];
    const timeoutMs = step.timeout ? parseDuration(step.timeout) : 60_000;
    const at = Date.now();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(binary, args, { env: { ...process.env, KUBECACHEDIR: cache, HOME: cache }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(step.stdin ?? '');
    });
    ctx.timeline?.record(
      'kubectl',
      {
        origin: `step ${ctx.timeline.step}`,
        via,
        binary,
        args: step.args,
        exitCode: result.code,
        ms: Date.now() - at,
        stdout: firstBytes(result.stdout),
        stderr: firstBytes(result.stderr),
      },
      at,
    );
    const failures: string[] = [];
    const e = step.expect ?? { exitCode: 0 };
    if (e.exitCode !== undefined && result.code !== e.exitCode) failures.push(`exit code is ${result.code}, expected ${e.exitCode}`);
    failures.push(...matchText('stdout', result.stdout, e.stdout), ...matchText('stderr', result.stderr, e.stderr));
    return outcome(
      failures,
      { exitCode: result.code, stdout: result.stdout.slice(0, BODY_PREVIEW_BYTES), stderr: result.stderr.slice(0, BODY_PREVIEW_BYTES) },
      `${binary.split('/').pop()} exit ${result.code}`,
    );
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}
