/**
 * The command tree on commander: one leaf per CommandSpec, grouped by its first word (`user add` is
 * `add` under `user`). Commander parses; the outcome (what to run, or which help or error to show)
 * is handed back to main.ts, which owns configuration, exit codes and the one-line error format.
 *
 * Global options (`--config FILE`, `--help`, `--version`) are recognised anywhere on the line:
 * commander's program scans every word for its own options before it dispatches.
 */
import { Command, Help, Option } from 'commander';
import type { CommandSpec } from './commands/command.js';
import { println, type CliIo } from './io.js';
import { cliVersion } from './version.js';

/** What each group of two-word commands is about, for `minimail --help` and `minimail GROUP`. */
export const GROUP_SUMMARIES: Record<string, string> = {
  domain: 'local domains: mail for them is accepted (production profile)',
  user: 'users: mailbox owners, their passwords, app passwords and quotas',
  alias: 'aliases and catch-alls',
  mailbox: "a user's mailboxes and how much mail they hold",
  dkim: 'DKIM signing keys',
  queue: 'the outbound queue (production relay)',
  store: 'the store as a whole: copy it between SQLite and PostgreSQL',
};

export const ENVIRONMENT_HELP = [
  'Environment (wins over --config FILE): MINIMAIL_DATA_DIR, MINIMAIL_PROFILE (dev|production),',
  '  MINIMAIL_HOSTNAME, MINIMAIL_BIND,',
  '  MINIMAIL_<SMTP|SUBMISSION|SUBMISSIONS|POP3|POP3S|IMAP|IMAPS|HTTP>_PORT (0 = off)',
  '  relay: MINIMAIL_SMARTHOST=host:port, MINIMAIL_SMARTHOST_USER/_PASSWORD/_TLS, MINIMAIL_RETRY_SCHEDULE,',
  '  MINIMAIL_QUEUE_LIFETIME, MINIMAIL_DELAY_WARNING, MINIMAIL_INBOUND_CHECKS, MINIMAIL_DMARC_REJECT',
  '  store: MINIMAIL_DATABASE_URL=postgres://... (unset: SQLite in the data dir), MINIMAIL_DATABASE_POOL_SIZE,',
  '  MINIMAIL_DATABASE_STATEMENT_TIMEOUT, MINIMAIL_DATABASE_TLS, MINIMAIL_DATABASE_CA',
].join('\n');

export type Outcome =
  | { kind: 'none' }
  | { kind: 'group-help'; command: Command }
  | { kind: 'unknown'; words: string[]; candidates: string[] }
  | {
      kind: 'run';
      name: string;
      spec: CommandSpec;
      args: string[];
      options: Record<string, string | boolean | undefined>;
      json: boolean;
    };

export interface BuiltProgram {
  program: Command;
  outcome(): Outcome;
  /** The last parse error commander reported, and the command it was about. */
  lastError(): { command: Command; message: string } | null;
  /** A command's full usage line (`user add ADDRESS ...`), for messages about it. */
  usageOf(command: Command): string | undefined;
  /** Global options every command accepts (`--config FILE`), as `{flag, takesValue}`. */
  globalOptions: readonly { flag: string; takesValue: boolean }[];
}

/** `--to ADDRESS` in a usage line names the option's value; otherwise VALUE. */
function valueName(usage: string, key: string): string {
  const match = new RegExp(`--${key}[ =]([A-Za-z][\\w|,.-]*)`).exec(usage);
  return match?.[1] ?? 'VALUE';
}

