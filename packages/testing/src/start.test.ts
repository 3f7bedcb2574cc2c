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

  it('injects SMTP faults with mail.chaos(), the same engine as /api/v1/chaos, until reset', async () => {
    mail = await startMailServer({ services: ['smtp', 'submission', 'http'] });
    const off = { code: 451, probability: 0 };
    expect(mail.chaos()).toEqual({ mail: off, rcpt: off, data: off, auth: off });
    const send = async (port: number, subject: string) => {
      const transport = nodemailer.createTransport({
        host: mail!.host,
        port,
        secure: false,
        ignoreTLS: port === mail!.smtp,
        tls: { rejectUnauthorized: false },
        ...(port === mail!.submission ? { auth: { user: 'app@example.test', pass: 'any' } } : {}),
      });
      try {
        return await transport.sendMail({
          from: 'app@example.test',
          to: 'eve@example.test',
          subject,
          text: 'x',
        });
      } finally {
        transport.close();
      }
    };

    expect(mail.chaos({ rcpt: { code: 451, probability: 100 } })).toMatchObject({
      rcpt: { code: 451, probability: 100 },
      mail: off,
    });
    await expect(send(mail.smtp, 'refused')).rejects.toMatchObject({
      responseCode: 451,
      response: '451 4.7.0 Chaos: simulated recipient refused',
    });
    // The HTTP API reads and replaces the same triggers.
    const api = `http://${mail.host}:${mail.http}/api/v1/chaos`;
    expect(await (await fetch(api)).json()).toMatchObject({
      Recipient: { ErrorCode: 451, Probability: 100 },
    });
    const put = await fetch(api, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Data: { ErrorCode: 552, Probability: 100 } }),
    });
    expect(put.status).toBe(200);
    expect(mail.chaos()).toMatchObject({ rcpt: off, data: { code: 552, probability: 100 } });
    await expect(send(mail.submission, 'too big')).rejects.toMatchObject({
      responseCode: 552,
      response: '552 5.7.0 Chaos: simulated message refused',
    });
    // The MINIMAIL_CHAOS form; bad values are refused and change nothing.
    expect(mail.chaos('mail=421:100')).toMatchObject({ mail: { code: 421, probability: 100 }, data: off });
    await expect(send(mail.smtp, 'sender')).rejects.toMatchObject({ responseCode: 421 });
    expect(() => mail!.chaos({ auth: { code: 250, probability: 10 } })).toThrow(RangeError);
    expect(() => mail!.chaos('rcpt=451:101')).toThrow(RangeError);
    expect(mail.chaos().mail).toEqual({ code: 421, probability: 100 });

    // reset() turns chaos off: mail flows again, and nothing refused was stored.
    await mail.reset();
    expect(mail.chaos()).toEqual({ mail: off, rcpt: off, data: off, auth: off });
    await send(mail.smtp, 'accepted');
    expect((await mail.messages({ to: 'eve@example.test' })).map((m) => m.subject)).toEqual(['accepted']);
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
