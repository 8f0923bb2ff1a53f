/** What every benchmark command shares: progress lines on stderr, and the JSON file `--json` asks for. */
import { writeFile } from 'node:fs/promises';
import type { OptionSpec } from '../definition.js';

/** Writes one progress line to stderr, prefixed with `prefix: `. */
export function progressTo(prefix: string): (line: string) => void {
  return (line) => process.stderr.write(`${prefix}: ${line}\n`);
}

/** The `--json <file>` option, with what the file holds. */
export function jsonOption(what = 'the figures'): OptionSpec {
  return { flags: '--json <file>', help: `also write ${what} as JSON to FILE` };
}

/** Writes `report` as indented JSON to `file` when `--json` gave one. */
export async function writeJson(file: string | undefined, report: unknown): Promise<void> {
  if (file) await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
