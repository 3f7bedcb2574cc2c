import { CliError } from '../cli-error.js';
import { readAll } from '../io.js';
import { runExport, runImport } from '../mail-transfer.js';
import type { CommandSpec } from './command.js';

export const transferCommands: Record<string, CommandSpec> = {
  import: {
    usage: 'import ADDRESS (MAILDIR | MBOX | DIR-OF-MBOX | imap[s]://USER@HOST[:PORT])',
    summary: 'move mail in: flags, dates and folders kept; run again to resume (nothing is stored twice)',
    arity: 2,
    options: {
      folder: { type: 'string', description: 'for one mbox file: the folder to import into (default INBOX)' },
      'password-stdin': {
        type: 'boolean',
        description: 'IMAP: read the remote password from standard input',
      },
      'insecure-tls': { type: 'boolean', description: 'IMAP: accept a certificate that does not verify' },
    },
    run: async ({ config, io, args: [address, location], options }) => {
      const password = options['password-stdin'] === true ? await readAll(io.stdin) : undefined;
      await runImport(config, io, {
        address: address!,
        location: location!,
        ...(typeof options['folder'] === 'string' ? { folder: options['folder'] } : {}),
        ...(password !== undefined ? { password } : {}),
        insecureTls: options['insecure-tls'] === true,
      });
    },
  },
  export: {
    usage: 'export ADDRESS DIR [--format maildir|mbox]',
    summary: 'move mail out: every folder as a Maildir++ tree (default) or one mbox file per folder',
    arity: 2,
    options: { format: { type: 'string', description: 'maildir (default) or mbox' } },
    run: async ({ config, io, args: [address, location], options }) => {
      const format = options['format'] ?? 'maildir';
      if (format !== 'maildir' && format !== 'mbox')
        throw new CliError('--format must be maildir or mbox', 2);
      await runExport(config, io, { address: address!, location: location!, format });
    },
  },
};
