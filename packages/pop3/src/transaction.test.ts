import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import type { MailboxChange } from '@minimail/store';
import { HOSTNAME, deliver, inboxId, logIn, message, startHarness } from './test-support/harness.js';
import type { Harness } from './test-support/harness.js';

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

const BOB = 'bob@local.test';
const M1 = message('first', 'Hello\r\n.dotted line\r\n..two dots\r\ncaf\u00e9\r\n');
const M2 = message('second', 'line 1\r\nline 2\r\nline 3\r\n');
const M3 = message('third', 'bye\r\n');

/** Bob's INBOX holds M1, M2, M3; returns the harness and their UIDs. */
async function startWithMail(): Promise<{ h: Harness; uids: number[] }> {
  harness = await startHarness();
  const uids = [];
  for (const raw of [M1, M2, M3]) uids.push(await deliver(harness.store, BOB, raw));
  return { h: harness, uids };
}

async function uidValidity(h: Harness): Promise<number> {
  const mailbox = await h.store.getMailboxById(await inboxId(h.store, BOB));
  if (!mailbox) throw new Error('no INBOX');
  return mailbox.uidValidity;
}

/** The body lines of a multi-line reply as sent (still dot-stuffed), as RFC 1939 3 frames them. */
const wireLines = (raw: Buffer): string[] => {
  const lines = raw.toString('utf8').split('\r\n');
  lines.pop(); // every test message ends with CRLF
  return lines.map((line) => (line.startsWith('.') ? `.${line}` : line));
};

async function session(h: Harness): Promise<RawClient> {
  const client = await h.connect();
  await logIn(client, BOB);
  return client;
}

