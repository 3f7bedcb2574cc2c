import { CliError } from '../cli-error.js';
import { printRows } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

export const mailboxCommands: Record<string, CommandSpec> = {
  'mailbox list': {
    usage: 'mailbox list ADDRESS [--json]',
    summary: "print each of a user's mailboxes as NAME<tab>MESSAGE-COUNT",
    arity: 1,
    json: true,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const address = ctx.args[0];
        const user = await store.getUser(address!);
        if (!user) throw new CliError(`no such user: ${address}`);
        // INBOX first, then the rest by name: the order mail clients show.
        const mailboxes = (await store.listMailboxes(user.id)).sort(
          (a, b) => Number(b.name === 'INBOX') - Number(a.name === 'INBOX') || a.name.localeCompare(b.name),
        );
        const rows = [];
        for (const mailbox of mailboxes) {
          const { messages, unseen, size } = await store.mailboxStatus(mailbox.id);
          rows.push({ name: mailbox.name, messages, unseen, size });
        }
        printRows(ctx, rows, (row) => `${row.name}\t${row.messages}`);
      }),
  },
};
