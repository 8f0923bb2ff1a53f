/**
 * Starting the bare baseline server ({@link ./bare-server.ts}) as a child process.
 */
import { fileURLToPath } from 'node:url';
import type { BareServerConfig } from './bare-server.js';
import { BenchChild } from './child.js';

const ENTRY = fileURLToPath(new URL('./bare-server.js', import.meta.url));

/** Spawns the bare server with `config` and resolves once it listens. */
export function startBareServer(config: BareServerConfig): Promise<BenchChild> {
  return BenchChild.start(ENTRY, config, 'bare server');
}