describe('TRANSACTION state (RFC 1939 5 and 7)', () => {
  it('STAT, LIST and LIST n report exact stored sizes', async () => {
    const { h } = await startWithMail();
    const total = M1.length + M2.length + M3.length;
    const client = await session(h);
    client.send('STAT');
    await client.expect(`+OK 3 ${total}`);
    client.send('LIST');
    await client.expect(`+OK 3 messages (${total} octets)`);
    expect(await client.readMultiline()).toEqual([`1 ${M1.length}`, `2 ${M2.length}`, `3 ${M3.length}`]);
    client.send('LIST 2');
    await client.expect(`+OK 2 ${M2.length}`);
    const stored = await h.store.listMessages(await inboxId(h.store, BOB));
    expect(stored.map((summary) => summary.size)).toEqual([M1.length, M2.length, M3.length]);
  });

  it('bad message arguments get -ERR and the session goes on', async () => {
    const { h } = await startWithMail();
    const client = await session(h);
    const cases: Array<[string, string]> = [
      ['LIST 0', '-ERR syntax: LIST [msg]'],
      ['LIST x', '-ERR syntax: LIST [msg]'],
      ['LIST 4', '-ERR no such message'],
      ['LIST 1 2', '-ERR syntax: LIST [msg]'],
      ['UIDL 4', '-ERR no such message'],
      ['RETR', '-ERR syntax: RETR msg'],
      ['RETR 99', '-ERR no such message'],
      ['TOP 1', '-ERR syntax: TOP msg n'],
      ['TOP 1 -1', '-ERR syntax: TOP msg n'],
      ['TOP 9 1', '-ERR no such message'],
      ['DELE', '-ERR syntax: DELE msg'],
      ['DELE 01', '-ERR syntax: DELE msg'],
      ['STAT 1', '-ERR syntax: STAT'],
      ['RSET 1', '-ERR syntax: RSET'],
      ['NOOP 1', '-ERR syntax: NOOP'],
      ['NOOP', '+OK'],
    ];
    for (const [command, reply] of cases) {
      client.send(command);
      await client.expect(reply);
    }
  });

  it('UIDL and UIDL n give <uidvalidity>.<uid>', async () => {
    const { h, uids } = await startWithMail();
    const validity = await uidValidity(h);
    const client = await session(h);
    client.send('UIDL');
    await client.expect('+OK unique-id listing follows');
    expect(await client.readMultiline()).toEqual(uids.map((uid, index) => `${index + 1} ${validity}.${uid}`));
    client.send('UIDL 3');
    await client.expect(`+OK 3 ${validity}.${uids[2]}`);
  });

  it('RETR sends the stored bytes, dot-stuffed, with the size LIST gave', async () => {
    const { h } = await startWithMail();
    const client = await session(h);
    client.send('RETR 1');
    await client.expect(`+OK ${M1.length} octets`);
    const lines = await client.readMultiline();
    expect(lines).toEqual(wireLines(M1));
    expect(lines).toContain('..dotted line');
    expect(lines).toContain('...two dots');
    client.send('RETR 3');
    await client.expect(`+OK ${M3.length} octets`);
    expect(await client.readMultiline()).toEqual([
      'From: alice@remote.test',
      'To: bob@local.test',
      'Subject: third',
      '',
      'bye',
    ]);
  });

  it('RETR in order, out of order and around deleted messages sends each its own bytes (read-ahead)', async () => {
    const { h } = await startWithMail();
    const client = await session(h);
    const retr = async (number: number, raw: Buffer): Promise<void> => {
      client.send(`RETR ${number}`);
      await client.expect(`+OK ${raw.length} octets`);
      expect(await client.readMultiline()).toEqual(wireLines(raw));
    };
    // RETR 1 reads 2 ahead; 2 is then deleted, so RETR 3 must not be served the guess.
    await retr(1, M1);
    client.send('DELE 2');
    await client.expect('+OK message 2 deleted');
    await retr(3, M3);
    // Backwards, then the read-ahead skips the deleted 2 and guesses 3.
    await retr(1, M1);
    await retr(3, M3);
    client.send('RSET');
    await client.expect(`+OK maildrop has 3 messages (${M1.length + M2.length + M3.length} octets)`);
    await retr(2, M2);
    await retr(2, M2);
  });

  it('TOP sends the header, the blank line and n body lines', async () => {
    const { h } = await startWithMail();
    const client = await session(h);
    const header = ['From: alice@remote.test', 'To: bob@local.test', 'Subject: second', ''];
    client.send('TOP 2 0');
    await client.expect('+OK top of message follows');
    expect(await client.readMultiline()).toEqual(header);
    client.send('TOP 2 2');
    await client.expect('+OK top of message follows');
    expect(await client.readMultiline()).toEqual([...header, 'line 1', 'line 2']);
    client.send('TOP 1 2');
    await client.expect('+OK top of message follows');
    expect(await client.readMultiline()).toEqual([
      'From: alice@remote.test',
      'To: bob@local.test',
      'Subject: first',
      '',
      'Hello',
      '..dotted line',
    ]);
  });

  it('a message marked deleted answers -ERR to later commands; RSET unmarks', async () => {
    const { h } = await startWithMail();
    const client = await session(h);
    client.send('DELE 2');
    await client.expect('+OK message 2 deleted');
    for (const command of ['DELE 2', 'RETR 2', 'TOP 2 0', 'LIST 2', 'UIDL 2']) {
      client.send(command);
      await client.expect('-ERR message 2 already deleted');
    }
    client.send('STAT');
    await client.expect(`+OK 2 ${M1.length + M3.length}`);
    client.send('LIST');
    await client.expect(`+OK 2 messages (${M1.length + M3.length} octets)`);
    expect(await client.readMultiline()).toEqual([`1 ${M1.length}`, `3 ${M3.length}`]);
    client.send('UIDL');
    await client.expect('+OK unique-id listing follows');
    expect(await client.readMultiline()).toHaveLength(2);
    client.send('RSET');
    await client.expect(`+OK maildrop has 3 messages (${M1.length + M2.length + M3.length} octets)`);
    client.send('LIST 2');
    await client.expect(`+OK 2 ${M2.length}`);
  });

  it('QUIT removes the marked messages before +OK, and a watcher of INBOX sees the expunge', async () => {
    const { h, uids } = await startWithMail();
    const inbox = await inboxId(h.store, BOB);
    const changes: MailboxChange[] = [];
    const stop = h.store.watch(inbox, (batch) => changes.push(...batch));
    const client = await session(h);
    client.send('DELE 1');
    await client.expect('+OK message 1 deleted');
    client.send('DELE 3');
    await client.expect('+OK message 3 deleted');
    client.send('QUIT');
    await client.expect('+OK bye, 1 messages left');
    await client.closed();
    // "+OK" came after the commit: the store already agrees.
    expect((await h.store.listMessages(inbox)).map((summary) => summary.uid)).toEqual([uids[1]]);
    await expect
      .poll(() =>
        changes
          .filter((change) => change.kind === 'expunge')
          .map((change) => change.uid)
          .sort(),
      )
      .toEqual([uids[0], uids[2]].sort());
    stop();
  });

  it('a session that drops without QUIT deletes nothing and releases the lock', async () => {
    const { h } = await startWithMail();
    const inbox = await inboxId(h.store, BOB);
    const client = await session(h);
    client.send('DELE 1');
    await client.expect('+OK message 1 deleted');
    await client.close();
    const next = await h.connect();
    await expect
      .poll(async () => {
        // The first session's cleanup runs as its socket closes; retry until the lock is free.
        const probe = await h.connect();
        await probe.readLine();
        probe.send(`USER ${BOB}`);
        await probe.readLine();
        probe.send('PASS x');
        const reply = await probe.readLine();
        await probe.close();
        return reply;
      })
      .toBe(`+OK maildrop locked and ready, 3 messages (${M1.length + M2.length + M3.length} octets)`);
    await logIn(next, BOB);
    expect(await h.store.listMessages(inbox)).toHaveLength(3);
  });

  it('numbers messages from the snapshot taken at login; new mail waits for the next session', async () => {
    const { h } = await startWithMail();
    const client = await session(h);
    const late = message('late', 'arrived during the session\r\n');
    await deliver(h.store, BOB, late);
    client.send('STAT');
    await client.expect(`+OK 3 ${M1.length + M2.length + M3.length}`);
    client.send('RETR 4');
    await client.expect('-ERR no such message');
    client.send('QUIT');
    await client.expect('+OK bye, 3 messages left');
    const next = await session(h);
    next.send('LIST 4');
    await next.expect(`+OK 4 ${late.length}`);
  });

  it('UIDL ids are stable across sessions and a store reopen', async () => {
    const { h } = await startWithMail();
    const listing = async (): Promise<string[]> => {
      const client = await session(h);
      client.send('UIDL');
      await client.expect('+OK unique-id listing follows');
      const lines = await client.readMultiline();
      client.send('QUIT');
      await client.expect('+OK bye, 3 messages left');
      return lines;
    };
    const first = await listing();
    expect(await listing()).toEqual(first);
    await h.restart();
    expect(await listing()).toEqual(first);
  });

  it('a second session for the same maildrop gets -ERR [IN-USE]', async () => {
    const { h } = await startWithMail();
    const first = await session(h);
    const second = await h.connect();
    await second.expect(`+OK ${HOSTNAME} POP3 server ready`);
    second.send(`USER ${BOB}`);
    await second.expect('+OK send PASS');
    second.send('PASS x');
    await second.expect('-ERR [IN-USE] maildrop is locked by another session');
    // Still in AUTHORIZATION: another user's maildrop is free.
    second.send('USER carol@local.test');
    await second.expect('+OK send PASS');
    second.send('PASS x');
    await second.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
    first.send('QUIT');
    await first.expect('+OK bye, 3 messages left');
  });

  it('store trouble is answered -ERR [SYS/TEMP] and the session goes on', async () => {
    const { h } = await startWithMail();
    const client = await session(h);
    await h.closeStore();
    client.send('RETR 1');
    await client.expect('-ERR [SYS/TEMP] mail store is busy, try again later');
    client.send('LIST 1');
    await client.expect(`+OK 1 ${M1.length}`);
    client.send('DELE 1');
    await client.expect('+OK message 1 deleted');
    client.send('QUIT');
    await client.expect('-ERR [SYS/TEMP] deleted messages not removed, try again later');
    await client.closed();
  });

  it('logs one line per session end with user, retrieved and deleted, never the password', async () => {
    const { h } = await startWithMail();
    const client = await h.connect();
    await logIn(client, BOB, 'hunter2-secret');
    client.send('RETR 1');
    await client.expect(`+OK ${M1.length} octets`);
    await client.readMultiline();
    client.send('DELE 2');
    await client.expect('+OK message 2 deleted');
    client.send('QUIT');
    await client.expect('+OK bye, 2 messages left');
    await expect
      .poll(() => h.logs.filter((log) => log.msg === 'pop3 session end'))
      .toEqual([
        expect.objectContaining({ user: BOB, retrieved: 1, deleted: 1, reason: 'quit', proto: 'pop3' }),
      ]);
    expect(JSON.stringify(h.logs)).not.toContain('hunter2');
  });
});

