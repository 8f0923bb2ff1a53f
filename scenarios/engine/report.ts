/**
 * Reports of scenario runs: a live line per step (with its timing, and on failure what was expected,
 * what came back and which server answered), a summary table, JUnit XML or JSON for CI, and the
 * HTML timeline (html-report.ts).
 */
import { writeFile } from 'node:fs/promises';
import type { ScenarioResult, StepResult } from './runner.js';
import { writeHtmlReport } from './html-report.js';

/** One progress line (and failure details) for a finished step. */
export function formatStep(step: StepResult): string {
  const mark = step.ok ? 'ok  ' : 'FAIL';
  const head = `  ${mark} ${String(step.index).padStart(2)} ${step.title.padEnd(52)} ${String(step.ms).padStart(6)} ms${step.note ? `  ${step.note}` : ''}`;
  if (step.ok) return head;
  const lines = [head, ...step.failures.map((f) => `         expected: ${f}`)];
  const o = step.observed;
  if (o) {
    const got: string[] = [];
    if (o.status !== undefined) got.push(`status ${o.status}`);
    if (o.servedBy) got.push(`served by ${o.servedBy}`);
    const ct = o.headers?.['content-type'];
    if (ct) got.push(`content-type ${Array.isArray(ct) ? ct.join(', ') : ct}`);
    if (o.exitCode !== undefined) got.push(`exit code ${o.exitCode}`);
    if (got.length) lines.push(`         got: ${got.join(', ')}`);
    if (o.body) lines.push(`         body: ${o.body.replace(/\s+/g, ' ').trim()}`);
    if (o.stdout) lines.push(`         stdout: ${o.stdout.replace(/\s+/g, ' ').trim()}`);
    if (o.stderr) lines.push(`         stderr: ${o.stderr.replace(/\s+/g, ' ').trim()}`);
  }
  return lines.join('\n');
}

/** The summary table of several runs. */
export function formatSummary(results: ScenarioResult[]): string {
  const rows = results.map((r) => [r.name, String(r.steps.length), String(r.steps.filter((s) => s.ok).length), String(r.steps.filter((s) => !s.ok).length), `${(r.ms / 1000).toFixed(1)} s`, r.ok ? 'passed' : 'FAILED']);
  const header = ['scenario', 'steps', 'ok', 'failed', 'time', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const total = results.reduce((a, r) => a + r.ms, 0);
  return [line(header), ...rows.map(line), '', `${results.filter((r) => r.ok).length} of ${results.length} scenarios passed in ${(total / 1000).toFixed(1)} s`].join('\n');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML: one testsuite per scenario, one testcase per step. */
export function junit(results: ScenarioResult[]): string {
  const suites = results.map((r) => {
    const cases = r.steps.map((s) => {
      const body = s.ok ? '' : `<failure message="${xml(s.failures[0] ?? 'failed')}">${xml(formatStep(s))}</failure>`;
      return `    <testcase classname="${xml(r.name)}" name="${xml(`${s.index}. ${s.title}`)}" time="${(s.ms / 1000).toFixed(3)}">${body}</testcase>`;
    });
    if (r.error) cases.push(`    <testcase classname="${xml(r.name)}" name="run"><error message="${xml(r.error)}"/></testcase>`);
    const failures = r.steps.filter((s) => !s.ok).length;
    return `  <testsuite name="${xml(r.name)}" tests="${r.steps.length + (r.error ? 1 : 0)}" failures="${failures}" errors="${r.error ? 1 : 0}" time="${(r.ms / 1000).toFixed(3)}" file="${xml(r.file)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Write the requested reports (`junit=FILE`, `json=FILE`, `html=FILE`); the JSON report leaves the timelines out. */
export async function writeReports(specs: string[], results: ScenarioResult[]): Promise<void> {
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const kind = spec.slice(0, eq);
    const file = spec.slice(eq + 1);
    if (kind === 'junit') await writeFile(file, junit(results));
    else if (kind === 'json') await writeFile(file, `${JSON.stringify({ results: results.map(({ timeline: _timeline, ...r }) => r) }, null, 2)}\n`);
    else if (kind === 'html') await writeHtmlReport(file, results);
  }
}

/** Validate `--report` values; returns an error message or undefined. */
export function checkReportSpec(spec: string): string | undefined {
  const m = /^(junit|json|html)=(.+)$/.exec(spec);
  return m ? undefined : `--report ${spec}: expected junit=FILE, json=FILE or html=FILE`;
}
