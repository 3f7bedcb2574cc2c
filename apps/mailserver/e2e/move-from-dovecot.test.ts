/**
 * Issue 18, moving in: a Maildir written by a real Dovecot (fed by IMAP APPEND, so Dovecot itself
 * chose the file names, info flags, dovecot-keywords, dovecot-uidlist, mtimes and subscriptions) is
 * imported with `minimail import`, and every folder, message (exact bytes), flag, internal date and
 * subscription is compared through IMAP on both servers. Then the same account is imported through
 * IMAP itself (`imap://`), twice (idempotent), and once more after new mail arrived (resumed).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOVECOT_PASSWORD, dovecotUnavailable, startDovecot, type DovecotPeer } from './dovecot-peer.js';
import { cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED: moving mail from Dovecot: ${unavailable}`);

const REMOTE_USER = 'mover';

interface Seen {
  source: string;
  flags: string[];
  date: number;
}
type Snapshot = Record<string, { subscribed: boolean; messages: Seen[] }>;

function client(port: number, user: string, pass: string): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    auth: { user, pass },
    logger: false,
    // minimail's dev certificate is self-signed; the content compared is what matters here.
    tls: { rejectUnauthorized: false },
  });
}

/** Every selectable folder with its messages in UID order, read-only, through IMAP. */
async function snapshot(port: number, user: string, pass: string): Promise<Snapshot> {
  const imap = client(port, user, pass);
  await imap.connect();
  const result: Snapshot = {};
  try {
    for (const entry of await imap.list()) {
      if (entry.flags.has('\\Noselect') || entry.flags.has('\\NonExistent')) continue;
      const name =
        entry.path.toUpperCase() === 'INBOX' ? 'INBOX' : entry.path.split(entry.delimiter).join('/');
      const lock = await imap.getMailboxLock(entry.path, { readOnly: true });
      try {
        const messages =
          imap.mailbox && imap.mailbox.exists > 0
            ? await imap.fetchAll('1:*', { uid: true, flags: true, internalDate: true, source: true })
            : [];
        result[name] = {
          subscribed: entry.subscribed === true,
          messages: messages
            .sort((a, b) => a.uid - b.uid)
            .map((m) => ({
              source: m.source!.toString('latin1'),
              flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
              date: new Date(m.internalDate!).getTime(),
            })),
        };
      } finally {
        lock.release();
      }
    }
  } finally {
    await imap.logout();
  }
  return result;
}

/** What the user had at Dovecot must be at minimail, exactly; minimail's own extra folders are empty. */
function expectSameMail(minimail: Snapshot, dovecot: Snapshot): void {
  for (const [name, folder] of Object.entries(dovecot)) {
    expect(minimail[name]?.messages, `folder ${name}`).toEqual(folder.messages);
    expect(minimail[name]?.subscribed, `subscription of ${name}`).toBe(folder.subscribed);
  }
  for (const [name, folder] of Object.entries(minimail)) {
    if (!(name in dovecot)) expect(folder.messages, `minimail-only folder ${name}`).toEqual([]);
  }
}

const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');

