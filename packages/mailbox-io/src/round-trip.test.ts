/**
 * Import -> export -> re-import through a real SQLite store, in both formats: the messages come back
 * byte-identical (same body hash), with equal flags, dates and folders; a second export writes the
 * same files; a second import stores nothing.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type MailStore } from '@minimail/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportMailboxes } from './exporter.js';
import { importMessages } from './importer.js';
import { maildirSink } from './maildir-writer.js';
import { mboxTreeSink } from './mbox-writer.js';
import { readLocal } from './sources.js';

let dir: string;
let store: MailStore;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-mailbox-io-'));
  store = openStore({ path: path.join(dir, 'store', 'minimail.sqlite') });
  await store.addDomain('example.test');
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function message(subject: string, body: string): string {
  return `From: Someone <s@example.org>\nTo: a@example.test\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\n\n${body}`;
}

/** A Maildir++ tree as Dovecot leaves it: LF files, info flags, keyword letters, mtimes as dates. */
function writeFixtureMaildir(root: string): void {
  const put = (folder: string, sub: 'cur' | 'new', name: string, text: string, date: string): void => {
    const folderDir = folder === '' ? root : path.join(root, folder);
    for (const s of ['cur', 'new', 'tmp']) mkdirSync(path.join(folderDir, s), { recursive: true });
    const file = path.join(folderDir, sub, name);
    writeFileSync(file, text);
    const when = new Date(date);
    utimesSync(file, when, when);
  };
  put('', 'cur', '1700000001.M1P1.host,S=10:2,S', message('seen', 'hello\n'), '2023-11-14T22:13:21Z');
  put(
    '',
    'cur',
    '1700000002.M2P1.host:2,FRa',
    message('flagged answered fwd', 'x\n'),
    '2023-11-14T22:13:22Z',
  );
  put(
    '',
    'new',
    '1700000003.M3P1.host',
    message('new one', 'From the start\n>From quoted\n'),
    '2023-11-15T00:00:00Z',
  );
  put('', 'cur', '1700000004.M4P1.host:2,Sb', message('work', 'same body\n'), '2024-01-01T12:00:00Z');
  // The same bytes twice in one folder: both are kept (and the second import keeps both).
  put('', 'cur', '1700000005.M5P1.host:2,S', message('dup', 'twice\n'), '2024-01-02T12:00:00Z');
  put('', 'cur', '1700000006.M6P1.host:2,S', message('dup', 'twice\n'), '2024-01-02T12:00:00Z');
  writeFileSync(path.join(root, 'dovecot-keywords'), '0 $Forwarded\n1 Work\n');
  put('.Sent', 'cur', '1700000010.M10P1.host:2,S', message('sent', 'bye\n'), '2023-10-01T08:00:00Z');
  put(
    '.Archive.2024',
    'cur',
    '1700000020.M20P1.host:2,DST',
    message('draft deleted', 'd\n'),
    '2024-05-05T05:05:05Z',
  );
  put(
    '.Entw&APw-rfe',
    'cur',
    '1700000030.M30P1.host:2,',
    message('umlaut folder', 'ü\n'),
    '2022-02-02T02:02:02Z',
  );
  writeFileSync(path.join(root, 'subscriptions'), 'V\t2\n\nSent\nArchive\t2024\n');
}

interface Row {
  folder: string;
  hash: string;
  flags: string[];
  date: string;
}

async function snapshot(address: string): Promise<Row[]> {
  const user = (await store.getUser(address))!;
  const rows: Row[] = [];
  const mailboxes = (await store.listMailboxes(user.id)).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const mailbox of mailboxes) {
    for (const m of await store.listMessages(mailbox.id)) {
      rows.push({
        folder: mailbox.name,
        hash: m.bodyHash,
        flags: [...m.flags].sort(),
        date: m.internalDate.toISOString(),
      });
    }
  }
  return rows;
}

function treeFiles(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(root, full), readFileSync(full));
    }
  };
  walk(root);
  return files;
}

