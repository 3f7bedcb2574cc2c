import { CliError } from '../cli-error.js';
import { SHELLS, completionScript, type Shell } from '../completion.js';
import type { CommandSpec } from './command.js';

export const completionCommand: CommandSpec = {
  usage: 'completion (bash | zsh)',
  summary: 'print a shell completion script: eval "$(minimail completion bash)"',
  arity: 1,
  run: async ({ io, args: [shell] }) => {
    if (!(SHELLS as readonly string[]).includes(shell!)) {
      throw new CliError(`completion: unknown shell "${shell}" (known: ${SHELLS.join(', ')})`, 2);
    }
    // The command table is read when the script is made (main.ts imports this file).
    const { COMMANDS } = await import('../main.js');
    io.stdout.write(completionScript(shell as Shell, COMMANDS));
  },
};
