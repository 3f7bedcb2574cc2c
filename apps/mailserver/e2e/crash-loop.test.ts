/**
 * Crash loop: SIGKILL `minimail serve` at random moments under mixed SMTP + POP3 + IMAP load,
 * restart it, and repeat. Then check the promises of DESIGN.md against the store file:
 * - every message acknowledged (SMTP 250 after DATA, IMAP APPEND OK) is there exactly once;
 * - every acknowledged delete (POP3 QUIT +OK after DELE, IMAP UID EXPUNGE OK) is gone;
 * - nothing unacknowledged is there twice;
 * - PRAGMA integrity_check and foreign_key_check are clean, and every body's refcount equals the
 *   number of messages and outbound entries naming it.
 * A few iterations in CI; FUZZ_LONG=1 runs many. FUZZ_SEED replays the kill timings.
 */
import Database from 'better-sqlite3';
import { FUZZ_LONG, FUZZ_SEED, prng, RawClient } from '@minimail/protocol/testing';
import { openStore } from '@minimail/store';
import { afterEach, describe, expect, it } from 'vitest';
import { storePath } from '../src/paths.js';
import {
  cliEnv,
  freePort,
  pop3Bye,
  pop3ReadyCount,
  REPLY,
  sendOneMessage,
  startServer,
  tempDataDir,
  type RunningServer,
} from './support.js';

const ITERATIONS = FUZZ_LONG ? 25 : 3;
/** SMTP senders, POP3 deleters and IMAP appenders/expungers running at once. */
const SMTP_SENDERS = 4;
/** POP3 maildrops (SMTP delivers to these) and IMAP accounts (APPEND and expunge there). */
const POP3_USERS = ['rcpt0@example.test', 'rcpt1@example.test'];
const IMAP_USERS = ['rcpt2@example.test', 'rcpt3@example.test'];
const ALL_USERS = [...POP3_USERS, ...IMAP_USERS];

