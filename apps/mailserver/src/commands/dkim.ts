import type { DkimAlgorithm } from '@minimail/store';
import { CliError } from '../cli-error.js';
import { println } from '../io.js';
import type { CommandSpec } from './command.js';
import { txtStrings } from './dns.js';
import { withStore } from './with-store.js';

/** CLI spelling of each algorithm. */
const ALGORITHMS: Record<string, DkimAlgorithm> = { rsa: 'rsa-sha256', ed25519: 'ed25519-sha256' };

export const dkimCommands: Record<string, CommandSpec> = {
  'dkim generate': {
    usage: 'dkim generate DOMAIN [--algorithm rsa|ed25519] [--selector S]',
    summary: 'make a DKIM signing key for DOMAIN (replaces the old one); prints its DNS record',
    arity: 1,
    options: {
      algorithm: { type: 'string', description: 'rsa (RSA 2048, default) or ed25519' },
      selector: { type: 'string', description: 'DNS selector (default mmYYYYMM)' },
    },
    run: async ({ config, io, args: [domain], options }) => {
      // Loaded on use: the DKIM helpers live in the SMTP package, which other commands do not need.
      const { dkimRecordName, dkimRecordValue, defaultSelector, generateDkimKey } =
        await import('@minimail/smtp');
      const name = typeof options['algorithm'] === 'string' ? options['algorithm'] : 'rsa';
      const algorithm = ALGORITHMS[name.toLowerCase()];
      if (algorithm === undefined) throw new CliError(`--algorithm must be rsa or ed25519, not "${name}"`, 2);
      const selector = typeof options['selector'] === 'string' ? options['selector'] : defaultSelector();
      return withStore(config, async (store) => {
        const key = await store.setDkimKey(domain!, generateDkimKey(algorithm, selector));
        println(io.stdout, `${dkimRecordName(key)}. IN TXT ${txtStrings(dkimRecordValue(key))}`);
      });
    },
  },
  'dkim show': {
    usage: 'dkim show DOMAIN',
    summary: "print DOMAIN's DKIM selector, algorithm and DNS record",
    arity: 1,
    run: async ({ config, io, args: [domain] }) => {
      const { dkimRecordName, dkimRecordValue } = await import('@minimail/smtp');
      await withStore(config, async (store) => {
        const key = await store.getDkimKey(domain!);
        if (key === null)
          throw new CliError(`no DKIM key for ${domain}: run \`minimail dkim generate ${domain}\``);
        println(io.stdout, `selector\t${key.selector}`);
        println(io.stdout, `algorithm\t${key.algorithm}`);
        println(io.stdout, `created\t${key.createdAt.toISOString()}`);
        println(io.stdout, `${dkimRecordName(key)}. IN TXT ${txtStrings(dkimRecordValue(key))}`);
      });
    },
  },
};