describe('transcript', () => {
  it('at debug level logs the conversation with credentials hidden and bodies summarised', async () => {
    harness = await startHarness({ logLevel: 'debug' });
    const h = harness;
    const raw = message('one', 'hello\r\n');
    await deliver(h.store, BOB, raw);
    const client = await h.connect();
    await logIn(client, BOB, 'hunter2-secret');
    client.send('RETR 1');
    await client.expect(`+OK ${raw.length} octets`);
    await client.readMultiline();
    client.send('QUIT');
    await client.expect('+OK bye, 1 messages left');
    await client.closed();
    await expect
      .poll(() => h.logs.filter((log) => log.msg === 'pop3 transcript').map((log) => log.line))
      .toEqual([
        'S: +OK pop.test POP3 server ready',
        `C: USER ${BOB}`,
        'S: +OK send PASS',
        'C: PASS ***',
        `S: +OK maildrop locked and ready, 1 messages (${raw.length} octets)`,
        'C: RETR 1',
        `S: +OK ${raw.length} octets`,
        `-- [message, ${raw.length} octets before dot-stuffing]`,
        'C: QUIT',
        'S: +OK bye, 1 messages left',
      ]);
    expect(JSON.stringify(h.logs)).not.toContain('hunter2');
  });

  it('hides SASL responses', async () => {
    harness = await startHarness({ logLevel: 'debug' });
    const h = harness;
    const client = await h.connect();
    await client.expect(`+OK ${HOSTNAME} POP3 server ready`);
    client.send('AUTH LOGIN');
    await client.expect('+ VXNlcm5hbWU6');
    client.send(Buffer.from(BOB).toString('base64'));
    await client.expect('+ UGFzc3dvcmQ6');
    client.send(Buffer.from('hunter2-secret').toString('base64'));
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
    await expect
      .poll(() => h.logs.filter((log) => log.msg === 'pop3 transcript').map((log) => log.line))
      .toEqual([
        'S: +OK pop.test POP3 server ready',
        'C: AUTH LOGIN',
        'S: + VXNlcm5hbWU6',
        'C: ***',
        'S: + UGFzc3dvcmQ6',
        'C: ***',
        'S: +OK maildrop locked and ready, 0 messages (0 octets)',
      ]);
    expect(JSON.stringify(h.logs)).not.toContain(Buffer.from('hunter2-secret').toString('base64'));
  });
});