describe('import -> export -> re-import', () => {
  it('keeps bytes, flags, dates and folders through Maildir and mbox, and is idempotent', async () => {
    const source = path.join(dir, 'source');
    writeFixtureMaildir(source);
    const alice = await store.addUser('alice@example.test', 'pw');

    const first = await importMessages(store, alice.id, readLocal(source));
    expect(first.problems).toEqual([]);
    expect(first.folders.map((f) => [f.folder, f.imported, f.existing])).toEqual([
      ['INBOX', 6, 0],
      ['Archive/2024', 1, 0],
      ['Entwürfe', 1, 0],
      ['Sent', 1, 0],
    ]);
    const again = await importMessages(store, alice.id, readLocal(source));
    expect(again.folders.map((f) => [f.folder, f.imported, f.existing])).toEqual([
      ['INBOX', 0, 6],
      ['Archive/2024', 0, 1],
      ['Entwürfe', 0, 1],
      ['Sent', 0, 1],
    ]);

    const imported = await snapshot('alice@example.test');
    const byDate = (iso: string): Row[] => imported.filter((r) => r.date === new Date(iso).toISOString());
    expect(byDate('2023-11-14T22:13:22Z')).toMatchObject([
      { folder: 'INBOX', flags: ['$Forwarded', '\\Answered', '\\Flagged'] },
    ]);
    expect(byDate('2024-01-01T12:00:00Z')).toMatchObject([{ folder: 'INBOX', flags: ['Work', '\\Seen'] }]);
    expect(byDate('2024-05-05T05:05:05Z')).toMatchObject([
      { folder: 'Archive/2024', flags: ['\\Deleted', '\\Draft', '\\Seen'] },
    ]);
    expect(byDate('2023-11-15T00:00:00Z')).toMatchObject([{ folder: 'INBOX', flags: [] }]);
    // Stored with CRLF, in the source's order (UID order = file order).
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    const inboxMessages = await store.listMessages(inbox.id);
    expect(inboxMessages.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5, 6]);
    const third = (await store.readBody(inboxMessages[2]!.bodyHash)).toString();
    expect(third).toBe(message('new one', 'From the start\n>From quoted\n').replace(/\n/g, '\r\n'));
    const mailboxes = await store.listMailboxes(alice.id);
    expect(mailboxes.find((m) => m.name === 'Archive/2024')?.subscribed).toBe(true);
    expect(mailboxes.find((m) => m.name === 'Entwürfe')?.subscribed).toBe(false);

    for (const format of ['maildir', 'mbox'] as const) {
      const out1 = path.join(dir, `${format}-1`);
      const out2 = path.join(dir, `${format}-2`);
      const sink = (at: string) => (format === 'maildir' ? maildirSink(at) : mboxTreeSink(at));
      expect(await exportMailboxes(store, alice.id, sink(out1))).toEqual({
        folders: mailboxes.length,
        messages: 9,
      });
      const copy = await store.addUser(`${format}@example.test`, 'pw');
      const report = await importMessages(store, copy.id, readLocal(out1));
      expect(report.problems).toEqual([]);
      expect(await snapshot(`${format}@example.test`)).toEqual(imported);
      await exportMailboxes(store, copy.id, sink(out2));
      const files1 = treeFiles(out1);
      const files2 = treeFiles(out2);
      expect([...files2.keys()].sort()).toEqual([...files1.keys()].sort());
      for (const [name, bytes] of files1) expect(files2.get(name)?.equals(bytes), name).toBe(true);
    }

    // Spot checks of the written forms.
    const mbox = readFileSync(path.join(dir, 'mbox-1', 'INBOX.mbox'), 'latin1');
    expect(mbox).toContain('From MAILER-DAEMON Wed Nov 15 00:00:00 2023\n');
    expect(mbox).toContain('\n>From the start\n>>From quoted\n\n');
    expect(mbox).toContain(
      'Subject: flagged answered fwd\nMessage-ID: <flaggedansweredfwd@example.org>\nStatus: O\nX-Status: AF\nX-Keywords: $Forwarded\n\nx\n',
    );
    const maildir = path.join(dir, 'maildir-1');
    expect(readFileSync(path.join(maildir, 'dovecot-keywords'), 'utf8')).toBe('0 $Forwarded\n1 Work\n');
    const archived = readdirSync(path.join(maildir, '.Archive.2024', 'cur'));
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatch(/^1714885505\.M1\.minimail,S=\d+,W=\d+:2,DST$/);
    expect(statSync(path.join(maildir, '.Archive.2024', 'cur', archived[0]!)).mtime.toISOString()).toBe(
      '2024-05-05T05:05:05.000Z',
    );
    expect(readdirSync(maildir).sort()).toEqual(
      [
        '.Archive',
        '.Archive.2024',
        '.Entw&APw-rfe',
        '.Sent',
        '.Drafts',
        '.Junk',
        '.Trash',
        'cur',
        'dovecot-keywords',
        'new',
        'subscriptions',
        'tmp',
      ].sort(),
    );
  });
});

