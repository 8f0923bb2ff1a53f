/** `kube-skew scenario validate`: check scenario files without running them; exits 1 when any is invalid. */
import type { LeafCommand } from '../definition.js';

/** The `scenario validate` command. */
export const command: LeafCommand = {
  arguments: [{ name: '<files...>' }],
  async run(files) {
    const { readScenarioFile, ScenarioError } = await import('../../../scenarios/engine/scenario-file.js');
    let bad = 0;
    for (const f of files) {
      try {
        readScenarioFile(f);
        process.stdout.write(`${f}: valid\n`);
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw err;
        bad++;
        process.stderr.write(`${err.message}\n`);
      }
    }
    return bad ? 1 : 0;
  },
};
