import { printRows } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

export const aliasCommands: Record<string, CommandSpec> = {
  'alias add': {
    usage: 'alias add FROM TO',
    summary: 'deliver mail for FROM (an address, or @domain for a catch-all) to TO',
    arity: 2,
    run: ({ config, args: [from, to] }) =>
      withStore(config, async (store) => void (await store.addAlias(from!, to!))),
  },
  'alias del': {
    usage: 'alias del FROM [TO]',
    summary: 'remove an alias (every destination of FROM when TO is omitted)',
    arity: [1, 2],
    run: ({ config, args: [from, to] }) => withStore(config, (store) => store.removeAlias(from!, to)),
  },
  'alias list': {
    usage: 'alias list [--json]',
    summary: 'print every alias as FROM<tab>TO',
    arity: 0,
    json: true,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const aliases = (await store.listAliases()).map(({ source, destination }) => ({
          source,
          destination,
        }));
        printRows(ctx, aliases, (alias) => `${alias.source}\t${alias.destination}`);
      }),
  },
};
