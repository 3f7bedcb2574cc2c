/**
 * The `minimail` command line: parses the words, loads the configuration once, and runs one command.
 * Every failure ends as one line on stderr and a non-zero exit code (1 failed, 2 usage).
 */
import { parseArgs } from 'node:util';
import { StoreError } from '@minimail/store';
import { CliError } from './cli-error.js';
import { aliasCommands } from './commands/alias.js';
import { backupCommands } from './commands/backup.js';
import type { CommandSpec } from './commands/command.js';
import { demoCommand } from './commands/demo.js';
import { dkimCommands } from './commands/dkim.js';
import { sieveCommands } from './commands/sieve.js';
import { dnsCommand } from './commands/dns.js';
import { domainCommands } from './commands/domain.js';
import { mailboxCommands } from './commands/mailbox.js';
import { serveCommand } from './commands/serve.js';
import { queueCommands } from './commands/queue.js';
import { userCommands } from './commands/user.js';
import { ConfigError, loadConfig } from './config.js';
import { println, type CliIo } from './io.js';

export const COMMANDS: Record<string, CommandSpec> = {
  serve: serveCommand,
  ...domainCommands,
  ...userCommands,
  ...aliasCommands,
  ...mailboxCommands,
  ...backupCommands,
  demo: demoCommand,
  ...dkimCommands,
  ...sieveCommands,
  dns: dnsCommand,
  ...queueCommands,
};

const GLOBAL_OPTIONS = {
  config: { type: 'string', description: 'JSON configuration file (environment variables win over it)' },
  help: { type: 'boolean', description: 'show this help' },
} as const;

export function usage(): string {
  const lines = ['usage: minimail [--config FILE] COMMAND [ARGS]', '', 'commands:'];
  for (const spec of Object.values(COMMANDS)) lines.push(`  ${spec.usage.padEnd(52)} ${spec.summary}`);
  lines.push('', 'environment: MINIMAIL_DATA_DIR, MINIMAIL_PROFILE (dev|production), MINIMAIL_HOSTNAME,');
  lines.push(
    '  MINIMAIL_BIND, MINIMAIL_<SMTP|SUBMISSION|SUBMISSIONS|POP3|POP3S|IMAP|IMAPS|HTTP>_PORT (0 = off)',
  );
  lines.push(
    '  relay: MINIMAIL_SMARTHOST=host:port, MINIMAIL_SMARTHOST_USER/_PASSWORD/_TLS, MINIMAIL_RETRY_SCHEDULE,',
    '  MINIMAIL_QUEUE_LIFETIME, MINIMAIL_DELAY_WARNING, MINIMAIL_INBOUND_CHECKS, MINIMAIL_DMARC_REJECT',
  );
  return lines.join('\n');
}

/** Finds the longest command name (one or two words) at the start of argv. */
function findCommand(argv: string[]): { name: string; rest: string[] } | null {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  for (const count of [2, 1]) {
    const name = words.slice(0, count).join(' ');
    if (COMMANDS[name]) {
      const rest = [...argv];
      for (const word of words.slice(0, count)) rest.splice(rest.indexOf(word), 1);
      return { name, rest };
    }
  }
  return null;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    const found = findCommand(argv);
    if (!found) {
      if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
        println(argv.length === 0 ? io.stderr : io.stdout, usage());
        return argv.length === 0 ? 2 : 0;
      }
      throw new CliError(
        `unknown command: ${argv
          .filter((a) => !a.startsWith('-'))
          .slice(0, 2)
          .join(' ')}`,
        2,
      );
    }
    const spec = COMMANDS[found.name]!;
    let parsed;
    try {
      parsed = parseArgs({
        args: found.rest,
        options: { ...GLOBAL_OPTIONS, ...(spec.options ?? {}) },
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new CliError(`${found.name}: ${(err as Error).message} (usage: minimail ${spec.usage})`, 2);
    }
    if (parsed.values.help) {
      println(io.stdout, `usage: minimail ${spec.usage}\n  ${spec.summary}`);
      return 0;
    }
    const [min, max] = typeof spec.arity === 'number' ? [spec.arity, spec.arity] : spec.arity;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new CliError(`usage: minimail ${spec.usage}`, 2);
    }
    const config = loadConfig({ env: io.env, file: parsed.values.config as string | undefined });
    await spec.run({ config, io, args: parsed.positionals, options: parsed.values });
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      println(io.stderr, `minimail: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      println(io.stderr, `minimail: configuration: ${err.message}`);
      return 2;
    }
    if (err instanceof StoreError) {
      println(io.stderr, `minimail: ${err.message}`);
      return 1;
    }
    println(
      io.stderr,
      `minimail: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return 1;
  }
}
