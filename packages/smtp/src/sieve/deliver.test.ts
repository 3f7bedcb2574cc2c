/**
 * Sieve at local delivery, end to end: a real MX on a loopback port, nodemailer as the client, a
 * real SQLite store; scripts stored per user, run per recipient, results read back from the store.
 */
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailStore } from '@minimail/store';
import { startHarness, type Harness } from '../test-support/harness.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const DAY = 86_400_000;

async function send(h: Harness, from: string, to: string[], raw: string): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: h.port,
    secure: false,
    ignoreTLS: true,
    name: 'client.test',
  });
  try {
    const info = await transport.sendMail({ envelope: { from, to }, raw: raw.replace(/\r?\n/g, '\r\n') });
    return info.response;
  } finally {
    transport.close();
  }
}

async function withScript(h: Harness, address: string, script: string): Promise<number> {
  const user = await h.store.ensureUser(address);
  await h.scripts!.putSieveScript(user.id, 'main', script);
  await h.scripts!.activateSieveScript(user.id, 'main');
  return user.id;
}

/** Every message of a user's mailbox: body text and flags. */
async function mailbox(
  store: MailStore,
  address: string,
  name: string,
): Promise<{ text: string; flags: string[] }[]> {
  const user = await store.getUser(address);
  const box = user && (await store.getMailbox(user.id, name));
  if (!box) return [];
  const out = [];
  for (const m of await store.listMessages(box.id))
    out.push({ text: (await store.readBody(m.bodyHash)).toString('utf8'), flags: m.flags });
  return out;
}

const MESSAGE =
  'From: carol@remote.test\nTo: bob@local.test\nSubject: Quarterly report\nMessage-ID: <q1@remote.test>\n\nNumbers attached.\n';

