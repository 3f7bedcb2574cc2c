/**
 * The docker-compose shape: SMTP, POP3 and IMAP in separate processes over one data dir. An IMAP
 * client in IDLE hears of an SMTP delivery made by another process, and of a POP3 delete made by a
 * third, each within a second (DESIGN.md promises; RFC 2177 IDLE).
 */
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { RawClient } from '@minimail/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cliEnv,
  freePort,
  pop3Bye,
  pop3ReadyCount,
  REPLY,
  startServer,
  tempDataDir,
  type RunningServer,
} from './support.js';

const USER = 'idle@example.test';
const WITHIN_MS = 1000;

describe('one data dir, three processes', () => {
  let data: ReturnType<typeof tempDataDir> | undefined;
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await server.stop();
    }
    data?.cleanup();
  });

  it('tells an IDLE client of another process delivery and of a POP3 delete within a second', async () => {
    data = tempDataDir();
    const smtpPort = await freePort();
    const pop3Port = await freePort();
    const imapPort = await freePort();
    const env = cliEnv(data.dir, {
      MINIMAIL_SMTP_PORT: String(smtpPort),
      MINIMAIL_POP3_PORT: String(pop3Port),
      MINIMAIL_IMAP_PORT: String(imapPort),
    });
    servers.push(await startServer(['--services', 'smtp'], env));
    servers.push(await startServer(['--services', 'imap'], env));
    servers.push(await startServer(['--services', 'pop3'], env));

    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'x@localhost',
      to: USER,
      subject: 'first',
      text: 'creates the account',
    });

    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      auth: { user: USER, pass: 'any' },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    const events: Array<{ kind: string; at: number }> = [];
    client.on('exists', () => events.push({ kind: 'exists', at: Date.now() }));
    client.on('expunge', () => events.push({ kind: 'expunge', at: Date.now() }));
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const idling = client.idle();
      await new Promise((resolve) => setTimeout(resolve, 200)); // let IDLE start

      const sentAt = Date.now();
      await transport.sendMail({ from: 'x@localhost', to: USER, subject: 'second', text: 'wakes the idler' });
      await waitFor(() => events.some((e) => e.kind === 'exists'), 5000);
      const exists = events.find((e) => e.kind === 'exists')!;
      expect(exists.at - sentAt).toBeLessThan(WITHIN_MS);

      const pop = await RawClient.connect(pop3Port);
      await pop.expect(REPLY.pop3Greeting);
      pop.send(`USER ${USER}`);
      await pop.expect(REPLY.pop3SendPass);
      pop.send('PASS any');
      expect(pop3ReadyCount(await pop.readLine())).toBe(2);
      pop.send('DELE 1');
      await pop.expect('+OK message 1 deleted');
      pop.send('QUIT');
      await pop.expect(pop3Bye(1));
      const deletedAt = Date.now();
      await pop.close();
      await waitFor(() => events.some((e) => e.kind === 'expunge'), 5000);
      const expunge = events.find((e) => e.kind === 'expunge')!;
      expect(expunge.at - deletedAt).toBeLessThan(WITHIN_MS);
      await client.logout(); // ends IDLE (imapflow sends DONE first)
      await idling;
    } finally {
      if (client.usable) await client.logout().catch(() => undefined);
      transport.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
