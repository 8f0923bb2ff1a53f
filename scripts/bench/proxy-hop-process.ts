/**
 * Starting the bare proxy hop ({@link ./proxy-hop.ts}) as a child process.
 */
import { fileURLToPath } from 'node:url';
import type { ProxyHopConfig } from './proxy-hop.js';
import { BenchChild } from './child.js';

const ENTRY = fileURLToPath(new URL('./proxy-hop.js', import.meta.url));

/** Spawns the hop with `config` and resolves once it listens. */
export function startProxyHop(config: ProxyHopConfig): Promise<BenchChild> {
  return BenchChild.start(ENTRY, config, 'proxy hop');
}
