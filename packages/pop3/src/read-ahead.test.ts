import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '@minimail/protocol';
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

/** Log records of the read-ahead, parsed. */
function capturingLogger(): {
  logger: ReturnType<typeof createLogger>;
  records: Array<Record<string, unknown>>;
} {
  const records: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), records };
}

/** Lets setImmediate callbacks (where read-ahead starts) and the reads they start settle. */
async function nextTurn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Bob's maildrop holding M1 and M2, as a session would see it. */
async function bobsMaildrop(h: Harness): Promise<MaildropMessage[]> {
  await deliver(h.store, BOB, M1);
  await deliver(h.store, BOB, M2);
  const mailboxId = await inboxId(h.store, BOB);
  const maildrop = new Maildrop(mailboxId, 1, await h.store.listMessages(mailboxId));
  return maildrop.live();
}

describe('BodyReadAhead', () => {
  it('serves the guessed body, and reads any other message on demand', async () => {
    harness = await startHarness({ tls: false });
    const [first, second] = await bobsMaildrop(harness);
    if (!first || !second) throw new Error('maildrop not seeded');
    const readAhead = new BodyReadAhead(harness.store, capturingLogger().logger);

    readAhead.prefetch(second);
    expect(await readAhead.read(second)).toEqual(M2);
    // A wrong guess is dropped: the message asked for is read.
    readAhead.prefetch(second);
    expect(await readAhead.read(first)).toEqual(M1);
    // Nothing guessed at all.
    expect(await readAhead.read(second)).toEqual(M2);
  });

  it('take() gives the guessed body once it has arrived, and nothing for another message', async () => {
    harness = await startHarness({ tls: false });
    const [first, second] = await bobsMaildrop(harness);
    if (!first || !second) throw new Error('maildrop not seeded');
    const readAhead = new BodyReadAhead(harness.store, capturingLogger().logger);

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
    harness = await startHarness({ tls: false });
    const [first] = await bobsMaildrop(harness);
    if (!first) throw new Error('maildrop not seeded');
    const { logger, records } = capturingLogger();
    const readAhead = new BodyReadAhead(harness.store, logger);
    const missing: MaildropMessage = { ...first, bodyHash: '0'.repeat(64) };

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
    harness = await startHarness({ tls: false });
    const [first] = await bobsMaildrop(harness);
    if (!first) throw new Error('maildrop not seeded');
    const { logger, records } = capturingLogger();
    const readAhead = new BodyReadAhead(harness.store, logger);
    const missing: MaildropMessage = { ...first, bodyHash: '0'.repeat(64) };

    readAhead.prefetch(missing);
    const error: unknown = await readAhead.read(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('NOT_FOUND');
    expect(records.filter((record) => record['msg'] === 'pop3 read-ahead failed')).toHaveLength(1);
  });

  it('does not read ahead a message over READ_AHEAD_MAX_OCTETS', async () => {
    harness = await startHarness({ tls: false });
    const [first] = await bobsMaildrop(harness);
    if (!first) throw new Error('maildrop not seeded');
    const { logger, records } = capturingLogger();
    const readAhead = new BodyReadAhead(harness.store, logger);
    // A missing body that is too big to guess: no read-ahead is tried, so none fails.
    const big: MaildropMessage = { ...first, bodyHash: '0'.repeat(64), size: READ_AHEAD_MAX_OCTETS + 1 };

    readAhead.prefetch(big);
    await expect(readAhead.read(big)).rejects.toBeInstanceOf(StoreError);
    expect(records.filter((record) => record['msg'] === 'pop3 read-ahead failed')).toHaveLength(0);
  });
});
