import { CliError } from '../cli-error.js';
import { println } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

export const mailboxCommands: Record<string, CommandSpec> = {
  'mailbox list': {
    usage: 'mailbox list ADDRESS',
    summary: "print each of a user's mailboxes as NAME<tab>MESSAGE-COUNT",
    arity: 1,
    run: ({ config, io, args: [address] }) =>
      withStore(config, async (store) => {
        const user = await store.getUser(address!);
        if (!user) throw new CliError(`no such user: ${address}`);
        for (const mailbox of await store.listMailboxes(user.id)) {
          println(io.stdout, `${mailbox.name}\t${mailbox.messageCount}`);
        }
      }),
  },
};
