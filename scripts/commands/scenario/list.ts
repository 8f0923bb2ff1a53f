/** `kube-skew scenario list`: the library scenarios, each with the first line of its description. */
import type { LeafCommand } from '../definition.js';

/** The `scenario list` command. */
export const command: LeafCommand = {
  async run() {
    const { libraryFiles } = await import('../../../scenarios/engine/library.js');
    const { readScenarioFile } = await import('../../../scenarios/engine/scenario-file.js');
    for (const file of libraryFiles()) {
      const s = readScenarioFile(file);
      process.stdout.write(`${s.metadata.name.padEnd(36)} ${s.metadata.description?.split('\n')[0] ?? ''}\n`);
    }
    return 0;
  },
};
