import { CliError } from '../cli-error.js';
import { isTty, printRows, readAll } from '../io.js';
import { promptNewPassword } from '../prompt.js';
import type { CommandContext, CommandSpec } from './command.js';
import { withStore } from './with-store.js';

const passwordOptions = {
  password: {
    type: 'string',
    description:
      'the password (visible in `ps`; prefer --password-stdin, or neither to be asked on a terminal)',
  },
  'password-stdin': { type: 'boolean', description: 'read the password from standard input' },
} as const;

/** The password from --password or stdin (at most one of them), else asked for on a terminal. */
async function passwordFrom({ options, io }: Pick<CommandContext, 'options' | 'io'>): Promise<string> {
  const inline = options['password'];
  const fromStdin = options['password-stdin'] === true;
  if (typeof inline === 'string' && fromStdin) {
    throw new CliError('give either --password or --password-stdin, not both', 2);
  }
  const password =
    typeof inline === 'string'
      ? inline
      : fromStdin
        ? await readAll(io.stdin)
        : isTty(io.stdin)
          ? await promptNewPassword(io.stdin, io.stderr)
          : undefined;
  if (password === undefined)
    throw new CliError('a password is required: --password P or --password-stdin', 2);
  if (password.length === 0) throw new CliError('the password must not be empty');
  return password;
}

export const userCommands: Record<string, CommandSpec> = {
  'user add': {
    usage: 'user add ADDRESS [--password P | --password-stdin]',
    summary: 'create a mailbox owner with the default mailboxes',
    arity: 1,
    options: passwordOptions,
    run: async (ctx) => {
      const password = await passwordFrom(ctx);
      await withStore(ctx.config, async (store) => void (await store.addUser(ctx.args[0]!, password)));
    },
  },
  'user passwd': {
    usage: 'user passwd ADDRESS [--password P | --password-stdin]',
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
    usage: 'user list [--json]',
    summary: 'print every user address, one a line (--json adds each quota and its use)',
    arity: 0,
    json: true,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const users = [];
        for (const user of await store.listUsers()) {
          const quota = await store.getQuota(user.address);
          users.push({
            address: user.address,
            hasPassword: user.hasPassword,
            createdAt: user.createdAt.toISOString(),
            quota: {
              limitBytes: quota.limitBytes,
              limitMessages: quota.limitMessages,
              usedBytes: quota.usedBytes,
              usedMessages: quota.usedMessages,
            },
          });
        }
        printRows(ctx, users, (user) => user.address);
      }),
  },
};