function camel(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function buildProgram(commands: Record<string, CommandSpec>, io: CliIo): BuiltProgram {
  let outcome: Outcome = { kind: 'none' };
  let lastError: { command: Command; message: string } | null = null;
  /** How a command shows in its parent's list, and its full usage line (leaves only). */
  const terms = new Map<Command, string>();
  const usages = new Map<Command, string>();

  const output = (command: Command) => ({
    writeOut: (text: string) => void io.stdout.write(text),
    writeErr: (text: string) => void io.stderr.write(text),
    outputError: (text: string) => {
      lastError = { command, message: text };
    },
  });
  const helpConfig: Partial<Help> = {
    showGlobalOptions: true,
    subcommandTerm: (command: Command) => terms.get(command) ?? new Help().subcommandTerm(command),
  };
  const configure = (command: Command): Command =>
    command.exitOverride().configureOutput(output(command)).configureHelp(helpConfig).allowExcessArguments();

  const program = configure(new Command('minimail'))
    .usage('[--config FILE] COMMAND [ARGS]')
    .description('minimail: SMTP in, one store, POP3 and IMAP out. `minimail help COMMAND` for more.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--config <FILE>', 'JSON configuration file (environment variables win over it)')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [COMMAND...]', 'show help for a command or a group')
    .addHelpText('after', `\n${ENVIRONMENT_HELP}`)
    .argument('[command]')
    .action((word: string | undefined) => {
      outcome =
        word === undefined
          ? { kind: 'none' }
          : { kind: 'unknown', words: [word], candidates: program.commands.map((c) => c.name()) };
    });

  const groups = new Map<string, Command>();
  for (const [name, spec] of Object.entries(commands)) {
    const words = name.split(' ');
    let parent = program;
    if (words.length === 2) {
      const groupName = words[0]!;
      let group = groups.get(groupName);
      if (group === undefined) {
        const created = configure(new Command(groupName))
          .description(GROUP_SUMMARIES[groupName] ?? `${groupName} commands`)
          .usage('COMMAND [ARGS]')
          .helpCommand('help [COMMAND]', 'show help for a command')
          .argument('[command]')
          .action((word: string | undefined) => {
            outcome =
              word === undefined
                ? { kind: 'group-help', command: created }
                : {
                    kind: 'unknown',
                    words: [groupName, word],
                    candidates: created.commands.map((c) => c.name()),
                  };
          });
        terms.set(created, `${groupName} COMMAND`);
        program.addCommand(created);
        groups.set(groupName, created);
        group = created;
      }
      parent = group;
    }
    const leafName = words.at(-1)!;
    const leaf = configure(new Command(leafName))
      .description(spec.summary)
      .usage(spec.usage.slice(name.length).trim())
      .argument('[args...]');
    terms.set(leaf, words.length === 2 ? spec.usage.slice(words[0]!.length + 1) : spec.usage);
    usages.set(leaf, spec.usage);
    for (const [key, option] of Object.entries(spec.options ?? {})) {
      const flags = option.type === 'string' ? `--${key} <${valueName(spec.usage, key)}>` : `--${key}`;
      leaf.addOption(new Option(flags, option.description));
    }
    if (spec.json) leaf.addOption(new Option('--json', 'print JSON instead of text lines'));
    leaf.action((args: string[], opts: Record<string, string | boolean | undefined>) => {
      const options: Record<string, string | boolean | undefined> = {};
      for (const key of Object.keys(spec.options ?? {})) options[key] = opts[camel(key)];
      outcome = { kind: 'run', name, spec, args, options, json: opts['json'] === true };
    });
    parent.addCommand(leaf);
  }

  return {
    program,
    outcome: () => outcome,
    lastError: () => lastError,
    usageOf: (command) => usages.get(command),
    globalOptions: [{ flag: '--config', takesValue: true }],
  };
}

/** The full command words of a commander command (`user add`), without the program name. */
export function commandPath(command: Command): string {
  const words: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) words.unshift(at.name());
  return words.join(' ');
}

/** Commander's "error: ...\n(Did you mean x?)" as one line in our style. */
export function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean (.*)\?\)\s*$/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

export function printHelp(out: CliIo['stdout'], command: Command): void {
  println(out, command.helpInformation().trimEnd());
}
