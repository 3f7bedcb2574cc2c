import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '@minimail/protocol/testing';
import { StoreError } from '@minimail/store';
import { READ_AHEAD_MAX_OCTETS } from './limits.js';
import { Maildrop } from './maildrop.js';
import type { MaildropMessage } from './maildrop.js';
import { BodyReadAhead } from './read-ahead.js';
import { deliver, inboxId, message, startHarness } from './test-support/harness.js';
import type { Harness } from './test-support/harness.js';

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

const BOB = 'bob@local.test';
const M1 = message('first', 'one\r\n');
const M2 = message('second', '.two\r\n');

/** Lets setImmediate callbacks (where read-ahead starts) and the reads they start settle. */
async function nextTurn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A read-ahead over Bob's maildrop holding M1 and M2, as a session would see it; `records` is its
 * debug log and `missing` a message like the first whose body the store does not have.
 */
async function setUp(): Promise<{
  first: MaildropMessage;
  second: MaildropMessage;
  missing: MaildropMessage;
  readAhead: BodyReadAhead;
  records: Array<Record<string, unknown>>;
}> {
  harness = await startHarness({ tls: false });
  await deliver(harness.store, BOB, M1);
  await deliver(harness.store, BOB, M2);
  const mailboxId = await inboxId(harness.store, BOB);
  const maildrop = new Maildrop(mailboxId, 1, await harness.store.listMessages(mailboxId));
  const [first, second] = maildrop.live();
  if (!first || !second) throw new Error('maildrop not seeded');
  const { logger, records } = capturingLogger('debug');
  const missing: MaildropMessage = { ...first, bodyHash: '0'.repeat(64) };
  return { first, second, missing, readAhead: new BodyReadAhead(harness.store, logger), records };
}

describe('BodyReadAhead', () => {
  it('serves the guessed body, and reads any other message on demand', async () => {
    const { first, second, readAhead } = await setUp();

    readAhead.prefetch(second);
    expect(await readAhead.read(second)).toEqual(M2);
    // A wrong guess is dropped: the message asked for is read.
    readAhead.prefetch(second);
    expect(await readAhead.read(first)).toEqual(M1);
    // Nothing guessed at all.
    expect(await readAhead.read(second)).toEqual(M2);
  });

  it('take() gives the guessed body once it has arrived, and nothing for another message', async () => {
    const { first, second, readAhead } = await setUp();

    readAhead.prefetch(second);
    // The read starts on the next event-loop turn: nothing has arrived yet.
    expect(readAhead.take(second)).toBeNull();
    await nextTurn();
    expect(readAhead.take(first)).toBeNull();
    expect(readAhead.take(second)).toEqual(M2);
    // Taken once: the next RETR of the same message reads it again.
    expect(readAhead.take(second)).toBeNull();
    expect(await readAhead.read(second)).toEqual(M2);
  });

  it('a guess dropped before its read starts reads nothing', async () => {
    const { first, missing, readAhead, records } = await setUp();

    // The client asks for another message at once: the guess is dropped, and its read (which
    // would fail and be logged) never happens.
    readAhead.prefetch(missing);
    expect(await readAhead.read(first)).toEqual(M1);
    readAhead.prefetch(missing);
    readAhead.prefetch(first);
    await nextTurn();
    expect(readAhead.take(first)).toEqual(M1);
    expect(records.filter((record) => record['msg'] === 'pop3 read-ahead failed')).toHaveLength(0);
  });

  it('a failed read-ahead is read again on demand, so the store error reaches the caller', async () => {
    const { missing, readAhead, records } = await setUp();

    readAhead.prefetch(missing);
    const error: unknown = await readAhead.read(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('NOT_FOUND');
    expect(records.filter((record) => record['msg'] === 'pop3 read-ahead failed')).toHaveLength(1);
  });

  it('does not read ahead a message over READ_AHEAD_MAX_OCTETS', async () => {
    const { missing, readAhead, records } = await setUp();
    // A missing body that is too big to guess: no read-ahead is tried, so none fails.
    const big: MaildropMessage = { ...missing, size: READ_AHEAD_MAX_OCTETS + 1 };

    readAhead.prefetch(big);
    await expect(readAhead.read(big)).rejects.toBeInstanceOf(StoreError);
    expect(records.filter((record) => record['msg'] === 'pop3 read-ahead failed')).toHaveLength(0);
  });
});
