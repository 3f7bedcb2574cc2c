/**
 * Issue 4, done-when: mail sent on the SMTP port is read, flagged, moved, appended and expunged over
 * the IMAP port by imapflow, Python's imaplib, mutt, mbsync and offlineimap, with nothing lost or duplicated -
 * against the real CLI server. Tools that are missing are skipped visibly (.ci/run installs them).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAS_PYTHON = has('python3', ['-c', 'import imaplib']);
const HAS_MUTT = has('mutt', ['-v']) && has('script', ['--version']);
const HAS_MBSYNC = has('mbsync', ['--version']);
const HAS_OFFLINEIMAP = has('offlineimap', ['--version']);
for (const [tool, present] of [
  ['python3 imaplib', HAS_PYTHON],
  ['mutt + script', HAS_MUTT],
  ['mbsync (isync)', HAS_MBSYNC],
  ['offlineimap', HAS_OFFLINEIMAP],
] as const) {
  if (!present) console.warn(`SKIPPED: ${tool} is not installed; .ci/run installs it`);
}

const USER = 'a@example.test';

describe('IMAP through the real CLI (dev profile)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: RunningServer | undefined;
  let env: NodeJS.ProcessEnv;
  let smtpPort: number;
  let imapPort: number;

  async function send(subjects: string[]): Promise<void> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    for (const subject of subjects) {
      await transport.sendMail({ from: 'app@localhost', to: USER, subject, text: `body of ${subject}\r\n` });
    }
    transport.close();
  }

  async function counts(): Promise<Record<string, number>> {
    const out = await runCli(['mailbox', 'list', USER], env);
    return Object.fromEntries(
      out.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name, count] = line.split('\t');
          return [name!, Number(count)];
        }),
    );
  }

  beforeEach(async () => {
    data = tempDataDir();
    smtpPort = await freePort();
    imapPort = await freePort();
    env = cliEnv(data.dir, { MINIMAIL_SMTP_PORT: String(smtpPort), MINIMAIL_IMAP_PORT: String(imapPort) });
    server = await startServer([], env);
  });
  afterEach(async () => {
    await server?.stop();
    data.cleanup();
  });

  it('imapflow reads, flags, moves, appends and expunges', async () => {
    await send(['one', 'two', 'three']);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      auth: { user: USER, pass: 'any' },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const subjects: string[] = [];
        for await (const message of client.fetch('1:*', { envelope: true, source: true, flags: true })) {
          subjects.push(message.envelope?.subject ?? '');
          expect(message.source?.toString()).toContain(`body of ${message.envelope?.subject}`);
        }
        expect(subjects).toEqual(['one', 'two', 'three']);
        await client.messageFlagsAdd('1', ['\\Flagged']);
        await client.messageMove('2', 'Archive');
        await client.messageDelete('2'); // "three", sequence 2 after the move: \Deleted + EXPUNGE
      } finally {
        lock.release();
      }
      const appended = await client.append('INBOX', Buffer.from('Subject: appended\r\n\r\nhi\r\n'), [
        '\\Seen',
      ]);
      expect(appended).toMatchObject({ destination: 'INBOX' });
      const status = await client.status('INBOX', { messages: true, unseen: true });
      expect(status).toMatchObject({ messages: 2, unseen: 1 });
      const flagged = await client.search({ flagged: true }, { uid: true });
      expect(flagged).toEqual([1]);
    } finally {
      await client.logout();
    }
    expect(await counts()).toMatchObject({ INBOX: 2, Archive: 1 });
  });

  it.skipIf(!HAS_PYTHON)("Python's imaplib reads byte-exact, flags, copies and expunges", async () => {
    await send(['py1', 'py2']);
    const script = `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.login('${USER}', 'any')
typ, data = m.select('INBOX')
assert data == [b'2'], data
typ, data = m.uid('SEARCH', None, 'ALL')
uids = data[0].split()
out = []
for uid in uids:
    typ, msg = m.uid('FETCH', uid, '(RFC822.SIZE BODY[])')
    size = int(msg[0][0].split(b'RFC822.SIZE ')[1].split(b' ')[0])
    body = msg[0][1]
    assert len(body) == size, (len(body), size)
    out.append(body.split(b'\\r\\n\\r\\n', 1)[1].decode())
m.uid('STORE', uids[0], '+FLAGS', '(\\\\Seen \\\\Answered)')
typ, data = m.uid('COPY', uids[1], 'Archive')
assert typ == 'OK', data
m.uid('STORE', uids[1], '+FLAGS', '(\\\\Deleted)')
typ, data = m.expunge()
assert data == [b'2'], data
typ, data = m.fetch('1', '(FLAGS)')
print('|'.join(out).replace('\\r\\n', ''))
print(data[0].decode())
m.logout()
`;
    const out = execFileSync('python3', ['-c', script, String(imapPort)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(out[0]).toBe('body of py1|body of py2');
    // \Recent too: this is the first session to see the mailbox (RFC 3501 2.3.2).
    expect(
      out[1]!
        .match(/FLAGS \(([^)]*)\)/)?.[1]
        ?.split(' ')
        .sort(),
    ).toEqual(['\\Answered', '\\Recent', '\\Seen']);
    expect(await counts()).toMatchObject({ INBOX: 1, Archive: 1 });
  });

  it.skipIf(!HAS_MUTT)('mutt flags and moves messages', async () => {
    await send(['mutt 1', 'mutt 2', 'mutt 3']);
    const dir = path.join(data.dir, 'mutt');
    mkdirSync(dir);
    const rc = path.join(dir, 'muttrc');
    writeFileSync(
      rc,
      [
        `set folder="imap://a%40example.test:any@127.0.0.1:${imapPort}/"`,
        'set spoolfile="+INBOX"',
        'set ssl_starttls=no',
        'set ssl_force_tls=no',
        'set confirmappend=no',
        'set delete=yes',
        'set move=no',
        'set mark_old=no',
        'set timeout=1',
        'set sort=date',
      ].join('\n') + '\n',
    );
    const keys =
      '<tag-pattern>~s "mutt 1"<enter><tag-prefix><flag-message>' +
      '<tag-pattern>~s "mutt 2"<enter><untag-pattern>~s "mutt 1"<enter><tag-prefix><save-message>=Archive<enter>' +
      '<sync-mailbox><quit>';
    // mutt needs a terminal: `script` gives it a pty.
    execFileSync(
      'script',
      ['-qec', `mutt -n -F ${rc} -e 'push "${keys.replace(/"/g, '\\"')}"'`, '/dev/null'],
      {
        env: { ...process.env, TERM: 'xterm', HOME: dir },
        timeout: 30_000,
        stdio: 'ignore',
      },
    );
    expect(await counts()).toMatchObject({ INBOX: 2, Archive: 1 });
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      auth: { user: USER, pass: 'any' },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    await client.connect();
    try {
      await client.mailboxOpen('INBOX', { readOnly: true });
      const flagged = [];
      for await (const m of client.fetch({ flagged: true }, { envelope: true }))
        flagged.push(m.envelope?.subject);
      expect(flagged).toEqual(['mutt 1']);
      await client.mailboxOpen('Archive', { readOnly: true });
      const archived = [];
      for await (const m of client.fetch('1:*', { envelope: true })) archived.push(m.envelope?.subject);
      expect(archived).toEqual(['mutt 2']);
    } finally {
      await client.logout();
    }
  });

  it.skipIf(!HAS_MBSYNC)(
    'mbsync mirrors every mailbox, twice without duplicates, and propagates an expunge',
    async () => {
      await send(['sync 1', 'sync 2', 'sync 3']);
      const dir = path.join(data.dir, 'mbsync');
      const mail = path.join(dir, 'mail');
      mkdirSync(mail, { recursive: true });
      const rc = path.join(dir, 'mbsyncrc');
      writeFileSync(
        rc,
        `IMAPAccount mm\nHost 127.0.0.1\nPort ${imapPort}\nUser ${USER}\nPass any\nSSLType None\nAuthMechs LOGIN\n\n` +
          `IMAPStore remote\nAccount mm\n\nMaildirStore local\nPath ${mail}/\nInbox ${mail}/INBOX\nSubFolders Verbatim\n\n` +
          `Channel ch\nFar :remote:\nNear :local:\nPatterns *\nCreate Both\nExpunge Both\nSyncState *\n`,
      );
      const sync = (): void =>
        void execFileSync('mbsync', ['-c', rc, '-a'], { stdio: 'ignore', timeout: 60_000 });
      const files = (folder: string): string[] =>
        ['cur', 'new'].flatMap((sub) => {
          try {
            return readdirSync(path.join(mail, folder, sub)).map((name) =>
              path.join(mail, folder, sub, name),
            );
          } catch {
            return [];
          }
        });

      sync();
      expect(files('INBOX')).toHaveLength(3);
      for (const name of ['Archive', 'Drafts', 'Junk', 'Sent', 'Trash']) expect(files(name)).toEqual([]);
      sync(); // a second run changes nothing: no duplicates
      expect(files('INBOX')).toHaveLength(3);

      // Mark one message trashed locally (Maildir flag T): mbsync sets \Deleted and expunges it on the server.
      const victim = files('INBOX').sort()[0]!;
      execFileSync('mv', [
        victim,
        victim.replace(/:2,([A-Z]*)$/, (_, flags: string) => `:2,${[...flags, 'T'].sort().join('')}`),
      ]);
      sync();
      expect(await counts()).toMatchObject({ INBOX: 2 });
      expect(files('INBOX')).toHaveLength(2);
    },
  );
  it.skipIf(!HAS_OFFLINEIMAP)(
    'offlineimap mirrors every mailbox, changes nothing on a second run, and sends back a flag and a delete',
    async () => {
      await send(['offline 1', 'offline 2', 'offline 3']);
      const dir = path.join(data.dir, 'offlineimap');
      const mail = path.join(dir, 'mail');
      mkdirSync(mail, { recursive: true });
      const rc = path.join(dir, 'offlineimaprc');
      writeFileSync(
        rc,
        `[general]\naccounts = mm\nmetadata = ${dir}/meta\n\n[Account mm]\nlocalrepository = local\nremoterepository = remote\n\n` +
          `[Repository local]\ntype = Maildir\nlocalfolders = ${mail}\n\n` +
          `[Repository remote]\ntype = IMAP\nremotehost = 127.0.0.1\nremoteport = ${imapPort}\nremoteuser = ${USER}\nremotepass = any\nssl = no\nstarttls = no\n`,
      );
      const sync = (): string =>
        execFileSync('offlineimap', ['-c', rc, '-o', '-u', 'basic'], { encoding: 'utf8', timeout: 120_000 });
      const files = (folder: string): string[] =>
        ['cur', 'new']
          .flatMap((sub) => {
            try {
              return readdirSync(path.join(mail, folder, sub)).map((name) =>
                path.join(mail, folder, sub, name),
              );
            } catch {
              return [];
            }
          })
          .sort();

      sync();
      expect(files('INBOX')).toHaveLength(3);
      for (const name of ['Archive', 'Drafts', 'Junk', 'Sent', 'Trash']) expect(files(name)).toEqual([]);
      const first = files('INBOX');
      // A second run copies, flags and deletes nothing, on either side.
      const second = sync();
      expect(second).not.toMatch(/Copy message|Adding flag|Deleting/);
      expect(files('INBOX')).toEqual(first);
      expect(await counts()).toMatchObject({ INBOX: 3 });

      // Read locally (Maildir flag S): offlineimap stores \Seen on the server. Deleted locally: expunged there.
      const [read, gone] = first as [string, string];
      execFileSync('mv', [read, `${read}S`]);
      rmSync(gone);
      const third = sync();
      expect(third).toMatch(/Adding flag S to 1 message/);
      expect(await counts()).toMatchObject({ INBOX: 2 });
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: imapPort,
        secure: false,
        auth: { user: USER, pass: 'any' },
        tls: { rejectUnauthorized: false },
        logger: false,
      });
      await client.connect();
      try {
        await client.mailboxOpen('INBOX');
        const seen: string[] = [];
        for await (const message of client.fetch('1:*', { flags: true, envelope: true }))
          if (message.flags?.has('\\Seen')) seen.push(message.envelope?.subject ?? '');
        expect(seen).toHaveLength(1);
      } finally {
        await client.logout();
      }
    },
  );
});
