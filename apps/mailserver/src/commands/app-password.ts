import { CliError } from '../cli-error.js';
import { println, printRows } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

/**
 * `minimail user app-password add|list|revoke ADDRESS [NAME]`: one two-word command with the action
 * as its first argument, so the words read as the issue asks on a two-level command tree.
 */
export const appPasswordCommands: Record<string, CommandSpec> = {
  'user app-password': {
    usage: 'user app-password (add ADDRESS NAME | list ADDRESS | revoke ADDRESS NAME) [--json]',
    summary: 'per-device passwords for IMAP, POP3 and submission: add prints a new one once',
    arity: [2, 3],
    json: true,
    run: (ctx) => {
      const [action, address, name] = ctx.args as [string, string, string | undefined];
      const needsName = action === 'add' || action === 'revoke';
      if (!['add', 'list', 'revoke'].includes(action) || needsName !== (name !== undefined)) {
        throw new CliError(
          'usage: minimail user app-password (add ADDRESS NAME | list ADDRESS | revoke ADDRESS NAME)',
          2,
        );
      }
      return withStore(ctx.config, async (store) => {
        if (action === 'add') {
          const { password } = await store.addAppPassword(address, name!);
          // The secret is shown this once; only its hash is kept.
          println(ctx.io.stdout, password);
        } else if (action === 'revoke') {
          await store.removeAppPassword(address, name!);
        } else {
          const list = (await store.listAppPasswords(address)).map((p) => ({
            name: p.name,
            createdAt: p.createdAt.toISOString(),
          }));
          printRows(ctx, list, (p) => `${p.name}\t${p.createdAt}`);
        }
      });
    },
  },
};
