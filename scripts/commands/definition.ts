/**
 * The shape every `kube-skew` command has. A command is a row of a table ({@link CommandEntry}: its
 * name, one-line summary and how to load the rest) and, in its own file, a definition: a leaf
 * ({@link LeafCommand}: arguments, options, examples, run), a group of subcommands
 * ({@link GroupCommand}: a table of its own), or a raw command that takes its argv as is
 * ({@link RawCommand}: `apiserver`, whose flags are kube-apiserver's). A table row is all `--help`
 * needs, so listing commands loads none of them; only the command being run is imported.
 *
 * This module imports nothing: it is on every path, the servers' fast path included.
 */

/** One option: its flags, help, default and parser, each written here and nowhere else. */
export interface OptionSpec<T = any> {
  /** commander's flags: `--duration <seconds>`, `--quick`, `--no-mvp`, `--report <kind=file>`. */
  flags: string;
  /** One sentence for `--help`, without the default (shown after it). */
  help: string;
  /** The value when the flag is absent; `--help` shows it (JSON) unless `defaultText` is given. */
  default?: T;
  /** How `--help` states the default, when the value is not shown as is ("a new temporary directory"). */
  defaultText?: string;
  /**
   * Turns the flag's text into its value (and gets the value so far, for a repeatable flag); throws
   * commander's `InvalidArgumentError` for a bad value, which commander reports as a usage error.
   */
  parse?: (value: string, previous: T) => T;
}

/** One positional argument. */
export interface ArgumentSpec {
  /** `<from>`, `[flags...]`, `<scenarios...>`: required with <>, optional with [], variadic with `...`. */
  name: string;
  help?: string;
}

/** A command that runs: its arguments, options, help text and what it does. */
export interface LeafCommand<O = Record<string, unknown>> {
  arguments?: ArgumentSpec[];
  options?: OptionSpec[];
  /** A paragraph shown after the options (what goes to stdout and stderr, exit codes). */
  notes?: string;
  /** Command lines shown under "Examples:". */
  examples?: string[];
  /**
   * Runs the command with its positional arguments (a variadic one flattened in) and its parsed
   * options (camelCase keys, `--no-x` as `x: false`); resolves with the exit code. A thrown Error is
   * printed as `Error: <message>` and exits 1.
   */
  run(args: string[], opts: O): Promise<number>;
}

/** A command made of subcommands (`bench core`, `scenario run`, `versions diff`). */
export interface GroupCommand {
  subcommands: CommandEntry[];
}

/** A command that parses its own flags, started without commander (a server process). */
export interface RawCommand {
  /** Runs with the arguments after the command's name; resolves with the exit code. */
  run(argv: string[]): Promise<number>;
}

/** What a command's file exports as `command`. */
export type CommandDefinition = LeafCommand<any> | GroupCommand | RawCommand;

/** A row of a command table: what `--help` lists, and how to load the command when it runs. */
export interface CommandEntry {
  name: string;
  /** One line: listed by the parent's `--help` and shown at the top of the command's own. */
  summary: string;
  /**
   * What follows the name in the parent's list (`[options]`, `[options] <from> <to>`, `[flags...]`),
   * as commander would print it for the loaded command (test/scripts/cli.test.ts checks they agree).
   */
  usage?: string;
  /** A RawCommand: run before commander is even loaded, with its argv as is. */
  raw?: true;
  /** Imports the command's file. */
  load(): Promise<{ command: CommandDefinition }>;
}

/** True for a group definition. */
export function isGroup(def: CommandDefinition): def is GroupCommand {
  return 'subcommands' in def;
}
