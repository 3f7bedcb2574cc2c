/**
 * `minimail demo`: the send vs receive split, shown on the wire. One message goes in by SMTP, comes
 * out by POP3 (download) and by IMAP (read in place), and every protocol line of the three
 * conversations is printed. Meant for the dev profile, whose plaintext logins accept any password.
 */
import { CliError } from '../cli-error.js';
import { Conversation } from '../demo/conversation.js';
import { println } from '../io.js';
import type { CommandContext, CommandSpec } from './command.js';

/** SMTP multi-line replies continue with `NNN-` and end with `NNN ` (RFC 5321 4.2.1). */
const isLastSmtpLine = (line: string): boolean => /^\d{3}(?: |$)/.test(line);

function expectCode(line: string, code: string, what: string): void {
  if (!line.startsWith(code)) throw new CliError(`${what}: expected ${code}, got: ${line}`);
}

/** Opens a conversation, or fails with one line that says what to do (nothing listening, usually). */
async function connect(
  what: string,
  host: string,
  port: number,
  print: (line: string) => void,
): Promise<Conversation> {
  try {
    return await Conversation.open(host, port, print);
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : (err as Error).message;
    throw new CliError(`cannot reach ${what} at ${host}:${port} (${reason}): is \`minimail serve\` running?`);
  }
}

export const demoCommand: CommandSpec = {
  usage: 'demo [--to ADDRESS] [--password P] [--host HOST]',
  summary: 'send one message by SMTP, read it by POP3 and IMAP, printing every protocol line',
  arity: 0,
  options: {
    to: { type: 'string', description: 'recipient and login (default demo@example.test)' },
    password: { type: 'string', description: 'login password (any works in the dev profile)' },
    host: { type: 'string', description: 'server address (default 127.0.0.1)' },
  },
  run: async (ctx) => {
    try {
      await runDemo(ctx);
    } catch (err) {
      // A server that stops answering mid-way is an expected failure too: one line, no stack.
      if (err instanceof CliError) throw err;
      throw new CliError(`demo: ${(err as Error).message}`);
    }
  },
};

async function runDemo({ config, io, options }: CommandContext): Promise<void> {
  if (config.profile !== 'dev') {
    throw new CliError('demo speaks plaintext on the dev ports; run it against the dev profile');
  }
  const { smtp, pop3, imap } = config.ports;
  if (smtp === 0 || pop3 === 0 || imap === 0) throw new CliError('demo needs the SMTP, POP3 and IMAP ports');
  const to = typeof options['to'] === 'string' ? options['to'] : 'demo@example.test';
  const password = typeof options['password'] === 'string' ? options['password'] : 'any';
  const host = typeof options['host'] === 'string' ? options['host'] : '127.0.0.1';
  const subject = `minimail demo ${new Date().toISOString()}`;
  const print = (line: string): void => println(io.stdout, line);

  print(`== SEND: SMTP to ${host}:${smtp} - the message goes into the store ==`);
  const s = await connect('SMTP', host, smtp, print);
  expectCode(await s.line(), '220', 'SMTP greeting');
  s.send('EHLO demo.localhost');
  expectCode((await s.until(isLastSmtpLine)).at(-1)!, '250', 'EHLO');
  s.send('MAIL FROM:<demo-sender@localhost>');
  expectCode(await s.line(), '250', 'MAIL FROM');
  s.send(`RCPT TO:<${to}>`);
  expectCode(await s.line(), '250', 'RCPT TO');
  s.send('DATA');
  expectCode(await s.line(), '354', 'DATA');
  for (const line of [
    `From: <demo-sender@localhost>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    '',
    'Hello from the send side.',
    '.',
  ]) {
    s.send(line);
  }
  expectCode(await s.line(), '250', 'end of DATA');
  s.send('QUIT');
  await s.line();
  s.close();

  print('');
  print(`== RECEIVE: POP3 from ${host}:${pop3} - download (a client would DELE + QUIT to remove it) ==`);
  const p = await connect('POP3', host, pop3, print);
  expectCode(await p.line(), '+OK', 'POP3 greeting');
  p.send(`USER ${to}`);
  expectCode(await p.line(), '+OK', 'USER');
  p.send(`PASS ${password}`, 'PASS ********');
  expectCode(await p.line(), '+OK', 'PASS');
  p.send('STAT');
  const stat = await p.line();
  expectCode(stat, '+OK', 'STAT');
  const count = Number(stat.split(' ')[1]);
  p.send(`RETR ${count}`); // the newest message: ours
  expectCode(await p.line(), '+OK', 'RETR');
  await p.until((line) => line === '.');
  p.send('QUIT');
  await p.line();
  p.close();

  print('');
  print(`== RECEIVE: IMAP from ${host}:${imap} - read in place, with flags and folders ==`);
  const i = await connect('IMAP', host, imap, print);
  expectCode(await i.line(), '* OK', 'IMAP greeting');
  const tagged = (tag: string) => (line: string) => line.startsWith(`${tag} `);
  i.send(`a1 LOGIN "${to}" "${password.replace(/["\\]/g, '\\$&')}"`, `a1 LOGIN "${to}" "********"`);
  expectCode((await i.until(tagged('a1'))).at(-1)!, 'a1 OK', 'LOGIN');
  i.send('a2 SELECT INBOX');
  expectCode((await i.until(tagged('a2'))).at(-1)!, 'a2 OK', 'SELECT');
  i.send(`a3 UID SEARCH SUBJECT "${subject}"`);
  const search = await i.until(tagged('a3'));
  const uid = search
    .find((line) => line.startsWith('* SEARCH '))
    ?.split(' ')
    .at(-1);
  if (!uid) throw new CliError('IMAP did not find the message');
  i.send(`a4 UID FETCH ${uid} (FLAGS BODY[TEXT])`);
  expectCode((await i.until(tagged('a4'))).at(-1)!, 'a4 OK', 'FETCH');
  i.send(`a5 UID FETCH ${uid} (FLAGS)`);
  await i.until(tagged('a5'));
  i.send('a6 LOGOUT');
  await i.until(tagged('a6'));
  i.close();
  print('');
  print('The same stored bytes served both: POP3 streamed them, IMAP read them and set \\Seen.');
  const journey = await journeyUrl(host, config.ports.http, subject);
  print('');
  print(
    journey === null
      ? 'Journey: run the http service (port 8025) to watch this message travel in the browser.'
      : `Journey (the three sessions above, explained): ${journey}`,
  );
}

/** How long the demo waits for the HTTP API to name the message it sent. */
const JOURNEY_LOOKUP_TIMEOUT_MS = 5_000;

/**
 * The web app's Journey tab for the message the demo sent (issue 16), found by its subject through
 * /api/v1/search; null when the http service is off or does not answer.
 */
async function journeyUrl(host: string, port: number, subject: string): Promise<string | null> {
  if (port === 0) return null;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    const response = await fetch(
      `${base}/api/v1/search?query=${encodeURIComponent(`subject:"${subject}"`)}`,
      {
        signal: AbortSignal.timeout(JOURNEY_LOOKUP_TIMEOUT_MS),
      },
    );
    if (!response.ok) return null;
    const { messages } = (await response.json()) as { messages?: Array<{ ID: string }> };
    const id = messages?.[0]?.ID;
    return id === undefined ? null : `${base}/?message=${encodeURIComponent(id)}&tab=journey`;
  } catch {
    return null;
  }
}
