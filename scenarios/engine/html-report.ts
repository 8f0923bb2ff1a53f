/**
 * The HTML report of scenario runs (`--report html=FILE`): one self-contained file, viewable with no
 * network access, whose inline script draws each run's timeline from a JSON view embedded in the
 * page (report-view.ts builds it; html-report/page.{html,css,js} are the page). Everything that
 * comes from a run is embedded as JSON escaped for a script element, or as escaped HTML, so a
 * response body containing `</script>` stays text.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './runner.js';
import { reportView, type ReportView } from './report-view.js';

/** Where the page's template, style and script live (beside this file in the source tree). */
export const PAGE_DIR = fileURLToPath(new URL('../../../scenarios/engine/html-report/', import.meta.url));

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&` as `\u` escapes (so no
 * `</script>` or `<!--` can end or change the element), and U+2028/U+2029 too; JSON.parse of the
 * element's text gives the value back unchanged.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function asset(name: string): string {
  const text = readFileSync(`${PAGE_DIR}${name}`, 'utf8');
  if (/<\/(script|style)/i.test(text) && name !== 'page.html') throw new Error(`${name} must not contain a closing script or style tag`);
  return text;
}

/** The page for a report view. */
export function renderHtml(view: ReportView): string {
  const title = view.scenarios.length === 1 ? `kube-skew scenario ${view.scenarios[0]!.name}` : `kube-skew scenarios (${view.scenarios.length})`;
  const parts: Record<string, string> = {
    title: escapeHtml(title),
    generated: escapeHtml(view.generated),
    style: asset('page.css'),
    script: asset('page.js'),
    data: embedJson(view),
  };
  // One pass with a function, so nothing inserted is read as a placeholder or a `$` pattern.
  return asset('page.html').replace(/\{\{(\w+)\}\}/g, (whole, key: string) => parts[key] ?? whole);
}

/** Write the HTML report of `results` to `file`. */
export async function writeHtmlReport(file: string, results: ScenarioResult[]): Promise<void> {
  await writeFile(file, renderHtml(reportView(results)));
}