describe.skipIf(unavailable !== null)('moving mail in from Dovecot', () => {
  let dovecot: DovecotPeer;
  let data: ReturnType<typeof tempDataDir>;
  let env: NodeJS.ProcessEnv;
  let server: RunningServer | undefined;
  let imapPort: number;
  let fromDovecot: Snapshot;

  beforeAll(async () => {
    dovecot = await startDovecot();
    const imap = client(dovecot.imapPort, REMOTE_USER, DOVECOT_PASSWORD);
    await imap.connect();
    await imap.mailboxCreate('Sent');
    await imap.mailboxCreate(['Archive', '2024']);
    await imap.mailboxCreate('Entwürfe');
    await imap.mailboxSubscribe('Sent');
    await imap.mailboxSubscribe(['Archive', '2024']);
    const put = (folder: string | string[], subject: string, body: string, flags: string[], date: string) =>
      imap.append(
        Array.isArray(folder) ? folder.join('.') : folder,
        Buffer.from(
          crlf(
            `From: Old Friend <friend@example.org>\nTo: mover@example.test\nSubject: ${subject}\nDate: ${new Date(date).toUTCString()}\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${body}`,
          ),
        ),
        flags,
        new Date(date),
      );
    await put('INBOX', 'plain unread', 'hello\n', [], '2023-03-01T10:00:00Z');
    await put(
      'INBOX',
      'seen and answered',
      'From the old days\n>From quoted\n',
      ['\\Seen', '\\Answered'],
      '2023-03-02T11:30:15Z',
    );
    await put('INBOX', 'keywords', 'grüße\n', ['\\Flagged', '$Forwarded', 'Work'], '2023-04-05T06:07:08Z');
    await put('INBOX', 'deleted but kept', 'still here\n', ['\\Deleted', '\\Seen'], '2023-05-01T00:00:00Z');
    await put('Sent', 'my reply', 'thanks\n', ['\\Seen'], '2023-03-02T12:00:00Z');
    await put(['Archive', '2024'], 'old draft', 'draft text\n', ['\\Draft', 'Later'], '2024-01-31T23:59:59Z');
    await put('Entwürfe', 'umlaut folder', 'ü\n', ['\\Seen', 'Work'], '2022-12-24T18:00:00Z');
    await imap.logout();
    fromDovecot = await snapshot(dovecot.imapPort, REMOTE_USER, DOVECOT_PASSWORD);

    data = tempDataDir();
    imapPort = await freePort();
    env = cliEnv(data.dir, { MINIMAIL_IMAP_PORT: String(imapPort) });
    for (const args of [
      ['domain', 'add', 'example.test'],
      ['user', 'add', 'a@example.test', '--password', 'pw'],
      ['user', 'add', 'b@example.test', '--password', 'pw'],
    ]) {
      expect((await runCli(args, env)).code).toBe(0);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await dovecot?.stop();
    data?.cleanup();
  });

  it('Dovecot wrote what a Maildir importer must understand', () => {
    const root = dovecot.maildir(REMOTE_USER);
    for (const file of [
      'dovecot-keywords',
      'dovecot-uidlist',
      'subscriptions',
      '.Archive.2024',
      '.Entw&APw-rfe',
    ]) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
    }
    expect(Object.keys(fromDovecot).sort()).toEqual(['Archive/2024', 'Entwürfe', 'INBOX', 'Sent']);
    expect(fromDovecot['INBOX']!.messages.map((m) => m.flags)).toEqual([
      [],
      ['\\Answered', '\\Seen'],
      ['$Forwarded', 'Work', '\\Flagged'],
      ['\\Deleted', '\\Seen'],
    ]);
  });

  it('imports the Maildir: same folders, bytes, flags, dates and subscriptions through IMAP', async () => {
    const first = await runCli(['import', 'a@example.test', dovecot.maildir(REMOTE_USER)], env);
    expect(first.stderr).toContain('INBOX: 0 imported, 0 already there, 0 skipped');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'Archive/2024\t1 imported\t0 already there\t0 skipped',
      'Entwürfe\t1 imported\t0 already there\t0 skipped',
      'INBOX\t4 imported\t0 already there\t0 skipped',
      'Sent\t1 imported\t0 already there\t0 skipped',
    ]);
    const second = await runCli(['import', 'a@example.test', dovecot.maildir(REMOTE_USER)], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('INBOX\t0 imported\t4 already there\t0 skipped');

    server = await startServer([], env);
    expectSameMail(await snapshot(imapPort, 'a@example.test', 'pw'), fromDovecot);
  });

  it('imports through IMAP, idempotently, and resumes with only what is new', async () => {
    const url = `imap://${REMOTE_USER}@127.0.0.1:${dovecot.imapPort}`;
    const first = await runCli(
      ['import', 'b@example.test', url, '--password-stdin'],
      env,
      `${DOVECOT_PASSWORD}\n`,
    );
    expect(first.stderr).toBe(
      [
        'INBOX: 0 imported, 0 already there, 0 skipped',
        'Archive/2024: 0 imported, 0 already there, 0 skipped',
        'Entwürfe: 0 imported, 0 already there, 0 skipped',
        'Sent: 0 imported, 0 already there, 0 skipped',
        '',
      ].join('\n'),
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('INBOX\t4 imported\t0 already there\t0 skipped');
    expectSameMail(await snapshot(imapPort, 'b@example.test', 'pw'), fromDovecot);
    expect(
      existsSync(
        path.join(data.dir, 'imports', 'b@example.test', `${REMOTE_USER}@127.0.0.1_${dovecot.imapPort}.json`),
      ),
    ).toBe(true);

    // Run again: the resume point says everything is done; nothing is fetched or stored.
    const again = await runCli(['import', 'b@example.test', url, '--password-stdin'], env, DOVECOT_PASSWORD);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('INBOX\t0 imported\t0 already there\t0 skipped');

    // New mail at the old server: the next run takes only that.
    const imap = client(dovecot.imapPort, REMOTE_USER, DOVECOT_PASSWORD);
    await imap.connect();
    await imap.append(
      'INBOX',
      Buffer.from(crlf('Subject: late arrival\n\nnew\n')),
      ['\\Seen'],
      new Date('2025-01-01T00:00:00Z'),
    );
    await imap.logout();
    const resumed = await runCli(
      ['import', 'b@example.test', url, '--password-stdin'],
      env,
      DOVECOT_PASSWORD,
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('INBOX\t1 imported\t0 already there\t0 skipped');
    expectSameMail(
      await snapshot(imapPort, 'b@example.test', 'pw'),
      await snapshot(dovecot.imapPort, REMOTE_USER, DOVECOT_PASSWORD),
    );
  });

  it('exports to a Maildir that Dovecot serves with the same mail, and to mbox', async () => {
    const out = path.join(data.dir, 'export-maildir');
    const exported = await runCli(['export', 'a@example.test', out], env);
    expect([exported.code, exported.stdout]).toEqual([0, `exported 7 messages in 8 folders to ${out}\n`]);
    dovecot.adopt('leaver', out);
    const minimail = await snapshot(imapPort, 'a@example.test', 'pw');
    const served = await snapshot(dovecot.imapPort, 'leaver', DOVECOT_PASSWORD);
    expect(Object.keys(served).sort()).toEqual(Object.keys(minimail).sort());
    expectSameMail(served, minimail);

    const mbox = path.join(data.dir, 'export-mbox');
    expect((await runCli(['export', 'a@example.test', mbox, '--format', 'mbox'], env)).code).toBe(0);
    expect(readFileSync(path.join(mbox, 'Archive', '2024.mbox'), 'utf8')).toMatch(
      /^From MAILER-DAEMON Wed Jan 31 23:59:59 2024\n[^]*\nStatus: O\nX-Status: T\nX-Keywords: Later\n\ndraft text\n\n$/,
    );
    const again = await runCli(['export', 'a@example.test', mbox, '--format', 'mbox'], env);
    expect([again.code, again.stderr]).toEqual([
      1,
      `minimail: ${mbox} is not empty: export into a new or empty directory\n`,
    ]);
  });

  it('refuses a password in the URL and a missing user, with one line', async () => {
    const bad = await runCli(['import', 'b@example.test', `imap://u:p@127.0.0.1:${dovecot.imapPort}`], env);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'minimail: put no password in the URL (it shows in `ps`): use --password-stdin\n',
    ]);
    const nobody = await runCli(['import', 'nobody@example.test', dovecot.maildir(REMOTE_USER)], env);
    expect([nobody.code, nobody.stderr]).toEqual([1, 'minimail: no such user: nobody@example.test\n']);
  });
});
