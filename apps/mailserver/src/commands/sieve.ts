/**
 * `minimail sieve ADDRESS list|put|get|activate|deactivate|delete`: the user's Sieve scripts, as
 * ManageSieve manages them. `put` checks the script first and names the line of an error.
 */
import { readFile } from 'node:fs/promises';
import { CliError } from '../cli-error.js';
import type { Readable } from 'node:stream';
import { println } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

/** All of standard input, as is (a script's final line break is part of it). */
async function readScript(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

const ACTIONS: Record<string, number> = { list: 0, put: 1, get: 1, activate: 1, deactivate: 0, delete: 1 };

export const sieveCommands: Record<string, CommandSpec> = {
  sieve: {
    usage: 'sieve ADDRESS list|put NAME [FILE]|get NAME|activate NAME|deactivate|delete NAME',
    summary: "manage ADDRESS's Sieve scripts (put reads FILE or standard input)",
    arity: [2, 4],
    run: async ({ config, io, args }) => {
      const [address, action, name, file] = args as [string, string, string?, string?];
      const needs = ACTIONS[action];
      if (needs === undefined)
        throw new CliError(
          `unknown sieve action "${action}" (list, put, get, activate, deactivate, delete)`,
          2,
        );
      if ((name === undefined ? 0 : 1) < needs) throw new CliError(`sieve ${action} needs a script NAME`, 2);
      if (file !== undefined && action !== 'put') throw new CliError(`sieve ${action} takes no FILE`, 2);
      const { compileScript, SieveParseError } = await import('@minimail/sieve');
      await withStore(config, async (store) => {
        const user = await store.getUser(address.toLowerCase());
        if (user === null) throw new CliError(`no user ${address}`);
        const scripts = store;
        {
          switch (action) {
            case 'list':
              for (const s of await scripts.listSieveScripts(user.id))
                println(io.stdout, s.active ? `${s.name}\tactive` : s.name);
              return;
            case 'put': {
              const source =
                file === undefined || file === '-'
                  ? await readScript(io.stdin)
                  : await readFile(file, 'utf8');
              try {
                compileScript(source);
              } catch (error) {
                if (error instanceof SieveParseError)
                  throw new CliError(`script not stored: ${error.message}`);
                throw error;
              }
              await scripts.putSieveScript(user.id, name!, source);
              println(io.stdout, `stored ${name} for ${user.address}`);
              return;
            }
            case 'get': {
              const source = await scripts.getSieveScript(user.id, name!);
              if (source === null) throw new CliError(`${user.address} has no script "${name}"`);
              io.stdout.write(source.endsWith('\n') ? source : source + '\n');
              return;
            }
            case 'activate':
              await scripts.activateSieveScript(user.id, name!);
              println(io.stdout, `${name} is now the active script of ${user.address}`);
              return;
            case 'deactivate':
              await scripts.activateSieveScript(user.id, null);
              println(io.stdout, `${user.address} has no active script`);
              return;
            case 'delete':
              await scripts.deleteSieveScript(user.id, name!);
              println(io.stdout, `deleted ${name}`);
              return;
          }
        }
      });
    },
  },
  vacation: {
    usage: 'vacation ADDRESS on|off [MESSAGE]',
    summary: "turn ADDRESS's vacation reply on (MESSAGE, or standard input) or off, without writing Sieve",
    arity: [2, 3],
    options: {
      subject: {
        type: 'string',
        description: 'subject of the reply (default: "Auto: " + the original subject)',
      },
      days: { type: 'string', description: 'answer each sender once per this many days (1-30, default 7)' },
      from: { type: 'string', description: 'From address of the reply (default: the user)' },
    },
    run: async ({ config, io, args, options }) => {
      const [address, state, message] = args as [string, string, string?];
      if (state !== 'on' && state !== 'off') throw new CliError(`vacation ${state}: say on or off`, 2);
      // The settings -> script code is shared with the web app's vacation form (@minimail/sieve).
      const { applyVacation, VacationSettingsError, VACATION_DEFAULT_DAYS } = await import('@minimail/sieve');
      await withStore(config, async (store) => {
        const user = await store.getUser(address.toLowerCase());
        if (user === null) throw new CliError(`no user ${address}`);
        const text = state === 'off' ? '' : (message ?? (await readScript(io.stdin)));
        if (state === 'on' && text.trim() === '')
          throw new CliError('vacation on needs a MESSAGE (or standard input)', 2);
        const days = options['days'] === undefined ? VACATION_DEFAULT_DAYS : Number(options['days']);
        const text$ = (value: string | boolean | undefined): string | null =>
          typeof value === 'string' ? value : null;
        try {
          await applyVacation(store, user.id, {
            enabled: state === 'on',
            message: text,
            days,
            subject: text$(options['subject']),
            from: text$(options['from']),
            addresses: [],
          });
        } catch (error) {
          if (!(error instanceof VacationSettingsError)) throw error;
          throw new CliError(error.message.startsWith('days') ? `--${error.message}` : error.message, 2);
        }
        println(
          io.stdout,
          state === 'off'
            ? `vacation reply of ${user.address} is off`
            : `vacation reply of ${user.address} is on (each sender once per ${days} days)`,
        );
      });
    },
  },
};
