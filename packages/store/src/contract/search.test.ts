import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_BACKEND, TempStores, type TestStore } from '../test-support/temp-store.js';
import type { IndexedBody, SearchTerm } from '../core/search-types.js';

/** A stand-in for the app's extractor: reads Subject/From and the body after the blank line. */
function indexBody(raw: Buffer): IndexedBody {
  const text = raw.toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const field = (name: string): string => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const address = (value: string) => ({ name: '', address: value });
  return {
    from: address(field('From')),
    to: field('To')
      .split(',')
      .filter(Boolean)
      .map((a) => address(a.trim())),
    cc: [],
    bcc: [],
    replyTo: [],
    subject: field('Subject'),
    messageId: field('Message-ID'),
    snippet: body.slice(0, 20),
    attachments: /attachment/i.test(head) ? 1 : 0,
    text: body,
  };
}

function raw(from: string, to: string, subject: string, body: string, extra = ''): Buffer {
  return Buffer.from(`From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\n${extra}\r\n${body}\r\n`);
}

describe('catcher search (full-text index, grouped list)', () => {
  let temp: TempStores;
  let store: TestStore;
  const text = (
    value: string,
    field: 'any' | 'from' | 'to' | 'subject' = 'any',
    negate = false,
  ): SearchTerm => ({
    kind: 'text',
    field,
    value,
    negate,
  });
  const subjects = async (terms: SearchTerm[]): Promise<string[]> =>
    (await store.searchMessages({ terms, start: 0, limit: 100 })).groups.map((g) => g.facts?.subject ?? '?');

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open({ indexBody });
  });
  afterEach(() => temp.cleanup());

  it('indexes every delivery of one group commit, and none that was rolled back (docs/adr/0040)', async () => {
    const alice = await store.ensureUser('alice@dev.test');
    const commitsBefore = store.commitCount;
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        store.deliver({
          raw: raw('app@shop.test', 'alice@dev.test', `Batch ${i} zebra${i}x`, `word${i}q body`),
          // Every seventh names a mailbox that does not exist: that delivery alone is rolled back.
          targets: [i % 7 === 3 ? { mailboxId: 999_999 } : { userId: alice.id }],
        }),
      ),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([3, 10, 17, 24]);
    if (TEST_BACKEND === 'sqlite') expect(store.commitCount - commitsBefore).toBeLessThan(10);
    for (let i = 0; i < 30; i++) {
      const expected = failed.includes(i) ? [] : [`Batch ${i} zebra${i}x`];
      expect(await subjects([text(`zebra${i}x`, 'subject')])).toEqual(expected);
      expect(await subjects([text(`word${i}q`)])).toEqual(expected);
    }
  });

  it('groups the copies of one delivery, pages with the true total, and searches every field', async () => {
    const alice = await store.ensureUser('alice@dev.test');
    const bob = await store.ensureUser('bob@dev.test');
    await store.deliver({
      raw: raw(
        'app@shop.test',
        'alice@dev.test, bob@dev.test',
        'Your order',
        'Confirm at https://shop.test/c/42',
      ),
      targets: [{ userId: alice.id }, { userId: bob.id }],
      internalDate: new Date('2026-01-01T10:00:00Z'),
    });
    await store.deliver({
      raw: raw('news@blog.test', 'alice@dev.test', 'Weekly digest', 'Grüße aus Köln'),
      targets: [{ userId: alice.id }],
      internalDate: new Date('2026-01-02T10:00:00Z'),
    });
    const page = await store.searchMessages({ terms: [], start: 0, limit: 1 });
    expect(page.total).toBe(2);
    expect(page.unread).toBe(2);
    expect(page.groups).toHaveLength(1);
    expect(page.groups[0]!.facts?.subject).toBe('Weekly digest');
    const second = await store.searchMessages({ terms: [], start: 1, limit: 1 });
    expect(second.groups[0]!.copies.map((c) => c.owner)).toEqual(['alice@dev.test', 'bob@dev.test']);

    expect(await subjects([text('köln')])).toEqual(['Weekly digest']);
    expect(await subjects([text('shop.test/c/42')])).toEqual(['Your order']);
    expect(await subjects([text('shop', 'from')])).toEqual(['Your order']);
    expect(await subjects([text('bob@', 'to')])).toEqual(['Your order']);
    expect(await subjects([text('digest', 'subject', true)])).toEqual(['Your order']);
    // Shorter than a trigram: answered by LIKE over the same index.
    expect(await subjects([text('42')])).toEqual(['Your order']);
    expect(await subjects([{ kind: 'before', date: new Date('2026-01-02T00:00:00Z') }])).toEqual([
      'Your order',
    ]);
    expect(await subjects([{ kind: 'after', date: new Date('2026-01-02T00:00:00Z') }])).toEqual([
      'Weekly digest',
    ]);
    // A quote in the text is data, not FTS syntax.
    expect(await subjects([text('"order')])).toEqual([]);
  });

  it('filters on flags and keywords, and forgets a body once its last copy is expunged', async () => {
    const alice = await store.ensureUser('alice@dev.test');
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    const first = await store.deliver({
      raw: raw('a@x.test', 'alice@dev.test', 'One', 'first body'),
      targets: [{ userId: alice.id }],
    });
    await store.deliver({
      raw: raw('a@x.test', 'alice@dev.test', 'Two', 'second body'),
      targets: [{ userId: alice.id }],
    });
    const uid = first.copies[0]!.uid;
    await store.setFlags(inbox.id, [uid], 'add', ['\\Seen', 'Important']);
    expect(await subjects([{ kind: 'read', value: true }])).toEqual(['One']);
    expect(await subjects([{ kind: 'read', value: false }])).toEqual(['Two']);
    expect(await subjects([{ kind: 'tag', value: 'important', negate: false }])).toEqual(['One']);
    expect(await subjects([{ kind: 'tag', value: 'important', negate: true }])).toEqual(['Two']);
    expect((await store.caughtGroup(inbox.id, uid))?.copies[0]?.flags).toEqual(['\\Seen', 'Important']);

    await store.expunge(inbox.id, [uid]);
    expect(await subjects([text('first')])).toEqual([]);
    expect(await store.caughtGroup(inbox.id, uid)).toBeNull();
    // The facts row went with its body (SQLite: a trigger, which also removes the FTS row;
    // PostgreSQL: ON DELETE CASCADE).
    expect(await temp.query('SELECT count(*) AS n FROM body_facts')).toEqual([{ n: 1 }]);
    if (TEST_BACKEND !== 'sqlite') return;
    expect(
      await temp.query(`SELECT count(*) AS n FROM body_search WHERE body_search MATCH '"first"'`),
    ).toEqual([{ n: 0 }]);
  });

  it('answers the same terms alike on every backend: case, attachments, sizes, scope and tags', async () => {
    const alice = await store.ensureUser('alice@dev.test');
    const bob = await store.ensureUser('bob@dev.test');
    const aliceInbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    const bobInbox = (await store.getMailbox(bob.id, 'INBOX'))!;
    await store.deliver({
      raw: raw(
        'Billing@Shop.test',
        'alice@dev.test',
        'INVOICE 7',
        'ÄRGER mit der Rechnung',
        'X-Attachment: yes\r\n',
      ),
      targets: [{ userId: alice.id }],
      internalDate: new Date('2026-02-01T10:00:00Z'),
    });
    const big = await store.deliver({
      raw: raw(
        'news@blog.test',
        'bob@dev.test',
        'Digest',
        `long ${'x'.repeat(5000)} tail`,
        'Message-ID: <d1@blog.test>\r\n',
      ),
      targets: [{ userId: bob.id }],
      internalDate: new Date('2026-02-02T10:00:00Z'),
    });
    // Case-insensitive substrings, Unicode included, in either direction.
    expect(await subjects([text('invoice')])).toEqual(['INVOICE 7']);
    expect(await subjects([text('SHOP.TEST', 'from')])).toEqual(['INVOICE 7']);
    expect(await subjects([text('ärger')])).toEqual(['INVOICE 7']);
    expect(await subjects([text('RECHNUNG')])).toEqual(['INVOICE 7']);
    expect(await subjects([text('zzz')])).toEqual([]);
    expect(await subjects([{ kind: 'text', field: 'message-id', value: 'd1@blog', negate: false }])).toEqual([
      'Digest',
    ]);
    // Terms AND together; a negated any-field term drops bodies matching in any field.
    expect(await subjects([text('dev.test', 'to'), text('tail')])).toEqual(['Digest']);
    expect(await subjects([text('blog', 'any', true)])).toEqual(['INVOICE 7']);
    expect(await subjects([{ kind: 'attachment', negate: false }])).toEqual(['INVOICE 7']);
    expect(await subjects([{ kind: 'attachment', negate: true }])).toEqual(['Digest']);
    expect(await subjects([{ kind: 'larger', bytes: 5000 }])).toEqual(['Digest']);
    expect(await subjects([{ kind: 'smaller', bytes: 5000 }])).toEqual(['INVOICE 7']);
    // LIKE wildcards in a term are data.
    expect(await subjects([text('%')])).toEqual([]);
    expect(await subjects([text('_')])).toEqual([]);
    // Scope: only the given mailboxes.
    const scoped = await store.searchMessages({ terms: [], mailboxIds: [bobInbox.id], start: 0, limit: 10 });
    expect(scoped.groups.map((g) => g.facts?.subject)).toEqual(['Digest']);
    expect(scoped.total).toBe(1);
    // Tags: keywords as stored, case-insensitively unique, system flags left out.
    await store.setFlags(bobInbox.id, [big.copies[0]!.uid], 'add', ['$Label1', '\\Flagged']);
    await store.setFlags(aliceInbox.id, [1], 'add', ['$Label1', 'Work']);
    expect(await store.catcherKeywords()).toEqual(['$Label1', 'Work']);
    expect(await store.catcherKeywords([bobInbox.id])).toEqual(['$Label1']);
    const unreadOnly = await store.searchMessages({ terms: [], start: 0, limit: 10, totals: false });
    expect([unreadOnly.total, unreadOnly.unread, unreadOnly.groups.length]).toEqual([-1, -1, 2]);
  });

  it('pages a frequent term newest first, and a new delivery or flag change is seen at once', async () => {
    const alice = await store.ensureUser('alice@dev.test');
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 40; i++) {
      await store.deliver({
        raw: raw('a@x.test', 'alice@dev.test', `m${i}`, i % 2 === 0 ? `common word ${i}` : `other ${i}`),
        targets: [{ userId: alice.id }],
        internalDate: new Date(base + i * 1000),
      });
    }
    const page = async (start: number, limit: number) =>
      store.searchMessages({ terms: [text('common')], start, limit });
    const first = await page(0, 5);
    expect([first.total, first.unread]).toEqual([20, 20]);
    expect(first.groups.map((g) => g.facts?.subject)).toEqual(['m38', 'm36', 'm34', 'm32', 'm30']);
    expect((await page(5, 5)).groups.map((g) => g.facts?.subject)).toEqual([
      'm28',
      'm26',
      'm24',
      'm22',
      'm20',
    ]);
    expect((await page(18, 5)).groups.map((g) => g.facts?.subject)).toEqual(['m2', 'm0']);
    // The same answers, asked again after a change, reflect it (nothing stale is cached).
    const added = await store.deliver({
      raw: raw('a@x.test', 'alice@dev.test', 'newest', 'common again'),
      targets: [{ userId: alice.id }],
      internalDate: new Date(base + 100_000),
    });
    const after = await page(0, 2);
    expect([after.total, after.unread]).toEqual([21, 21]);
    expect(after.groups.map((g) => g.facts?.subject)).toEqual(['newest', 'm38']);
    await store.setFlags(inbox.id, [added.copies[0]!.uid], 'add', ['\\Seen']);
    expect((await page(0, 2)).unread).toBe(20);
    expect((await store.searchMessages({ terms: [], start: 0, limit: 1 })).total).toBe(41);
  });

  it('indexes bodies stored without an entry (older mail, store copy) once, on request', async () => {
    const plain = await temp.open(); // no indexBody hook: as before the index existed
    const alice = await plain.ensureUser('alice@dev.test');
    for (const [i, subject] of ['old one', 'old two', 'unreadable'].entries()) {
      await plain.deliver({
        raw: raw('a@x.test', 'alice@dev.test', subject, `text of ${subject}`),
        targets: [{ userId: alice.id }],
        internalDate: new Date(Date.parse('2026-04-01T00:00:00Z') + i * 1000),
      });
    }
    expect(await plain.indexMissingBodies()).toBe(0); // nothing to index with
    const listed = await store.searchMessages({ terms: [], start: 0, limit: 10 });
    expect(listed.groups.map((g) => g.facts)).toEqual([null, null, null]);
    expect(await subjects([text('text of old')])).toEqual([]);

    // An indexer that fails on one body leaves it out and goes on with the rest.
    const picky = await temp.open({
      indexBody: (body) => {
        if (body.toString().includes('unreadable')) throw new Error('cannot parse');
        return indexBody(body);
      },
    });
    expect(await picky.indexMissingBodies()).toBe(2);
    expect(await picky.indexMissingBodies()).toBe(0);
    expect(await subjects([text('TEXT OF OLD')])).toEqual(['old two', 'old one']);
    expect(await store.indexMissingBodies()).toBe(1);
    expect(await subjects([text('unreadable')])).toEqual(['unreadable']);
    expect(await temp.query('SELECT count(*) AS n FROM body_facts')).toEqual([{ n: 3 }]);
  });

  it('refuses a query with too many terms', async () => {
    const terms = Array.from({ length: 33 }, () => text('abc'));
    await expect(store.searchMessages({ terms, start: 0, limit: 10 })).rejects.toMatchObject({
      code: 'INVALID',
    });
  });
});
