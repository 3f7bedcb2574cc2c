/**
 * Issue 18, quotas at the SMTP door, through real clients (nodemailer, swaks, Python's smtplib)
 * and exact raw replies: RCPT to a full mailbox 452 4.2.2 (temporary), DATA that would pass the
 * quota 552 5.2.2 with nothing stored, a message that fits some recipients stored for them with a
 * bounce for the others, and the 90% warning. A delivery never passes a limit.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { RawSmtpClient } from './test-support/raw-client.js';
import { countAllMessages, HOSTNAME, inbox, startHarness, type Harness } from './test-support/harness.js';

const run = promisify(execFile);

let harness: Harness | null = null;
const clients: RawSmtpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await harness?.close();
  harness = null;
});

const message = (subject: string, bodyBytes = 10): string =>
  `From: sender@remote.test\r\nTo: bob@local.test\r\nSubject: ${subject}\r\n\r\n${'q'.repeat(bodyBytes)}\r\n`;

async function start(options: { sieve?: boolean } = {}): Promise<Harness> {
  harness = await startHarness({
    profile: 'production',
    service: 'mx',
    ...(options.sieve ? { sieve: {} } : {}),
  });
  await harness.store.addDomain('local.test');
  await harness.store.addUser('bob@local.test', 'bob-password');
  await harness.store.addUser('carol@local.test', 'carol-password');
  await harness.store.addAlias('team@local.test', 'bob@local.test');
  await harness.store.addAlias('team@local.test', 'carol@local.test');
  return harness;
}

async function session(h: Harness): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(h.port);
  clients.push(client);
  expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
  client.send('EHLO client.test');
  await client.reply();
  return client;
}

/** Stores messages for `address` straight through the store until `count` are there. */
async function fill(h: Harness, address: string, count: number): Promise<void> {
  const user = (await h.store.getUser(address))!;
  for (let n = 0; n < count; n += 1)
    await h.store.deliver({ raw: Buffer.from(message(`fill ${n}`)), targets: [{ userId: user.id }] });
}

function transport(h: Harness): ReturnType<typeof nodemailer.createTransport> {
  return nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true });
}

