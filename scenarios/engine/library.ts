/**
 * The scenario library shipped with kube-skew (scenarios/*.yaml), and how a command-line reference
 * (a file path, a file stem or a scenario's metadata.name) finds its file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readScenarioFile } from './scenario-file.js';

/** The scenario library's directory. */
export const LIBRARY_DIR = fileURLToPath(new URL('../../../scenarios/', import.meta.url));

/** The library's scenario files, sorted. */
export function libraryFiles(): string[] {
  return readdirSync(LIBRARY_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(LIBRARY_DIR, f));
}

/** A file path as given, or a library scenario by file stem or metadata.name; throws when none matches. */
export function resolveScenario(ref: string): string {
  if (existsSync(ref)) return resolve(ref);
  for (const file of libraryFiles()) {
    if (file.endsWith(`/${ref}.yaml`)) return file;
    try {
      if (readScenarioFile(file).metadata.name === ref) return file;
    } catch {
      /* reported when run */
    }
  }
  throw new Error(`no scenario file or library scenario named "${ref}" (see: kube-skew scenario list)`);
}
