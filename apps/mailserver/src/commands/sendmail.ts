/**
 * `minimail sendmail`: a drop-in for /usr/sbin/sendmail that submits to the local minimail SMTP
 * listener, for PHP's mail() (`sendmail_path = "/path/to/minimail sendmail -t -i"`), cron and
 * scripts. Its arguments are sendmail's, not minimail's: main.ts hands them over unparsed.
 */
import { userInfo } from 'node:os';
import { CliError } from '../cli-error.js';
import type { Config } from '../config.js';
import { println, type CliIo } from '../io.js';
import { EX, parseSendmailArgs } from '../sendmail/args.js';
import { prepareMessage } from '../sendmail/message.js';
import { relaySmtp, submit } from '../sendmail/submit.js';
import type { CommandSpec } from './command.js';

/** Room for the headers sendmail adds beyond the server's message size limit, before refusing. */
const HEADER_ALLOWANCE = 64 * 1024;

/** Reads stdin up to `limit` bytes; more is refused before anything is sent. */
async function readMessage(io: CliIo, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new CliError(`sendmail: the message is larger than ${limit} bytes`, EX.DATAERR);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Where the local SMTP listener answers: a wildcard bind is reached on loopback. */
function serverHost(config: Config): string {
  return config.bind === '0.0.0.0' ? '127.0.0.1' : config.bind === '::' ? '::1' : config.bind;
}

/** The login name, as sendmail takes the envelope sender from it when -f is not given. */
function loginName(io: CliIo): string {
  const fromEnv = io.env['USER'] ?? io.env['LOGNAME'];
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'nobody';
  }
}

export const SENDMAIL_USAGE =
  'sendmail [-t] [-i|-oi] [-f SENDER] [-F NAME] [-bs] [RECIPIENT...]  (message on stdin)';

/** Runs sendmail with its own argv; the config is loaded here (it may come from --config). */
export async function runSendmail(
  argv: readonly string[],
  io: CliIo,
  load: (file: string | undefined) => Config,
): Promise<void> {
  const args = parseSendmailArgs(argv);
  const config = load(args.configFile);
  const port = config.ports.smtp;
  if (port === 0)
    throw new CliError('sendmail: the SMTP listener is off (MINIMAIL_SMTP_PORT=0)', EX.UNAVAILABLE);
  const host = serverHost(config);
  if (args.smtpOnStdio) return relaySmtp(host, port, io.stdin, io.stdout);

  const sender = args.sender ?? `${loginName(io)}@${config.hostname}`;
  const input = await readMessage(io, config.maxMessageSize + HEADER_ALLOWANCE);
  const message = prepareMessage(input, {
    ignoreDots: args.ignoreDots,
    extractRecipients: args.extractRecipients,
    sender: sender === '' ? `MAILER-DAEMON@${config.hostname}` : sender,
    fullName: args.fullName,
    hostname: config.hostname,
  });
  const recipients = [...new Set([...args.recipients, ...message.headerRecipients])];
  if (recipients.length === 0) {
    throw new CliError('sendmail: no recipients (give them as arguments, or -t to read To/Cc/Bcc)', EX.USAGE);
  }
  const result = await submit({ host, port, name: config.hostname, sender, recipients, raw: message.raw });
  if (result.rejected.length > 0) {
    for (const error of result.errors) println(io.stderr, `minimail: sendmail: ${error}`);
    throw new CliError(`sendmail: refused: ${result.rejected.join(', ')}`, EX.NOUSER);
  }
}

/** Listed for help and completion; main.ts runs `runSendmail` with the raw words instead. */
export const sendmailCommand: CommandSpec = {
  usage: SENDMAIL_USAGE,
  summary: "a drop-in for /usr/sbin/sendmail (PHP's mail(), cron): submits to the local SMTP listener",
  arity: [0, Number.MAX_SAFE_INTEGER],
  run: () => Promise.reject(new CliError('sendmail runs with its own arguments (main.ts)')),
};
