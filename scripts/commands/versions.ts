/** `kube-skew versions`: the minors kube-skew simulates, and what changes between two of them; reads only the version data. */
import type { GroupCommand } from './definition.js';

/** The `versions` command group. */
export const command: GroupCommand = {
  subcommands: [
    { name: 'list', summary: 'each minor: its /version, Mixed Version Proxy generation, proxy gate and aggregated discovery', usage: '[options]', load: () => import('./versions/list.js') },
    {
      name: 'diff',
      summary: 'what a client gains or loses from minor A to minor B (default flags): group/versions, resources, deprecations, preferred versions',
      usage: '[options] <from> <to>',
      load: () => import('./versions/diff.js'),
    },
  ],
};
