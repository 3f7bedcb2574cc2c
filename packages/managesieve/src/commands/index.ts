import { authenticate } from './authenticate.js';
import { capability } from './capability.js';
import {
  checkscript,
  deletescript,
  getscript,
  havespace,
  listscripts,
  putscript,
  renamescript,
  setactive,
} from './scripts.js';
import { logout, noop, unauthenticate } from './session.js';
import { starttls } from './starttls.js';
import type { CommandSpec } from './types.js';

/** Every command by name: an extension is one more row. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [
    capability,
    starttls,
    authenticate,
    logout,
    noop,
    unauthenticate,
    havespace,
    putscript,
    checkscript,
    listscripts,
    setactive,
    getscript,
    deletescript,
    renamescript,
  ].map((c) => [c.name, c]),
);
