import { COMMANDS } from './commands/index.js';

/** Command names, for the per-command metrics labels. */
export const MANAGESIEVE_COMMANDS: readonly string[] = [...COMMANDS.keys()];
