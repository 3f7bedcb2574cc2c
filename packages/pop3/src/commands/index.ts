import { AUTH } from './auth.js';
import { CAPA } from './capa.js';
import { DELE, NOOP, RSET } from './dele.js';
import { LIST, UIDL } from './list.js';
import { QUIT } from './quit.js';
import { RETR, TOP } from './retr.js';
import { STAT } from './stat.js';
import { STLS } from './stls.js';
import type { CommandSpec } from './types.js';
import { PASS, USER } from './user-pass.js';

/** Every command this server knows, by keyword. Which state allows which is in each spec. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [CAPA, USER, PASS, AUTH, STLS, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT].map((spec) => [
    spec.name,
    spec,
  ]),
);

/** Every keyword, for bounded metrics labels. */
export const POP3_COMMAND_NAMES: readonly string[] = [...COMMANDS.keys()];
