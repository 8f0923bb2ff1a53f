/** The metrics step: assertions on one server's /metrics (Prometheus text format). */
import type { MetricsStep } from '../format.js';
import type { RunContext } from '../context.js';
import { send } from '../http.js';
import { outcome, type StepOutcome } from './outcome.js';

/** One sample of the exposition: name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse Prometheus text exposition into samples. */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Run a metrics step: each expectation sums the samples whose name matches and whose labels include the given ones. */
export async function runMetrics(ctx: RunContext, step: MetricsStep): Promise<StepOutcome> {
  const res = await send(ctx, step.server, 'GET', '/metrics', undefined, { accept: 'text/plain' });
  if (res.status !== 200) return outcome([`GET /metrics on ${step.server} answered ${res.status}`]);
  const samples = parseMetrics(res.text);
  const failures: string[] = [];
  for (const e of step.expect) {
    const matching = samples.filter((s) => s.name === e.name && Object.entries(e.labels ?? {}).every(([k, v]) => s.labels[k] === v));
    const what = `${e.name}${e.labels ? JSON.stringify(e.labels) : ''}`;
    const sum = matching.reduce((a, s) => a + s.value, 0);
    if (e.present === false) {
      if (matching.length > 0) failures.push(`${what} is present (${sum}), expected absent`);
      continue;
    }
    if (matching.length === 0) {
      failures.push(`${what} is absent`);
      continue;
    }
    if (e.value !== undefined && sum !== e.value) failures.push(`${what} is ${sum}, expected ${e.value}`);
    if (e.min !== undefined && sum < e.min) failures.push(`${what} is ${sum}, expected at least ${e.min}`);
    if (e.max !== undefined && sum > e.max) failures.push(`${what} is ${sum}, expected at most ${e.max}`);
  }
  return outcome(failures);
}
