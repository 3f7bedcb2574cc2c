import type { Config } from '../config.js';
import type { CliIo } from '../io.js';

export interface CommandContext {
  config: Config;
  io: CliIo;
  /** Positional arguments after the command words. */
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

/** One CLI command, declared as data: the dispatcher checks arity and options before `run`. */
export interface CommandSpec {
  /** The command words and arguments, e.g. `user add ADDRESS`. */
  usage: string;
  summary: string;
  /** Number of positional arguments: exact, or [min, max]. */
  arity: number | [number, number];
  options?: Record<string, { type: 'string' | 'boolean'; description: string }>;
  run(ctx: CommandContext): Promise<void>;
}
