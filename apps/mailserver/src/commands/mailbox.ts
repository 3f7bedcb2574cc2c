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
        // INBOX first, then the rest by name: the order mail clients show.
        const mailboxes = (await store.listMailboxes(user.id)).sort(
          (a, b) => Number(b.name === 'INBOX') - Number(a.name === 'INBOX') || a.name.localeCompare(b.name),
        );
        for (const mailbox of mailboxes) {
          const { messages } = await store.mailboxStatus(mailbox.id);
          println(io.stdout, `${mailbox.name}\t${messages}`);
        }
      }),
  },
};
