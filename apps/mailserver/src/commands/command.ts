import type { Config } from '../config.js';
import type { CliIo } from '../io.js';

export interface CommandContext {
  config: Config;
  io: CliIo;
  /** Positional arguments after the command words. */
  args: string[];
  options: Record<string, string | boolean | undefined>;
  /** `--json` was given (only for commands that declare `json: true`): print one JSON document. */
  json: boolean;
}

/**
 * One CLI command, declared as data, one file per command (or per small group): the dispatcher
 * (program.ts, on commander) checks arity and options before `run`. A command named with two words
 * (`user add`) becomes a subcommand of its group (`user`), which gets group help for free.
 */
export interface CommandSpec {
  /** The command words and arguments, e.g. `user add ADDRESS`. */
  usage: string;
  summary: string;
  /** Number of positional arguments: exact, or [min, max]. */
  arity: number | [number, number];
  options?: Record<string, { type: 'string' | 'boolean'; description: string }>;
  /** The command prints a list or a status: it takes `--json` and prints JSON with it. */
  json?: true;
  /** Runs without loading the configuration (help-like commands: completion). */
  noConfig?: true;
  run(ctx: CommandContext): Promise<void>;
}