describe('mbox input', () => {
  it('imports one mbox file into a named folder, flags from Status/X-Status, dates from separators', async () => {
    const file = path.join(dir, 'in.mbox');
    writeFileSync(
      file,
      'From a@b Mon Jan  1 10:00:00 2024\nSubject: one\nStatus: RO\nX-Status: F\n\nbody\nFrom inside a body, unquoted (mboxo) but not after a blank line\n\n' +
        'From b@c Tue Jan  2 11:00:00 +0200 2024\nSubject: two\n\n>From quoted\n\n',
    );
    const user = await store.addUser('m@example.test', 'pw');
    const report = await importMessages(store, user.id, readLocal(file, { folder: 'Old/Mail' }));
    expect(report.folders.map((f) => [f.folder, f.imported])).toEqual([['Old/Mail', 2]]);
    const mailbox = (await store.getMailbox(user.id, 'Old/Mail'))!;
    const messages = await store.listMessages(mailbox.id);
    expect(messages.map((m) => [m.flags.sort(), m.internalDate.toISOString()])).toEqual([
      [['\\Flagged', '\\Seen'], '2024-01-01T10:00:00.000Z'],
      [[], '2024-01-02T09:00:00.000Z'],
    ]);
    expect((await store.readBody(messages[0]!.bodyHash)).toString()).toBe(
      'Subject: one\r\n\r\nbody\r\nFrom inside a body, unquoted (mboxo) but not after a blank line\r\n',
    );
    expect((await store.readBody(messages[1]!.bodyHash)).toString()).toBe(
      'Subject: two\r\n\r\nFrom quoted\r\n',
    );
  });
});

describe('bulk import', () => {
  it('stores a big mbox in batches (one transaction each), UIDs in file order, resumable', async () => {
    const COUNT = 1_201;
    const file = path.join(dir, 'big.mbox');
    let text = '';
    for (let i = 0; i < COUNT; i++)
      text += `From a@b Mon Jan  1 10:00:00 2024\nSubject: n${i}\n${i % 3 === 0 ? 'Status: RO\n' : ''}\nbody ${i}\n\n`;
    writeFileSync(file, text);
    const user = await store.addUser('bulk@example.test', 'pw');
    // The real store, with its bulk calls counted.
    const batches: number[] = [];
    const counting = Object.assign(Object.create(store) as MailStore, {
      deliverAll: (requests: Parameters<MailStore['deliverAll']>[0]) => {
        batches.push(requests.length);
        return store.deliverAll(requests);
      },
    });
    const report = await importMessages(counting, user.id, readLocal(file), { deliveryBatch: 500 });
    expect(report.folders.map((f) => [f.folder, f.imported, f.existing])).toEqual([['INBOX', COUNT, 0]]);
    expect(batches).toEqual([500, 500, 201]);
    const inbox = (await store.getMailbox(user.id, 'INBOX'))!;
    const messages = await store.listMessages(inbox.id);
    expect(messages.map((m) => m.uid)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(messages.filter((m) => m.flags.includes('\\Seen')).map((m) => m.uid)).toEqual(
      Array.from({ length: 401 }, (_, i) => 3 * i + 1),
    );
    expect((await store.readBody(messages[1_200]!.bodyHash)).toString()).toBe(
      'Subject: n1200\r\n\r\nbody 1200\r\n',
    );
    // Run again: every message is recognised, nothing is stored twice, no transaction made.
    batches.length = 0;
    const again = await importMessages(counting, user.id, readLocal(file), { deliveryBatch: 500 });
    expect(again.folders.map((f) => [f.folder, f.imported, f.existing])).toEqual([['INBOX', 0, COUNT]]);
    expect(batches).toEqual([]);
    expect(await store.listMessages(inbox.id)).toHaveLength(COUNT);
  });
});
