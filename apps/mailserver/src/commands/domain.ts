import { printRows } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

export const domainCommands: Record<string, CommandSpec> = {
  'domain add': {
    usage: 'domain add DOMAIN',
    summary: 'accept mail for DOMAIN (production profile)',
    arity: 1,
    run: ({ config, args: [name] }) =>
      withStore(config, async (store) => void (await store.addDomain(name!))),
  },
  'domain list': {
    usage: 'domain list [--json]',
    summary: 'print every local domain, one a line',
    arity: 0,
    json: true,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const domains = (await store.listDomains()).map((domain) => ({ name: domain.name }));
        printRows(ctx, domains, (domain) => domain.name);
      }),
  },
  'domain del': {
    usage: 'domain del DOMAIN',
    summary: 'stop accepting mail for DOMAIN (it must have no users left)',
    arity: 1,
    run: ({ config, args: [name] }) => withStore(config, (store) => store.removeDomain(name!)),
  },
};
