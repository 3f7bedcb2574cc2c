/**
 * The `minimail` command line: commander parses the words (program.ts), the configuration is loaded
 * once, and one command runs. Every failure ends as one line on stderr and a non-zero exit code
 * (1 failed, 2 usage); help and --version go to stdout with exit 0.
 */
import { CommanderError } from 'commander';
import { StoreError } from '@minimail/store';
import { CliError } from './cli-error.js';
import { aliasCommands } from './commands/alias.js';
import { backupCommands } from './commands/backup.js';
import type { CommandSpec } from './commands/command.js';
import { completionCommand } from './commands/completion.js';
import { demoCommand } from './commands/demo.js';
import { dkimCommands } from './commands/dkim.js';
import { sieveCommands } from './commands/sieve.js';
import { dnsCommand } from './commands/dns.js';
import { domainCommands } from './commands/domain.js';
import { mailboxCommands } from './commands/mailbox.js';
import { runSendmail, sendmailCommand } from './commands/sendmail.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { migrateCommand } from './commands/migrate.js';
import { storeCommands } from './commands/store.js';
import { queueCommands } from './commands/queue.js';
import { userCommands } from './commands/user.js';
import { ConfigError, loadConfig } from './config.js';
import { println, type CliIo } from './io.js';
import { buildProgram, commandPath, oneLine, printHelp } from './program.js';
import { closest } from './suggest.js';

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
  status: statusCommand,
  migrate: migrateCommand,
  ...storeCommands,
  completion: completionCommand,
  sendmail: sendmailCommand,
};

/**
 * `minimail [--config FILE] sendmail ARGS`: sendmail's own single-dash options (`-oi`, `-fa@b`)
 * are no commander options, so its words go to it unparsed (`--help` still shows its help).
 */
function sendmailWords(argv: string[]): string[] | null {
  const lead = argv[0] === '--config' ? 2 : 0;
  if (argv[lead] !== 'sendmail' || argv.includes('--help')) return null;
  return [...argv.slice(lead + 1), ...argv.slice(0, lead)];
}

/** `minimail help user add` is `minimail user add --help` (commander's help command takes one word). */
function expandHelp(argv: string[]): string[] {
  return argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const built = buildProgram(COMMANDS, io);
  try {
    const sendmail = sendmailWords(argv);
    if (sendmail !== null) {
      await runSendmail(sendmail, io, (file) => loadConfig({ env: io.env, file }));
      return 0;
    }
    try {
      await built.program.parseAsync(expandHelp(argv), { from: 'user' });
    } catch (err) {
      if (!(err instanceof CommanderError)) throw err;
      if (err.exitCode === 0) return 0; // --help, --version: already printed to stdout
      const failed = built.lastError();
      const message = oneLine(failed?.message ?? err.message);
      const usage = failed ? built.usageOf(failed.command) : undefined;
      const where = failed ? commandPath(failed.command) : '';
      throw new CliError(usage ? `${where}: ${message} (usage: minimail ${usage})` : message, 2);
    }
    const outcome = built.outcome();
    switch (outcome.kind) {
      case 'none':
        printHelp(io.stderr, built.program);
        return 2;
      case 'group-help':
        printHelp(io.stdout, outcome.command);
        return 0;
      case 'unknown': {
        const word = outcome.words.at(-1)!;
        const guess = closest(word, outcome.candidates);
        const prefix = outcome.words.slice(0, -1).join(' ');
        const suggestion = guess === undefined ? '' : ` (did you mean ${`${prefix} ${guess}`.trim()}?)`;
        throw new CliError(`unknown command: ${outcome.words.join(' ')}${suggestion}`, 2);
      }
      case 'run': {
        const { spec, args } = outcome;
        const [min, max] = typeof spec.arity === 'number' ? [spec.arity, spec.arity] : spec.arity;
        if (args.length < min || args.length > max) throw new CliError(`usage: minimail ${spec.usage}`, 2);
        const file = built.program.opts<{ config?: string }>().config;
        const config = loadConfig({ env: io.env, file });
        await spec.run({ config, io, args, options: outcome.options, json: outcome.json });
        return 0;
      }
    }
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