/** What the clients were told, across all iterations. */
interface Ledger {
  /** Message id -> user, for every message whose storing was attempted. */
  attempted: Map<string, string>;
  acknowledged: Set<string>;
  deleteAttempted: Set<string>;
  deleteAcknowledged: Set<string>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const TEST_ID = /^X-Test-Id: (\S+)/im;

function message(id: string, to: string): string {
  return `From: <load@client.test>\r\nTo: <${to}>\r\nSubject: ${id}\r\nX-Test-Id: ${id}\r\n\r\n${'body line\r\n'.repeat(50)}`;
}

/** One message per connection over SMTP, until the server dies or `stop` is set. */
async function smtpSender(
  port: number,
  worker: number,
  ledger: Ledger,
  next: () => number,
  stop: () => boolean,
): Promise<void> {
  while (!stop()) {
    const id = `smtp-${next()}`;
    const to = ALL_USERS[worker % ALL_USERS.length]!;
    let client: RawClient | null = null;
    try {
      client = await RawClient.connect(port);
      await client.expect(REPLY.smtpGreeting);
      await sendOneMessage(client, { from: 'load@client.test', to, raw: message(id, to) }, () =>
        ledger.attempted.set(id, to),
      );
      ledger.acknowledged.add(id);
      client.send('QUIT');
    } catch {
      return; // the server was killed: this sender stops
    } finally {
      await client?.close().catch(() => undefined);
    }
  }
}

/** POP3: read the ids of up to 3 messages, DELE them, QUIT (RFC 1939 6: deleted only in UPDATE). */
async function pop3Deleter(port: number, user: string, ledger: Ledger, stop: () => boolean): Promise<void> {
  while (!stop()) {
    let client: RawClient | null = null;
    try {
      client = await RawClient.connect(port);
      await client.expect(REPLY.pop3Greeting);
      client.send(`USER ${user}`);
      await client.expect(REPLY.pop3SendPass);
      client.send('PASS any');
      const count = pop3ReadyCount(await client.readLine());
      if (count === null) {
        await sleep(50); // e.g. the maildrop is still locked by a session the server is ending
        continue;
      }
      const chosen: string[] = [];
      for (let n = 1; n <= Math.min(3, count); n++) {
        client.send(`TOP ${n} 0`);
        await client.expect(REPLY.pop3Top);
        const id = TEST_ID.exec((await client.readMultiline()).join('\n'))?.[1];
        if (id === undefined) continue;
        client.send(`DELE ${n}`);
        await client.expect(`+OK message ${n} deleted`);
        chosen.push(id);
      }
      for (const id of chosen) ledger.deleteAttempted.add(id);
      client.send('QUIT');
      await client.expect(pop3Bye(count - chosen.length));
      for (const id of chosen) ledger.deleteAcknowledged.add(id);
      if (count === 0) await sleep(50);
    } catch {
      return;
    } finally {
      await client?.close().catch(() => undefined);
    }
  }
}

/** IMAP: APPEND two messages, then UID EXPUNGE the oldest one (RFC 4315 2.1: only the named UIDs). */
async function imapWorker(
  port: number,
  user: string,
  ledger: Ledger,
  next: () => number,
  stop: () => boolean,
): Promise<void> {
  let client: RawClient | null = null;
  try {
    client = await RawClient.connect(port);
    await client.expect(/^\* OK /);
    client.send(`l LOGIN ${user} any`);
    expect((await client.readTagged('l')).at(-1)).toMatch(/^l OK/);
    client.send('s SELECT INBOX');
    await client.readTagged('s');
    let tag = 0;
    while (!stop()) {
      for (let i = 0; i < 2; i++) {
        const id = `imap-${next()}`;
        const raw = Buffer.from(message(id, user));
        ledger.attempted.set(id, user);
        client.send(`t${++tag} APPEND INBOX {${raw.length}+}`);
        client.sendRaw(Buffer.concat([raw, Buffer.from('\r\n')]));
        const done = (await client.readTagged(`t${tag}`)).at(-1) ?? '';
        if (!done.startsWith(`t${tag} OK`)) throw new Error(done);
        ledger.acknowledged.add(id);
      }
      client.send(`t${++tag} UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (X-Test-Id)])`);
      const lines = await client.readTagged(`t${tag}`);
      const first = lines.join('\n').match(/UID (\d+)[^\n]*\n(X-Test-Id: \S+)/i);
      if (!first) continue;
      const uid = first[1]!;
      const id = TEST_ID.exec(first[2]!)![1]!;
      client.send(`t${++tag} UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
      await client.readTagged(`t${tag}`);
      ledger.deleteAttempted.add(id);
      client.send(`t${++tag} UID EXPUNGE ${uid}`);
      const expunged = (await client.readTagged(`t${tag}`)).at(-1) ?? '';
      if (expunged.startsWith(`t${tag} OK`)) ledger.deleteAcknowledged.add(id);
    }
  } catch {
    // the server was killed
  } finally {
    await client?.close().catch(() => undefined);
  }
}

describe(`crash loop (seed ${FUZZ_SEED}; replay with FUZZ_SEED=${FUZZ_SEED})`, () => {
  let data: ReturnType<typeof tempDataDir> | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    data?.cleanup();
  });

  it(`loses nothing acknowledged and keeps the store consistent over ${ITERATIONS} SIGKILLs`, async () => {
    const random = prng(FUZZ_SEED);
    data = tempDataDir();
    const ports = { smtp: await freePort(), pop3: await freePort(), imap: await freePort() };
    const env = cliEnv(data.dir, {
      MINIMAIL_SMTP_PORT: String(ports.smtp),
      MINIMAIL_POP3_PORT: String(ports.pop3),
      MINIMAIL_IMAP_PORT: String(ports.imap),
    });
    const ledger: Ledger = {
      attempted: new Map(),
      acknowledged: new Set(),
      deleteAttempted: new Set(),
      deleteAcknowledged: new Set(),
    };
    let counter = 0;
    const next = (): number => counter++;

    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      server = await startServer(['--services', 'smtp,pop3,imap'], env);
      let stopped = false;
      const stop = (): boolean => stopped;
      const workers = [
        ...Array.from({ length: SMTP_SENDERS }, (_, w) => smtpSender(ports.smtp, w, ledger, next, stop)),
        ...POP3_USERS.map((user) => pop3Deleter(ports.pop3, user, ledger, stop)),
        ...IMAP_USERS.map((user) => imapWorker(ports.imap, user, ledger, next, stop)),
      ];
      // Kill at a random moment, 300 ms to 1.5 s into the load.
      await sleep(300 + Math.floor(random() * 1_200));
      server.kill('SIGKILL');
      await server.exited;
      stopped = true;
      await Promise.all(workers);
    }
    // A clean start after the last crash, then a clean stop: recovery must not need more.
    server = await startServer(['--services', 'smtp,pop3,imap'], env);
    server.kill('SIGTERM');
    await server.exited;

    process.stdout.write(
      `crash loop: ${ITERATIONS} kills, ${ledger.attempted.size} messages attempted, ${ledger.acknowledged.size} acknowledged, ` +
        `${ledger.deleteAcknowledged.size} of ${ledger.deleteAttempted.size} deletes acknowledged\n`,
    );
    expect(ledger.acknowledged.size, 'the load acknowledged something').toBeGreaterThan(0);
    expect(ledger.deleteAcknowledged.size, 'some deletes were acknowledged').toBeGreaterThan(0);

    // Count every stored copy of every test message.
    const counts = new Map<string, number>();
    const store = openStore({ path: storePath(data.dir) });
    try {
      for (const address of ALL_USERS) {
        const user = await store.getUser(address);
        if (!user) continue;
        for (const mailbox of await store.listMailboxes(user.id)) {
          for (const summary of await store.listMessages(mailbox.id)) {
            const id = TEST_ID.exec((await store.readBody(summary.bodyHash)).toString('latin1'))?.[1];
            if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
          }
        }
      }
    } finally {
      await store.close();
    }
    const problems: string[] = [];
    for (const id of ledger.attempted.keys()) {
      const count = counts.get(id) ?? 0;
      if (ledger.deleteAcknowledged.has(id)) {
        if (count !== 0) problems.push(`${id}: delete acknowledged, still stored ${count}x`);
      } else if (ledger.acknowledged.has(id) && !ledger.deleteAttempted.has(id)) {
        if (count !== 1) problems.push(`${id}: acknowledged, stored ${count}x`);
      } else if (count > 1) {
        problems.push(`${id}: stored ${count}x`);
      }
    }
    for (const id of counts.keys())
      if (!ledger.attempted.has(id)) problems.push(`${id}: stored but never sent`);
    expect(problems).toEqual([]);

    // The file itself, and the store's own bookkeeping.
    const db = new Database(storePath(data.dir), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const wrongRefcounts = db
        .prepare(
          `SELECT hash, refcount,
             (SELECT COUNT(*) FROM messages m WHERE m.body_hash = b.hash) +
             (SELECT COUNT(*) FROM outbound o WHERE o.body_hash = b.hash) AS actual
           FROM bodies b WHERE refcount != actual`,
        )
        .all();
      expect(wrongRefcounts).toEqual([]);
    } finally {
      db.close();
    }
  });
});
