/** `kube-skew logs`: print a server's log (`<data-dir>/logs/<server>.log`), formatted on a terminal, JSON lines otherwise. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION } from './live-options.js';

interface Options {
  follow?: boolean;
  dataDir?: string;
}

/** The `logs` command. */
export const command: LeafCommand<Options> = {
  arguments: [{ name: '<server>', help: "the server's name, as kube-skew up printed it (or sample-apiserver)" }],
  options: [{ flags: '-f, --follow', help: 'keep printing lines as they are written, like tail -f' }, DATA_DIR_OPTION],
  examples: ['kube-skew logs b', 'kube-skew logs b -f --data-dir /tmp/skew', 'kube-skew logs a | grep "peer proxy decision"'],
  async run([server], opts) {
    const { runLogs } = await import('../../server/cluster/logs.js');
    return runLogs({ server: server!, ...opts });
  },
};
