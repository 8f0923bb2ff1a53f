/**
 * Turns command tables and definitions into commander commands. Every row of a table becomes a
 * command with its name and summary, which is all a parent's `--help` shows; only the row the
 * command line names (after `help`, too) is loaded and given its arguments, options and action, so
 * a run imports the code of one command and `--help` imports none.
 */
import { Command, Help, Option } from 'commander';
import { isGroup, type CommandEntry, type LeafCommand, type OptionSpec } from './definition.js';

/** The term each listed command shows in its parent's help (`up [options]`), from its table row. */
const terms = new WeakMap<Command, string>();

/** A commander Option from an option spec: flags, help (with a default commander would not show), default and parser. */
export function optionOf(spec: OptionSpec): Option {
  const help = spec.default === undefined && spec.defaultText !== undefined ? `${spec.help} (default: ${spec.defaultText})` : spec.help;
  const option = new Option(spec.flags, help);
  if (spec.parse) option.argParser(spec.parse);
  if (spec.default !== undefined) option.default(spec.default, spec.defaultText);
  return option;
}

/** The text after the options: the notes, then the examples. */
function afterHelp(def: LeafCommand): string {
  let text = '';
  if (def.notes) text += `\n${def.notes}\n`;
  if (def.examples?.length) text += `\nExamples:\n${def.examples.map((e) => `  ${e}`).join('\n')}\n`;
  return text;
}

/** Gives `cmd` a leaf definition's arguments, options, help text and action. */
export function defineLeaf(cmd: Command, def: LeafCommand): Command {
  for (const a of def.arguments ?? []) cmd.argument(a.name, a.help);
  for (const o of def.options ?? []) cmd.addOption(optionOf(o));
  const after = afterHelp(def);
  if (after) cmd.addHelpText('after', after);
  cmd.action(async (...params: unknown[]) => {
    // commander passes the positional arguments, then the options, then the command itself.
    const opts = params.at(-2) as Record<string, unknown>;
    const args = (params.slice(0, -2) as Array<string | string[] | undefined>).flat().filter((a): a is string => a !== undefined);
    process.exitCode = await def.run(args, opts);
  });
  return cmd;
}

/** Adds a stub per row of `entries` to `parent`, and loads and defines the one `words` names. */
async function attach(parent: Command, entries: CommandEntry[], words: string[]): Promise<void> {
  const viaHelp = words[0] === 'help';
  const wanted = viaHelp ? words[1] : words[0];
  for (const entry of entries) {
    const cmd = parent.command(entry.name).description(entry.summary);
    terms.set(cmd, entry.usage ? `${entry.name} ${entry.usage}` : entry.name);
    if (entry.raw) {
      // Run before commander when named first; here only listed, and shown by `help <name>`.
      cmd.helpOption(false).allowUnknownOption(true).argument(entry.usage ?? '[args...]');
      continue;
    }
    if (entry.name !== wanted) continue;
    const { command: def } = await entry.load();
    if (isGroup(def)) await attach(cmd, def.subcommands, words.slice(viaHelp ? 2 : 1));
    else defineLeaf(cmd, def as LeafCommand);
  }
}

/**
 * The commander program for `words` (the arguments after the program's name): `name` and `summary`
 * head its help, `table` lists its commands, and the command `words` names is loaded.
 */
export async function programFor(name: string, summary: string, table: CommandEntry[], words: string[]): Promise<Command> {
  const program = new Command(name).description(summary).showHelpAfterError('(add --help for usage)');
  program.configureHelp({
    subcommandTerm(cmd: Command): string {
      return terms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
  await attach(program, table, words);
  return program;
}