describe('Sieve at delivery (dev profile)', () => {
  it('fileinto :create with imap4flags files the copy into the folder with its flags', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'dev', sieve: {} }));
    await withScript(
      h,
      'bob@local.test',
      `require ["fileinto", "mailbox", "imap4flags"];
if header :contains "subject" "report" { fileinto :create :flags ["\\\\Flagged", "$Work"] "Reports"; }`,
    );
    expect(await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE)).toMatch(/^250 /);
    const reports = await mailbox(h.store, 'bob@local.test', 'Reports');
    expect(reports.map((m) => m.flags)).toEqual([['\\Flagged', '$Work']]);
    expect(reports[0]!.text).toContain('Subject: Quarterly report\r\n');
    expect(await mailbox(h.store, 'bob@local.test', 'INBOX')).toEqual([]);
  });

  it('a recipient without a script, and one whose script fails at run time, both get INBOX (implicit keep)', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'dev', sieve: {} }));
    // 5 redirects when the limit is 4: a runtime error
    await withScript(
      h,
      'bob@local.test',
      [1, 2, 3, 4, 5].map((i) => `redirect "r${i}@elsewhere.test";`).join('\n'),
    );
    expect(await send(h, 'carol@remote.test', ['bob@local.test', 'dave@local.test'], MESSAGE)).toMatch(
      /^250 /,
    );
    expect((await mailbox(h.store, 'bob@local.test', 'INBOX')).length).toBe(1);
    expect((await mailbox(h.store, 'dave@local.test', 'INBOX')).length).toBe(1);
    expect(await h.store.getUser('r1@elsewhere.test')).toBeNull();
    const warn = h.logs.find((l) => l['msg'] === 'sieve: runtime error; implicit keep');
    expect(warn).toMatchObject({ code: 'too-many-redirects', script: 'main' });
  });

  it('discard stores nothing and still answers 250', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'dev', sieve: {} }));
    await withScript(h, 'bob@local.test', 'if address :is "from" "carol@remote.test" { discard; }');
    expect(await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE)).toMatch(/^250 /);
    expect(await mailbox(h.store, 'bob@local.test', 'INBOX')).toEqual([]);
  });

  it('vacation replies once per sender per period, with Auto-Submitted: auto-replied, never to lists', async () => {
    let now = Date.UTC(2026, 11, 1, 9);
    const h = (harness = await startHarness({ service: 'mx', profile: 'dev', sieve: { now: () => now } }));
    await withScript(
      h,
      'bob@local.test',
      'require "vacation";\nvacation :days 3 :subject "Out of office" "Back on Monday.";',
    );
    await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE);
    const replies = await mailbox(h.store, 'carol@remote.test', 'INBOX');
    expect(replies).toHaveLength(1);
    const reply = replies[0]!.text;
    expect(reply).toMatch(/^From: bob@local\.test\r\nTo: <carol@remote\.test>\r\nSubject: Out of office\r\n/);
    expect(reply).toContain('\r\nAuto-Submitted: auto-replied (vacation)\r\n');
    expect(reply).toContain('\r\nIn-Reply-To: <q1@remote.test>\r\n');
    expect(reply.endsWith('\r\n\r\nBack on Monday.\r\n')).toBe(true);
    // the second message within 3 days gets no reply; the original is delivered both times
    now += 2 * DAY;
    await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE);
    expect(await mailbox(h.store, 'carol@remote.test', 'INBOX')).toHaveLength(1);
    // after the period, a new reply
    now += 2 * DAY;
    await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE);
    expect(await mailbox(h.store, 'carol@remote.test', 'INBOX')).toHaveLength(2);
    // a list message never gets one
    await send(h, 'list@remote.test', ['bob@local.test'], 'List-Id: <l.remote.test>\n' + MESSAGE);
    expect(await mailbox(h.store, 'list@remote.test', 'INBOX')).toEqual([]);
    expect((await mailbox(h.store, 'bob@local.test', 'INBOX')).length).toBe(4);
  });

  it('reject sends a delivery status notification to the sender and stores no copy', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'dev', sieve: {} }));
    await withScript(h, 'bob@local.test', 'require "reject";\nreject "No reports, please.";');
    expect(await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE)).toMatch(/^250 /);
    expect(await mailbox(h.store, 'bob@local.test', 'INBOX')).toEqual([]);
    const notices = await mailbox(h.store, 'carol@remote.test', 'INBOX');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(
      "Your message to <bob@local.test> was rejected by the recipient's mail filter:\r\n\r\nNo reports, please.\r\n",
    );
    expect(notices[0]!.text).toContain(
      '\r\nFinal-Recipient: rfc822; bob@local.test\r\nAction: failed\r\nStatus: 5.7.1\r\n',
    );
    expect(notices[0]!.text).toContain('\r\nSubject: Quarterly report\r\n');
  });
});

describe('Sieve at delivery (production)', () => {
  it('redirect :copy queues the remote address with the original sender and keeps a copy', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'production', sieve: {} }));
    await h.store.addDomain('local.test');
    await h.store.addUser('bob@local.test', 'pw');
    await withScript(h, 'bob@local.test', 'require "copy";\nredirect :copy "bob@elsewhere.test";');
    expect(await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE)).toMatch(/^250 /);
    expect((await mailbox(h.store, 'bob@local.test', 'INBOX')).length).toBe(1);
    expect((await h.store.listOutbound()).map((e) => [e.sender, e.recipient])).toEqual([
      ['carol@remote.test', 'bob@elsewhere.test'],
    ]);
  });

  it('a vacation reply to a remote sender is queued with the null sender', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'production', sieve: {} }));
    await h.store.addDomain('local.test');
    await h.store.addUser('bob@local.test', 'pw');
    await withScript(h, 'bob@local.test', 'require "vacation";\nvacation "Away.";');
    await send(h, 'carol@remote.test', ['bob@local.test'], MESSAGE);
    expect((await h.store.listOutbound()).map((e) => [e.sender, e.recipient])).toEqual([
      ['', 'carol@remote.test'],
    ]);
  });
});
