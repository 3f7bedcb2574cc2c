/**
 * The script commands of RFC 5804 2.5-2.12. Scripts are checked with the interpreter's own
 * compiler before they are stored, so an error is shown at upload with its line (2.6).
 */
import { compileScript, SieveParseError } from '@minimail/sieve';
import { checkScriptName, MAX_SIEVE_SCRIPT_BYTES, MAX_SIEVE_SCRIPTS, StoreError } from '@minimail/store';
import { noFor } from '../errors.js';
import { encodeString, response } from '../wire.js';
import { str, userOf, type CommandContext, type CommandSpec } from './types.js';

const AUTH = ['authenticated'] as const;

/** NO with the parse error's line, or null when the script is valid. */
function check(script: string): string | null {
  try {
    compileScript(script);
    return null;
  } catch (error) {
    if (error instanceof SieveParseError) return response('NO', null, error.message);
    throw error;
  }
}

async function guarded(ctx: CommandContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof StoreError)) ctx.logger.error({ err: error }, 'managesieve command failed');
    await ctx.send(noFor(error));
  }
}

/** RFC 5804 2.5 HAVESPACE: would a script of this size fit? */
export const havespace: CommandSpec = {
  name: 'HAVESPACE',
  states: AUTH,
  minArgs: 2,
  maxArgs: 2,
  run: (ctx, args) =>
    guarded(ctx, async () => {
      const size = Number(str(args[1]));
      if (!Number.isSafeInteger(size) || size < 0) {
        await ctx.send(response('NO', null, 'Bad size'));
        return;
      }
      if (size > MAX_SIEVE_SCRIPT_BYTES) {
        await ctx.send(
          response('NO', 'QUOTA/MAXSIZE', `Scripts are limited to ${MAX_SIEVE_SCRIPT_BYTES} octets`),
        );
        return;
      }
      const user = userOf(ctx);
      const scripts = await ctx.services.store.listSieveScripts(user.id);
      if (scripts.length >= MAX_SIEVE_SCRIPTS && !scripts.some((s) => s.name === str(args[0]))) {
        await ctx.send(response('NO', 'QUOTA/MAXSCRIPTS', `At most ${MAX_SIEVE_SCRIPTS} scripts`));
        return;
      }
      await ctx.send(response('OK', null, null));
    }),
};

/** RFC 5804 2.6 PUTSCRIPT name script. */
export const putscript: CommandSpec = {
  name: 'PUTSCRIPT',
  states: AUTH,
  minArgs: 2,
  maxArgs: 2,
  run: (ctx, args) =>
    guarded(ctx, async () => {
      const name = str(args[0]);
      const script = str(args[1]);
      checkScriptName(name);
      const invalid = check(script);
      if (invalid) {
        await ctx.send(invalid);
        return;
      }
      const user = userOf(ctx);
      const existing = await ctx.services.store.listSieveScripts(user.id);
      if (existing.length >= MAX_SIEVE_SCRIPTS && !existing.some((s) => s.name === name)) {
        await ctx.send(response('NO', 'QUOTA/MAXSCRIPTS', `At most ${MAX_SIEVE_SCRIPTS} scripts`));
        return;
      }
      await ctx.services.store.putSieveScript(user.id, name, script);
      ctx.logger.info({ user: user.address, script: name }, 'managesieve script stored');
      await ctx.send(response('OK', null, null));
    }),
};

/** RFC 5804 2.9 CHECKSCRIPT script: PUTSCRIPT's check without storing. */
export const checkscript: CommandSpec = {
  name: 'CHECKSCRIPT',
  states: AUTH,
  minArgs: 1,
  maxArgs: 1,
  run: (ctx, args) =>
    guarded(ctx, async () => {
      await ctx.send(check(str(args[0])) ?? response('OK', null, null));
    }),
};

/** RFC 5804 2.7 LISTSCRIPTS: one line per script, the active one marked ACTIVE. */
export const listscripts: CommandSpec = {
  name: 'LISTSCRIPTS',
  states: AUTH,
  minArgs: 0,
  maxArgs: 0,
  run: (ctx) =>
    guarded(ctx, async () => {
      const lines = (await ctx.services.store.listSieveScripts(userOf(ctx).id)).map(
        (s) => `${encodeString(s.name)}${s.active ? ' ACTIVE' : ''}\r\n`,
      );
      await ctx.send(lines.join('') + response('OK', null, null));
    }),
};

/** RFC 5804 2.8 SETACTIVE name; "" deactivates. */
export const setactive: CommandSpec = {
  name: 'SETACTIVE',
  states: AUTH,
  minArgs: 1,
  maxArgs: 1,
  run: (ctx, args) =>
    guarded(ctx, async () => {
      const name = str(args[0]);
      await ctx.services.store.activateSieveScript(userOf(ctx).id, name === '' ? null : name);
      await ctx.send(response('OK', null, null));
    }),
};

/** RFC 5804 2.9 GETSCRIPT name: the script as a literal. */
export const getscript: CommandSpec = {
  name: 'GETSCRIPT',
  states: AUTH,
  minArgs: 1,
  maxArgs: 1,
  run: (ctx, args) =>
    guarded(ctx, async () => {
      const script = await ctx.services.store.getSieveScript(userOf(ctx).id, str(args[0]));
      if (script === null) {
        await ctx.send(response('NO', 'NONEXISTENT', 'There is no script by that name'));
        return;
      }
      await ctx.send(`{${Buffer.byteLength(script, 'utf8')}}\r\n${script}\r\n` + response('OK', null, null));
    }),
};

/** RFC 5804 2.10 DELETESCRIPT name (never the active one). */
export const deletescript: CommandSpec = {
  name: 'DELETESCRIPT',
  states: AUTH,
  minArgs: 1,
  maxArgs: 1,
  run: (ctx, args) =>
    guarded(ctx, async () => {
      await ctx.services.store.deleteSieveScript(userOf(ctx).id, str(args[0]));
      await ctx.send(response('OK', null, null));
    }),
};

/** RFC 5804 2.11.1 RENAMESCRIPT old new. */
export const renamescript: CommandSpec = {
  name: 'RENAMESCRIPT',
  states: AUTH,
  minArgs: 2,
  maxArgs: 2,
  run: (ctx, args) =>
    guarded(ctx, async () => {
      await ctx.services.store.renameSieveScript(userOf(ctx).id, str(args[0]), str(args[1]));
      await ctx.send(response('OK', null, null));
    }),
};
