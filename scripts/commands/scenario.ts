/** `kube-skew scenario`: run, list and validate upgrade scenarios. */
import type { GroupCommand } from './definition.js';

/** The `scenario` command group. */
export const command: GroupCommand = {
  subcommands: [
    { name: 'run', summary: 'run scenario files or library scenarios; exits 1 when any expectation fails', usage: '[options] <scenarios...>', load: () => import('./scenario/run.js') },
    { name: 'list', summary: 'list the library scenarios', load: () => import('./scenario/list.js') },
    { name: 'validate', summary: 'check scenario files without running them', usage: '<files...>', load: () => import('./scenario/validate.js') },
  ],
};
