/**
 * The command line of /usr/sbin/sendmail, as Postfix's and Exim's drop-ins take it. Its options are
 * single-dash words with attached values (`-oi`, `-fuser@host`, `-bs`), which no modern parser
 * reads, so this is its own small parser. Options that only tune classic sendmail's queueing
 * (`-odb`, `-oem`, `-B8BITMIME`, `-v`...) are accepted and ignored, as the Postfix drop-in does.
 */
import { CliError } from '../cli-error.js';

/** sysexits.h codes: what callers of sendmail (PHP, cron, mailx) read from the exit status. */
export const EX = {
  USAGE: 64,
  DATAERR: 65,
  NOUSER: 67,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  TEMPFAIL: 75,
} as const;

export interface SendmailArgs {
  /** -t: recipients also come from the To, Cc and Bcc headers (Bcc is then removed). */
  extractRecipients: boolean;
  /** -i / -oi: a line holding only "." is message text, not the end of input. */
  ignoreDots: boolean;
  /** -bs: speak SMTP on stdin/stdout (relayed to the local server). */
  smtpOnStdio: boolean;
  /** -f / -r: the envelope sender. */
  sender: string | undefined;
  /** -F: the sender's full name, for a From header made when the message has none. */
  fullName: string | undefined;
  recipients: string[];
  /** --config FILE, the one minimail option taken here too. */
  configFile: string | undefined;
}

/** Options with a value (attached `-fa@b` or separate `-f a@b`). */
const WITH_VALUE = new Set(['f', 'r', 'F', 'B', 'N', 'R', 'V', 'X', 'C', 'h', 'L', 'O', 'p', 'q']);
/** Options without a value that change nothing here. */
const IGNORED = new Set(['m', 'n', 'U', 'v', 'G', 'A']);

export function parseSendmailArgs(argv: readonly string[]): SendmailArgs {
  const parsed: SendmailArgs = {
    extractRecipients: false,
    ignoreDots: false,
    smtpOnStdio: false,
    sender: undefined,
    fullName: undefined,
    recipients: [],
    configFile: undefined,
  };
  for (let at = 0; at < argv.length; at++) {
    const arg = argv[at]!;
    if (arg === '--') {
      parsed.recipients.push(...argv.slice(at + 1));
      break;
    }
    if (arg === '--config') {
      parsed.configFile = argv[++at];
      if (parsed.configFile === undefined) throw new CliError('sendmail: --config needs a file', EX.USAGE);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.recipients.push(arg);
      continue;
    }
    const flag = arg[1]!;
    const rest = arg.slice(2);
    if (flag === 't' && rest === '') parsed.extractRecipients = true;
    else if (flag === 'i' && rest === '') parsed.ignoreDots = true;
    else if (flag === 'o') {
      // -oi is -i; every other -oX (-odb, -oem, -oQ...) tunes classic sendmail's queue: ignored.
      if (rest === 'i') parsed.ignoreDots = true;
    } else if (flag === 'b') {
      if (rest === 's') parsed.smtpOnStdio = true;
      else if (rest !== 'm')
        throw new CliError(`sendmail: -b${rest} is not supported (only -bm and -bs)`, EX.USAGE);
    } else if (WITH_VALUE.has(flag)) {
      const value = rest !== '' ? rest : argv[++at];
      if (value === undefined) throw new CliError(`sendmail: -${flag} needs a value`, EX.USAGE);
      if (flag === 'f' || flag === 'r') parsed.sender = value === '<>' ? '' : value.replace(/^<(.*)>$/, '$1');
      if (flag === 'F') parsed.fullName = value;
    } else if (!IGNORED.has(flag)) {
      throw new CliError(`sendmail: unknown option ${arg}`, EX.USAGE);
    }
  }
  return parsed;
}
