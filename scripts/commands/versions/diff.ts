/** `kube-skew versions diff`: what a client gains or loses across an upgrade (or a downgrade), as a table or JSON. */
import type { LeafCommand } from '../definition.js';

/** The `versions diff` command. */
export const command: LeafCommand<{ json?: boolean }> = {
  arguments: [
    { name: '<from>', help: 'the minor before, e.g. 1.31' },
    { name: '<to>', help: 'the minor after, e.g. 1.32' },
  ],
  options: [{ flags: '--json', help: 'print JSON instead of a table' }],
  examples: ['kube-skew versions diff 1.31 1.32', 'kube-skew versions diff 1.36 1.33 --json'],
  async run([from, to], opts) {
    const { diffMinors } = await import('../../../versions/diff.js');
    const { normalizeMinor } = await import('../../../versions/manifest.js');
    const { formatMinorDiff } = await import('../../versions/report.js');
    const d = diffMinors(normalizeMinor(from!), normalizeMinor(to!));
    process.stdout.write(opts.json ? JSON.stringify(d, null, 2) + '\n' : formatMinorDiff(d));
    return 0;
  },
};
