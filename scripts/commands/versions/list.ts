/** `kube-skew versions list`: each simulated minor, as a table or JSON. */
import type { LeafCommand } from '../definition.js';

/** The `versions list` command. */
export const command: LeafCommand<{ json?: boolean }> = {
  options: [{ flags: '--json', help: 'print JSON instead of a table' }],
  async run(_args, opts) {
    const { minorRows } = await import('../../versions/rows.js');
    const { formatMinorList } = await import('../../versions/report.js');
    const rows = minorRows();
    process.stdout.write(opts.json ? JSON.stringify(rows, null, 2) + '\n' : formatMinorList(rows));
    return 0;
  },
};