describe('SMTP and quotas', () => {
  it('refuses RCPT to a full mailbox with 452 4.2.2, and takes other recipients', async () => {
    const h = await start();
    await h.store.setQuota('bob@local.test', 2, 'MESSAGE');
    await fill(h, 'bob@local.test', 2);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<sender@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('452 4.2.2 Mailbox full, try again later');
    // An alias with room behind it (carol) is still accepted.
    expect(await client.command('RCPT TO:<team@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<carol@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    client.sendRaw(message('to carol') + '.\r\n');
    expect((await client.reply()).last).toMatch(/^250 2\.6\.0 /);
    expect(await inbox(h.store, 'carol@local.test')).toHaveLength(1);
    expect((await h.store.getQuota('bob@local.test')).usedMessages).toBe(2);
  });

  it('swaks sees the 452 4.2.2 at RCPT for a mailbox whose storage is used up', async () => {
    const h = await start();
    await fill(h, 'bob@local.test', 1);
    await h.store.setQuota('bob@local.test', (await h.store.getQuota('bob@local.test')).usedBytes);
    const result = await run(
      'swaks',
      ['--server', `127.0.0.1:${h.port}`, '--from', 'sender@remote.test', '--to', 'bob@local.test'],
      { timeout: 60_000 },
    ).catch((error: { stdout: string; code: number }) => error);
    expect(result.stdout).toContain('<** 452 4.2.2 Mailbox full, try again later');
    expect(await countAllMessages(h.store)).toBe(1);
  });

  it('refuses at RCPT a declared SIZE= that does not fit (Python smtplib)', async () => {
    const h = await start();
    await h.store.setQuota('bob@local.test', 5_000);
    const script = [
      'import smtplib, sys',
      `s = smtplib.SMTP("127.0.0.1", ${h.port}, timeout=30)`,
      's.ehlo("client.test")',
      'print(s.mail("sender@remote.test", ["SIZE=6000"]))',
      'print(s.rcpt("bob@local.test"))',
      's.rset()',
      'print(s.mail("sender@remote.test", ["SIZE=4000"]))',
      'print(s.rcpt("bob@local.test"))',
      's.quit()',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script], { timeout: 60_000 });
    expect(stdout.split('\n')).toEqual([
      "(250, b'2.1.0 Accepted')",
      "(452, b'4.2.2 Mailbox full, try again later')",
      "(250, b'2.1.0 Accepted')",
      "(250, b'2.1.5 Accepted')",
      '',
    ]);
  });

  it('refuses with 552 5.2.2 after DATA a message that would pass the quota, storing nothing (nodemailer)', async () => {
    const h = await start();
    await h.store.setQuota('bob@local.test', 1_000);
    const sent = transport(h).sendMail({
      envelope: { from: 'sender@remote.test', to: ['bob@local.test'] },
      raw: message('too big', 2_000),
    });
    await expect(sent).rejects.toMatchObject({
      responseCode: 552,
      response: "552 5.2.2 Mailbox full: the message exceeds the recipient's storage quota",
    });
    expect(await countAllMessages(h.store)).toBe(0);
    // One that fits goes in; the limit is never passed.
    await transport(h).sendMail({
      envelope: { from: 'sender@remote.test', to: ['bob@local.test'] },
      raw: message('fits', 100),
    });
    const quota = await h.store.getQuota('bob@local.test');
    expect(quota.usedMessages).toBe(1);
    expect(quota.usedBytes).toBeLessThanOrEqual(1_000);
  });

  it('stores for the recipients it fits and bounces 5.2.2 to the sender for the others', async () => {
    const h = await start();
    await h.store.addUser('sender@local.test', 'pw');
    await h.store.setQuota('bob@local.test', 1_000);
    const info = await transport(h).sendMail({
      envelope: { from: 'sender@local.test', to: ['bob@local.test', 'carol@local.test'] },
      raw: message('for both', 2_000),
    });
    expect(info.response).toMatch(/^250 2\.6\.0 /);
    expect(await inbox(h.store, 'bob@local.test')).toHaveLength(0);
    expect(await inbox(h.store, 'carol@local.test')).toHaveLength(1);
    const bounces = await inbox(h.store, 'sender@local.test');
    expect(bounces).toHaveLength(1);
    const dsn = bounces[0]!.toString('latin1');
    expect(dsn).toMatch(/^Return-Path: <>\r\n/);
    expect(dsn).toContain('Final-Recipient: rfc822; bob@local.test\r\n');
    expect(dsn).toContain('Status: 5.2.2\r\n');
    expect(dsn).not.toContain('Final-Recipient: rfc822; carol@local.test');
    expect(h.logs.find((line) => line['result'] === 'delivered')).toMatchObject({
      overQuota: ['bob@local.test'],
    });
  });

  it('leaves a warning in the INBOX when mail reaches 90% of the quota', async () => {
    const h = await start();
    await h.store.setQuota('bob@local.test', 10, 'MESSAGE');
    await fill(h, 'bob@local.test', 8);
    const mailer = transport(h);
    await mailer.sendMail({
      envelope: { from: 'sender@remote.test', to: ['bob@local.test'] },
      raw: message('ninth'),
    });
    const stored = await inbox(h.store, 'bob@local.test');
    expect(stored).toHaveLength(10);
    expect(stored[9]!.toString()).toContain('\r\nSubject: Your mailbox is 90% full\r\n');
    // Full now (the warning took the last place): RCPT is refused, nothing more is stored.
    await expect(
      mailer.sendMail({
        envelope: { from: 'sender@remote.test', to: ['bob@local.test'] },
        raw: message('11'),
      }),
    ).rejects.toMatchObject({ responseCode: 452 });
    expect((await h.store.getQuota('bob@local.test')).usedMessages).toBe(10);
  });
});

/** Stores and activates `script` for `address` (the harness runs Sieve at delivery). */
async function withScript(h: Harness, address: string, script: string): Promise<void> {
  const user = (await h.store.getUser(address))!;
  await h.scripts!.putSieveScript(user.id, 'main', script);
  await h.scripts!.activateSieveScript(user.id, 'main');
}

async function folder(h: Harness, address: string, name: string): Promise<string[]> {
  const user = (await h.store.getUser(address))!;
  const box = await h.store.getMailbox(user.id, name);
  if (!box) return [];
  const out: string[] = [];
  for (const m of await h.store.listMessages(box.id))
    out.push((await h.store.readBody(m.bodyHash)).toString('latin1'));
  return out;
}

const FILE_INTO_REPORTS = `require ["fileinto", "mailbox"];
fileinto :create "Reports";`;

describe('Sieve deliveries and quotas', () => {
  it('refuses with 552 5.2.2 a message a fileinto would take past the quota, storing nothing', async () => {
    const h = await start({ sieve: true });
    await withScript(h, 'bob@local.test', FILE_INTO_REPORTS);
    await h.store.setQuota('bob@local.test', 1_000);
    await expect(
      transport(h).sendMail({
        envelope: { from: 'sender@remote.test', to: ['bob@local.test'] },
        raw: message('too big', 2_000),
      }),
    ).rejects.toMatchObject({
      responseCode: 552,
      response: "552 5.2.2 Mailbox full: the message exceeds the recipient's storage quota",
    });
    expect(await countAllMessages(h.store)).toBe(0);
    await transport(h).sendMail({
      envelope: { from: 'sender@remote.test', to: ['bob@local.test'] },
      raw: message('fits', 100),
    });
    expect(
      (await folder(h, 'bob@local.test', 'Reports')).map((raw) => raw.includes('Subject: fits\r\n')),
    ).toEqual([true]);
    expect((await h.store.getQuota('bob@local.test')).usedMessages).toBe(1);
  });

  it('keeps (Sieve keep) for the recipient it fits and bounces 5.2.2 for the other', async () => {
    const h = await start({ sieve: true });
    await h.store.addUser('sender@local.test', 'pw');
    await withScript(h, 'bob@local.test', 'keep;');
    await withScript(h, 'carol@local.test', FILE_INTO_REPORTS);
    await h.store.setQuota('bob@local.test', 1_000);
    const info = await transport(h).sendMail({
      envelope: { from: 'sender@local.test', to: ['bob@local.test', 'carol@local.test'] },
      raw: message('for both', 2_000),
    });
    expect(info.response).toMatch(/^250 2\.6\.0 /);
    expect(await inbox(h.store, 'bob@local.test')).toHaveLength(0);
    expect(await folder(h, 'carol@local.test', 'Reports')).toHaveLength(1);
    const bounces = await inbox(h.store, 'sender@local.test');
    expect(bounces).toHaveLength(1);
    expect(bounces[0]!.toString('latin1')).toContain('Final-Recipient: rfc822; bob@local.test\r\n');
    expect(bounces[0]!.toString('latin1')).toContain('Status: 5.2.2\r\n');
  });

  it('leaves the 90% warning in the INBOX after a fileinto reaches it', async () => {
    const h = await start({ sieve: true });
    await withScript(h, 'bob@local.test', FILE_INTO_REPORTS);
    await h.store.setQuota('bob@local.test', 10, 'MESSAGE');
    await fill(h, 'bob@local.test', 8);
    await transport(h).sendMail({
      envelope: { from: 'sender@remote.test', to: ['bob@local.test'] },
      raw: message('ninth'),
    });
    expect(await folder(h, 'bob@local.test', 'Reports')).toHaveLength(1);
    const stored = await inbox(h.store, 'bob@local.test');
    expect(stored).toHaveLength(9);
    expect(stored[8]!.toString()).toContain('\r\nSubject: Your mailbox is 90% full\r\n');
    expect((await h.store.getQuota('bob@local.test')).usedMessages).toBe(10);
  });
});
