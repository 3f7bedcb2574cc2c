/**
 * IMAP SEARCH BODY from the full-text index (docs/adr/0036): searchIndexedText narrows, never
 * drops a match, and names what the index cannot speak for; indexMailboxBodies fills the index
 * of one mailbox lazily while deliveries (indexAtDelivery: false) write none. Both backends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_BACKEND, TempStores, type TestStore } from '../test-support/temp-store.js';
import type { IndexedBody } from '../core/search-types.js';
import { MAX_WHOLLY_INDEXED_SIZE } from '../core/search-text.js';

/** A stand-in for the app's extractor: the text is what follows the header, the header is the rest. */
function indexBody(raw: Buffer): IndexedBody {
  const [headers = '', ...rest] = raw.toString('utf8').split('\r\n\r\n');
  const text = rest.join('\r\n\r\n');
  return {
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: '',
    messageId: '',
    snippet: '',
    attachments: 0,
    text,
    headers,
  };
}

/** The same without header text: such entries do not speak for TEXT. */
const bodyOnly = (raw: Buffer): IndexedBody => {
  const { headers: _headers, ...rest } = indexBody(raw);
  return rest;
};

const message = (body: string, subject = 't'): Buffer => Buffer.from(`Subject: ${subject}\r\n\r\n${body}`);

describe('searchIndexedText and indexMailboxBodies', () => {
  let temp: TempStores;
  let store: TestStore;
  let mailboxId: number;
  let userId: number;
  const bodies = [
    'Grüße aus Köln',
    'ORDER confirmed at https://shop.test',
    'nothing to see',
    'ΟΔΟΣ and ΑΣ',
    'the letter abcİ here',
  ];

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open({ indexBody, indexAtDelivery: false });
    userId = (await store.ensureUser('alice@dev.test')).id;
    for (const body of bodies) await store.deliver({ raw: message(body), targets: [{ userId }] });
    mailboxId = (await store.getMailbox(userId, 'INBOX'))!.id;
  });
  afterEach(() => temp.cleanup());

  it('names every body unindexed until the mailbox is indexed lazily, in bounded batches', async () => {
    expect(await store.searchIndexedText(mailboxId, 'order')).toEqual({
      matched: [],
      unindexed: [1, 2, 3, 4, 5],
    });
    expect(await store.indexMailboxBodies(mailboxId, 2)).toBe(2);
    expect((await store.searchIndexedText(mailboxId, 'order'))!.unindexed).toHaveLength(3);
    expect(await store.indexMailboxBodies(mailboxId, 100)).toBe(3);
    expect(await store.indexMailboxBodies(mailboxId, 100)).toBe(0);
    expect(await store.searchIndexedText(mailboxId, 'order')).toEqual({ matched: [2], unindexed: [] });
  });

  it('matches lower-cased substrings as IMAP does, per mailbox', async () => {
    await store.indexMailboxBodies(mailboxId, 100);
    const other = await store.createMailbox(userId, 'Other');
    await store.deliver({ raw: message('another ORDER'), targets: [{ userId, mailbox: 'Other' }] });
    await store.indexMailboxBodies(other.id, 100);
    expect(await store.searchIndexedText(mailboxId, 'KÖLN')).toEqual({ matched: [1], unindexed: [] });
    expect(await store.searchIndexedText(mailboxId, 'Order Conf')).toEqual({ matched: [2], unindexed: [] });
    expect(await store.searchIndexedText(mailboxId, 'zzz')).toEqual({ matched: [], unindexed: [] });
    expect(await store.searchIndexedText(other.id, 'order')).toEqual({ matched: [1], unindexed: [] });
    // "İ" lower-cases to "i" + U+0307: IMAP finds "abci" in "abcİ".
    expect((await store.searchIndexedText(mailboxId, 'ABCI'))!.matched).toContain(5);
    // Shorter than a trigram, or sigma: each backend narrows only where its index is exact.
    for (const term of ['öl', 'ΑΣ', 'οδος']) {
      const answer = await store.searchIndexedText(mailboxId, term);
      const truth = bodies.flatMap((body, i) =>
        body.toLowerCase().includes(term.toLowerCase()) ? [i + 1] : [],
      );
      if (answer !== null) expect(answer.matched).toEqual(expect.arrayContaining(truth));
      if (TEST_BACKEND === 'sqlite' && term === 'öl') expect(answer).toBeNull();
    }
  });

  it('names bodies longer than the index keeps as unindexed, and indexes at delivery by default', async () => {
    const big = 'x'.repeat(MAX_WHOLLY_INDEXED_SIZE) + ' needle';
    await store.deliver({ raw: message(big), targets: [{ userId }] });
    await store.indexMailboxBodies(mailboxId, 100);
    expect(await store.searchIndexedText(mailboxId, 'needle')).toEqual({ matched: [], unindexed: [6] });

    const eager = await temp.open({ indexBody });
    await eager.deliver({ raw: message('eager needle'), targets: [{ userId }] });
    expect(await eager.searchIndexedText(mailboxId, 'needle')).toEqual({ matched: [7], unindexed: [6] });
    const bare = await temp.open();
    expect(await bare.indexMailboxBodies(mailboxId, 100)).toBe(0);
  });

  it('answers TEXT from the header block or the body, where the entry holds the headers', async () => {
    await store.deliver({ raw: message('plain', 'Headerword here'), targets: [{ userId }] });
    await store.indexMailboxBodies(mailboxId, 100);
    expect(await store.searchIndexedText(mailboxId, 'HEADERWORD', 'text')).toEqual({
      matched: [6],
      unindexed: [],
    });
    expect(await store.searchIndexedText(mailboxId, 'headerword', 'body')).toEqual({
      matched: [],
      unindexed: [],
    });
    expect(await store.searchIndexedText(mailboxId, 'köln', 'text')).toEqual({ matched: [1], unindexed: [] });

    const other = await temp.open({ indexBody: bodyOnly });
    await other.deliver({ raw: message('köln again', 'Headerword'), targets: [{ userId }] });
    expect(await other.searchIndexedText(mailboxId, 'headerword', 'text')).toEqual({
      matched: [6],
      unindexed: [7],
    });
    expect(await other.searchIndexedText(mailboxId, 'köln', 'body')).toEqual({
      matched: [1, 7],
      unindexed: [],
    });
  });
});
