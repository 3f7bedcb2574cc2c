import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { startMailServer, type MailServer } from './index.js';

describe('startMailServer', () => {
  let mail: MailServer | undefined;
  afterEach(async () => {
    await mail?.stop();
    mail = undefined;
  });

  it('catches mail on port 0, serves it over IMAP and HTTP, waits for it, resets', async () => {
    mail = await startMailServer();
    for (const port of [mail.smtp, mail.submission, mail.imap, mail.pop3, mail.http]) {
      expect(port).toBeGreaterThan(0);
    }
    const waiting = mail.waitFor({ to: 'Bob@Example.test', subject: /welcome/i, timeout: 20_000 });
    const transport = nodemailer.createTransport({
      host: mail.host,
      port: mail.smtp,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'app@example.test',
      to: 'bob@example.test',
      subject: 'other',
      text: 'x',
    });
    await transport.sendMail({
      from: 'app@example.test',
      to: 'bob@example.test',
      subject: 'Welcome, Bob',
      text: 'Your code is 123456: https://app.test/c?t=1',
      html: '<a href="https://app.test/c?t=1">go</a>',
    });
    transport.close();
    const message = await waiting;
    expect(message).toMatchObject({
      to: 'bob@example.test',
      from: 'app@example.test',
      subject: 'Welcome, Bob',
      text: 'Your code is 123456: https://app.test/c?t=1',
      html: '<a href="https://app.test/c?t=1">go</a>',
    });
    expect(message.raw.toString()).toContain('Subject: Welcome, Bob\r\n');
    expect((await mail.messages({ to: 'bob@example.test' })).map((m) => m.subject)).toEqual([
      'other',
      'Welcome, Bob',
    ]);

    const imap = new ImapFlow({
      host: mail.host,
      port: mail.imap,
      secure: false,
      auth: { user: 'bob@example.test', pass: 'any' },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    await imap.connect();
    const status = await imap.status('INBOX', { messages: true });
    await imap.logout();
    expect(status && status.messages).toBe(2);

    const health = await fetch(`http://${mail.host}:${mail.http}/healthz`);
    expect(health.status).toBe(200);

    await mail.reset();
    expect(await mail.messages()).toEqual([]);
  });

  it('rejects waitFor at its timeout, naming what it waited for', async () => {
    mail = await startMailServer({ services: ['smtp'] });
    await expect(mail.waitFor({ to: 'nobody@example.test', timeout: 300 })).rejects.toThrow(
      '@minimail/testing: no message to nobody@example.test within 300 ms',
    );
    expect(() => mail!.imap).toThrow('@minimail/testing: the imap service was not started');
  });

  it('removes its temporary directory when stopped (await using)', async () => {
    let dir = '';
    {
      await using server = await startMailServer({ services: ['smtp'] });
      dir = server.dataDir;
      expect(existsSync(dir)).toBe(true);
    }
    expect(existsSync(dir)).toBe(false);
  });
});
