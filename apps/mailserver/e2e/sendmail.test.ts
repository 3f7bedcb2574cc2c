/**
 * `minimail sendmail` as PHP's mail() calls it (`sendmail_path = "minimail sendmail -t -i"`): the
 * message on stdin with LF line endings, recipients in To/Cc/Bcc. What arrives is read back from
 * the store byte for byte.
 */
import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '@minimail/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

/** What PHP's mail() writes to sendmail's stdin: its headers, a blank line, the body, LF endings. */
const PHP_MESSAGE = [
  'To: Bob <bob@example.test>',
  'Subject: Welcome',
  'X-PHP-Originating-Script: 0:signup.php',
  'From: app@example.test',
  'Cc: carol@example.test',
  'Bcc: dave@example.test, "Eve, Q." <eve@example.test>',
  '',
  'Line one',
  '.',
  'The line above was a lone dot: with -i it is text.',
  '',
].join('\n');

describe('minimail sendmail', () => {
  let data: ReturnType<typeof tempDataDir>;
  let env: NodeJS.ProcessEnv;
  let server: RunningServer | undefined;
  beforeEach(async () => {
    data = tempDataDir();
    env = cliEnv(data.dir, { MINIMAIL_SMTP_PORT: String(await freePort()) });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    data.cleanup();
  });

  async function inbox(address: string): Promise<string[]> {
    const store = openStore({ path: path.join(data.dir, 'minimail.sqlite') });
    try {
      const user = await store.getUser(address);
      if (!user) return [];
      const mailbox = await store.getMailbox(user.id, 'INBOX');
      const messages = await store.listMessages(mailbox!.id);
      return Promise.all(messages.map(async (m) => (await store.readBody(m.bodyHash)).toString('latin1')));
    } finally {
      await store.close();
    }
  }

  it('delivers PHP-style input with -t -i to To, Cc and Bcc, without the Bcc header', async () => {
    server = await startServer(['--services', 'smtp'], env);
    const result = await runCli(['sendmail', '-t', '-i', '-f', 'bounces@example.test'], env, PHP_MESSAGE);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });

    for (const address of [
      'bob@example.test',
      'carol@example.test',
      'dave@example.test',
      'eve@example.test',
    ]) {
      const [raw, ...more] = await inbox(address);
      expect(more).toEqual([]);
      expect(raw).toBeDefined();
      // The server's trace headers come first; then the message as PHP wrote it, in CRLF.
      expect(raw).toMatch(/^Return-Path: <bounces@example\.test>\r\n/);
      const start = raw!.indexOf('To: Bob <bob@example.test>\r\n');
      const message = raw!.slice(start);
      expect(message).toMatch(
        new RegExp(
          '^To: Bob <bob@example\\.test>\\r\\n' +
            'Subject: Welcome\\r\\n' +
            'X-PHP-Originating-Script: 0:signup\\.php\\r\\n' +
            'From: app@example\\.test\\r\\n' +
            'Cc: carol@example\\.test\\r\\n' +
            'Date: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000\\r\\n' +
            'Message-ID: <[0-9a-f]{24}@localhost>\\r\\n' +
            '\\r\\n' +
            'Line one\\r\\n' +
            '\\.\\r\\n' +
            'The line above was a lone dot: with -i it is text\\.\\r\\n$',
        ),
      );
      expect(raw).not.toMatch(/^Bcc:/im);
    }
  });

  it('takes recipients as arguments; without -i a lone dot ends the message', async () => {
    server = await startServer(['--services', 'smtp'], env);
    const input = 'Subject: cron\n\nfirst\n.\nnever sent\n';
    const result = await runCli(
      ['sendmail', '-oi', '-odb', '-fcron@example.test', 'root@example.test'],
      env,
      input,
    );
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    const [withDots] = await inbox('root@example.test');
    expect(withDots).toMatch(/\r\n\r\nfirst\r\n\.\r\nnever sent\r\n$/);
    // A From header is made from the envelope sender when the message has none.
    expect(withDots).toContain('From: <cron@example.test>\r\n');

    expect(await runCli(['sendmail', 'ops@example.test'], env, input)).toMatchObject({ code: 0 });
    const [cut] = await inbox('ops@example.test');
    expect(cut).toMatch(/\r\n\r\nfirst\r\n$/);
  });

  it('speaks SMTP on stdin/stdout with -bs', async () => {
    server = await startServer(['--services', 'smtp'], env);
    // A -bs caller waits for each reply before the next command (RFC 5321 4.3; DATA ends a pipeline).
    const dialog: [reply: RegExp, command: string][] = [
      [/^220 localhost ESMTP minimail\r\n$/, 'EHLO script.test'],
      [/^250 SIZE \d+\r\n$/m, 'MAIL FROM:<script@example.test>'],
      [/^250 2\.1\.0 Accepted\r\n$/, 'RCPT TO:<bs@example.test>'],
      [/^250 2\.1\.5 Accepted\r\n$/, 'DATA'],
      [/^354 End data with <CR><LF>\.<CR><LF>\r\n$/, 'Subject: over -bs\r\n\r\nhello\r\n.'],
      [/^250 2\.6\.0 Message accepted for delivery\r\n$/, 'QUIT'],
      [/^221 2\.0\.0 Bye\r\n$/, ''],
    ];
    const child = spawn(process.execPath, [BIN, 'sendmail', '-bs'], {
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const seen: string[] = [];
    let pending = '';
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const [reply, command] = dialog[0] ?? [];
      // A reply is complete at its last line (a space after the code, RFC 5321 4.2.1).
      if (reply && /(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(pending)) {
        seen.push(pending);
        if (reply.test(pending)) {
          dialog.shift();
          if (command) child.stdin.write(`${command}\r\n`);
          else child.stdin.end();
        } else child.stdin.end();
        pending = '';
      }
    });
    expect(await done).toBe(0);
    expect(dialog).toEqual([]);
    expect(seen).toHaveLength(7);
    expect(await inbox('bs@example.test')).toHaveLength(1);
  });

  it('works when installed as `sendmail` (a symlink to the bin)', async () => {
    server = await startServer(['--services', 'smtp'], env);
    const link = path.join(data.dir, 'sendmail');
    symlinkSync(BIN, link);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [link, '-t'], { env, stdio: ['pipe', 'inherit', 'inherit'] });
      child.on('close', resolve);
      child.stdin.end('To: link@example.test\nSubject: via symlink\n\nhi\n');
    });
    expect(code).toBe(0);
    expect(await inbox('link@example.test')).toHaveLength(1);
  });

  it('fails with sendmail exit codes and one line', async () => {
    // Nothing listens: EX_TEMPFAIL (75), so a caller may try again later.
    const down = await runCli(['sendmail', '-t'], env, 'To: a@example.test\n\nx\n');
    expect(down.code).toBe(75);
    expect(down.stderr).toMatch(
      /^minimail: sendmail: cannot reach the SMTP server at 127\.0\.0\.1:\d+ \(connection refused\): is `minimail serve` running\?\n$/,
    );
    // No recipient anywhere: EX_USAGE (64).
    expect(await runCli(['sendmail'], env, 'Subject: x\n\nx\n')).toEqual({
      code: 64,
      stdout: '',
      stderr: 'minimail: sendmail: no recipients (give them as arguments, or -t to read To/Cc/Bcc)\n',
    });
    expect(await runCli(['sendmail', '-bp'], env, '')).toMatchObject({
      code: 64,
      stderr: 'minimail: sendmail: -bp is not supported (only -bm and -bs)\n',
    });
    const help = await runCli(['sendmail', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: minimail sendmail [-t] [-i|-oi]');
  });
});
