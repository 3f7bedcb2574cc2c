/**
 * Spam filtering through the whole app with Debian's Rspamd (started privately on loopback):
 * MINIMAIL_RSPAMD_URL turns the MX checks on, a borderline message lands in Junk, and moving
 * messages into and out of Junk over IMAP teaches Rspamd (MINIMAIL_RSPAMD_CONTROLLER_URL).
 */
import { hasRspamd, startRspamd, type RspamdServer } from '@minimail/smtp/testing';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

describe.skipIf(!hasRspamd)('minimail serve with Rspamd', () => {
  let rspamd: RspamdServer;
  let data: ReturnType<typeof tempDataDir>;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    rspamd = await startRspamd();
  }, 180_000);
  afterAll(async () => rspamd?.cleanup());
  afterEach(async () => {
    await server?.stop();
    data.cleanup();
  });

  it('files a borderline message into Junk; IMAP moves into and out of Junk teach Rspamd', async () => {
    data = tempDataDir();
    const smtpPort = await freePort();
    const imapPort = await freePort();
    const env = cliEnv(data.dir, {
      MINIMAIL_SMTP_PORT: String(smtpPort),
      MINIMAIL_IMAP_PORT: String(imapPort),
      MINIMAIL_RSPAMD_URL: rspamd.url,
      MINIMAIL_RSPAMD_CONTROLLER_URL: rspamd.controllerUrl,
    });
    server = await startServer([], env);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const mail = (subject: string, test: string) =>
      transport.sendMail({
        from: 'Alice <alice@remote.test>',
        to: 'Bob <bob@example.test>',
        subject,
        text: `${subject}: see you at noon`,
        headers: { 'X-Minimail-Test': test },
      });
    await mail('borderline offer', 'borderline');
    await mail('lunch', 'none');
    const list = (await runCli(['mailbox', 'list', 'bob@example.test'], env)).stdout.split('\n');
    expect(list).toContain('Junk\t1');
    expect(list).toContain('INBOX\t1');

    const before = (await rspamd.stat()).learned;
    // On a timeout, say what the server logged about learning (a refusal, a timeout, a busy statfile).
    const learnLog = () =>
      (server?.output() ?? '')
        .split('\n')
        .filter((line) => /rspamd/.test(line))
        .join('\n');
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      auth: { user: 'bob@example.test', pass: 'any' },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await client.connect();
    try {
      let lock = await client.getMailboxLock('Junk');
      try {
        await client.messageMove('1', 'INBOX');
      } finally {
        lock.release();
      }
      await until(async () => (await rspamd.stat()).learned === before + 1, learnLog);
      lock = await client.getMailboxLock('INBOX');
      try {
        await client.messageMove('1', 'Junk');
      } finally {
        lock.release();
      }
      await until(async () => (await rspamd.stat()).learned === before + 2, learnLog);
    } finally {
      await client.logout();
    }
    await server.waitFor(/rspamd: learned ham from an IMAP move/);
    await server.waitFor(/rspamd: learned spam from an IMAP move/);
  }, 180_000);
});

// Learning is asynchronous to the MOVE and Rspamd's controller is slow on a loaded machine: wide margin.
async function until(
  check: () => Promise<boolean>,
  explain: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time; server log:\n${explain()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
