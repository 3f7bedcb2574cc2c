import { CliError } from '../cli-error.js';
import { println, readAll, type CliIo } from '../io.js';
import type { CommandContext, CommandSpec } from './command.js';
import { withStore } from './with-store.js';

const passwordOptions = {
  password: { type: 'string', description: 'the password (visible in `ps`; prefer --password-stdin)' },
  'password-stdin': { type: 'boolean', description: 'read the password from standard input' },
} as const;

/** The password from --password or stdin; exactly one of them. */
async function passwordFrom({ options, io }: Pick<CommandContext, 'options' | 'io'>): Promise<string> {
  const inline = options['password'];
  const fromStdin = options['password-stdin'] === true;
  if (typeof inline === 'string' && fromStdin) {
    throw new CliError('give either --password or --password-stdin, not both', 2);
  }
  const password = typeof inline === 'string' ? inline : fromStdin ? await readAll(io.stdin) : undefined;
  if (password === undefined)
    throw new CliError('a password is required: --password P or --password-stdin', 2);
  if (password.length === 0) throw new CliError('the password must not be empty');
  return password;
}

function printUsers(io: CliIo, users: { address: string }[]): void {
  for (const user of users) println(io.stdout, user.address);
}

export const userCommands: Record<string, CommandSpec> = {
  'user add': {
    usage: 'user add ADDRESS (--password P | --password-stdin)',
    summary: 'create a mailbox owner with the default mailboxes',
    arity: 1,
    options: passwordOptions,
    run: async (ctx) => {
      const password = await passwordFrom(ctx);
      await withStore(ctx.config, async (store) => void (await store.addUser(ctx.args[0]!, password)));
    },
  },
  'user passwd': {
    usage: 'user passwd ADDRESS (--password P | --password-stdin)',
    summary: "change a user's password",
    arity: 1,
    options: passwordOptions,
    run: async (ctx) => {
      const password = await passwordFrom(ctx);
      await withStore(ctx.config, (store) => store.setPassword(ctx.args[0]!, password));
    },
  },
  'user del': {
    usage: 'user del ADDRESS',
    summary: 'delete a user with all of its mail',
    arity: 1,
    run: ({ config, args: [address] }) => withStore(config, (store) => store.removeUser(address!)),
  },
  'user list': {
    usage: 'user list',
    summary: 'print every user address, one a line',
    arity: 0,
    run: ({ config, io }) => withStore(config, async (store) => printUsers(io, await store.listUsers())),
  },
};
