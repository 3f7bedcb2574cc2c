/**
 * Two minimail nodes on one PostgreSQL database (issue 13, docs/adr/0015), each a real `minimail
 * serve` with its own data dir and MINIMAIL_DATABASE_URL pointing at a private cluster the test
 * starts: SMTP into node A wakes an IDLE client on node B within a second; a POP3 session on A
 * makes B answer [IN-USE]; relay workers on both nodes deliver each queued entry exactly once; and
 * SIGKILL of node A under SMTP load loses no acknowledged message.
 */
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { RawClient } from '@minimail/protocol/testing';
import { openPostgresStore, type MailStore } from '@minimail/store';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from '@minimail/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cliEnv,
  freePort,
  pop3ReadyCount,
  REPLY,
  startServer,
  tempDataDir,
  type RunningServer,
} from './support.js';

const HAVE_POSTGRES = postgresBinDir() !== null;
if (!HAVE_POSTGRES)
  console.warn('SKIPPED: two nodes on PostgreSQL: postgresql is not installed (.ci/run installs it)');

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!HAVE_POSTGRES)('two nodes, one PostgreSQL database', () => {
  let cluster: PostgresCluster;
  let databaseUrl: string;
  const servers: RunningServer[] = [];
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  const stores: MailStore[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) dir.cleanup();
  });

  /** A fresh database per test, and env for a node on it with its own data dir (its TLS files). */
  async function freshDatabase(): Promise<void> {
    databaseUrl = cluster.url(await cluster.createDatabase());
  }
  function nodeEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    const data = tempDataDir();
    dirs.push(data);
    return cliEnv(data.dir, { MINIMAIL_DATABASE_URL: databaseUrl, ...extra });
  }
  async function node(services: string, extra: Record<string, string>): Promise<RunningServer> {
    const server = await startServer(['--services', services], nodeEnv(extra));
    servers.push(server);
    return server;
  }
  async function inspect(): Promise<MailStore> {
    const store = await openPostgresStore({ url: databaseUrl, poolSize: 2 });
    stores.push(store);
    return store;
  }

  it('SMTP into node A wakes IDLE on node B within a second; POP3 on A makes B answer [IN-USE]', async () => {
    await freshDatabase();
    const [smtpA, pop3A, imapB, pop3B] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    await node('smtp,pop3', { MINIMAIL_SMTP_PORT: String(smtpA), MINIMAIL_POP3_PORT: String(pop3A) });
    await node('imap,pop3', { MINIMAIL_IMAP_PORT: String(imapB), MINIMAIL_POP3_PORT: String(pop3B) });
    const user = 'idle@example.test';
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpA,
      secure: false,
      ignoreTLS: true,
    });
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: imapB,
      secure: false,
      auth: { user, pass: 'any' },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    try {
      await transport.sendMail({
        from: 'x@localhost',
        to: user,
        subject: 'first',
        text: 'creates the account',
      });
      const exists: number[] = [];
      imap.on('exists', (data: { count: number }) => exists.push(data.count));
      await imap.connect();
      const mailbox = await imap.mailboxOpen('INBOX');
      expect(mailbox.exists).toBe(1);
      const idling = imap.idle();
      await new Promise((resolve) => setTimeout(resolve, 200)); // let IDLE start
      const sentAt = Date.now();
      await transport.sendMail({ from: 'x@localhost', to: user, subject: 'second', text: 'wakes node B' });
      await waitFor('EXISTS on node B', () => exists.includes(2), 5000);
      expect(Date.now() - sentAt).toBeLessThan(1000);

      // A POP3 session on node A holds the maildrop; node B refuses a second one (RFC 2449 [IN-USE]).
      const popA = await RawClient.connect(pop3A);
      await popA.expect(REPLY.pop3Greeting);
      popA.send(`USER ${user}`);
      await popA.expect(REPLY.pop3SendPass);
      popA.send('PASS any');
      expect(pop3ReadyCount(await popA.readLine())).toBe(2);
      const popB = await RawClient.connect(pop3B);
      await popB.expect(REPLY.pop3Greeting);
      popB.send(`USER ${user}`);
      await popB.expect(REPLY.pop3SendPass);
      popB.send('PASS any');
      await popB.expect('-ERR [IN-USE] maildrop is locked by another session');
      await popB.close();
      popA.send('QUIT');
      await popA.expect('+OK bye, 2 messages left');
      await popA.close();
      // Released on A's QUIT: node B may have it now.
      const again = await RawClient.connect(pop3B);
      await again.expect(REPLY.pop3Greeting);
      again.send(`USER ${user}`);
      await again.expect(REPLY.pop3SendPass);
      again.send('PASS any');
      expect(pop3ReadyCount(await again.readLine())).toBe(2);
      again.send('QUIT');
      await again.close();
      await imap.logout();
      await idling;
    } finally {
      if (imap.usable) await imap.logout().catch(() => undefined);
      transport.close();
    }
  });

  it('relay workers on both nodes deliver each queued entry exactly once', async () => {
    await freshDatabase();
    // The stand-in remote MX counts what it receives, per recipient.
    const received = new Map<string, number>();
    const mx = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          for (const rcpt of session.envelope.rcptTo)
            received.set(rcpt.address, (received.get(rcpt.address) ?? 0) + 1);
          callback();
        });
      },
    });
    const mxPort = await freePort();
    await new Promise<void>((resolve) => mx.listen(mxPort, '127.0.0.1', resolve));
    try {
      const recipients = Array.from({ length: 40 }, (_, i) => `r${i}@remote.test`);
      const store = await inspect();
      await store.addDomain('local.test');
      for (let i = 0; i < recipients.length; i += 8)
        await store.deliver({
          raw: Buffer.from(`From: a@local.test\r\nTo: x@remote.test\r\nSubject: batch ${i}\r\n\r\nhello\r\n`),
          targets: [],
          outbound: { sender: 'a@local.test', recipients: recipients.slice(i, i + 8) },
        });
      const relay = {
        MINIMAIL_PROFILE: 'production',
        MINIMAIL_HOSTNAME: 'mail.local.test',
        MINIMAIL_RELAY_RESOLVE_TO: '127.0.0.1',
        MINIMAIL_RELAY_PORT: String(mxPort),
        MINIMAIL_RETRY_SCHEDULE: '1s',
      };
      await Promise.all([node('relay', relay), node('relay', relay)]);
      await waitFor('the queue to drain', async () => (await store.listOutbound()).length === 0, 30_000);
      expect([...received.entries()].sort()).toEqual(recipients.map((r) => [r, 1]).sort());
    } finally {
      await new Promise<void>((resolve) => mx.close(() => resolve()));
    }
  });

  it('loses no acknowledged message when node A is SIGKILLed under SMTP load', async () => {
    await freshDatabase();
    const [smtpA, smtpB] = [await freePort(), await freePort()];
    const a = await node('smtp', { MINIMAIL_SMTP_PORT: String(smtpA) });
    await node('smtp', { MINIMAIL_SMTP_PORT: String(smtpB) });
    const acknowledged = new Set<string>();
    const sender = async (n: number, port: number): Promise<void> => {
      for (let i = 0; i < 200; i += 1) {
        const id = `s${n}-m${i}`;
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port,
          secure: false,
          ignoreTLS: true,
        });
        try {
          await transport.sendMail({
            from: 'load@localhost',
            to: `rcpt${n % 3}@example.test`,
            subject: id,
            headers: { 'X-Test-Id': id },
            text: 'x'.repeat(2000),
          });
          acknowledged.add(id);
        } catch {
          return; // node A is gone: this sender stops
        } finally {
          transport.close();
        }
      }
    };
    const senders = Array.from({ length: 8 }, (_, n) => sender(n, smtpA));
    // Node B keeps taking mail meanwhile: the database is shared, the kill is node A's alone.
    const survivor = sender(99, smtpB);
    await waitFor('some acknowledged messages', () => acknowledged.size >= 40, 30_000);
    a.kill('SIGKILL');
    await a.exited;
    await Promise.all(senders);
    await survivor;
    const store = await inspect();
    const stored = new Set<string>();
    for (const address of ['rcpt0@example.test', 'rcpt1@example.test', 'rcpt2@example.test']) {
      const user = await store.getUser(address);
      const inbox = user === null ? null : await store.getMailbox(user.id, 'INBOX');
      if (inbox === null) continue;
      for (const message of await store.listMessages(inbox.id)) {
        // nodemailer spells the header X-Test-ID.
        const id = /^X-Test-Id: (\S+)/im.exec(
          (await store.readBody(message.bodyHash)).toString('latin1'),
        )?.[1];
        if (id !== undefined) stored.add(id);
      }
    }
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(40);
  });
});
