/**
 * The catcher's totals (Mailpit's `messages_count` / `messages_unread`) stay exact while a store
 * answers from what it remembers: a search asked again after new mail, a flag change, an expunge
 * or a background index run must give the same totals and page as a store that counts afresh
 * (another store on the same data: another process, another node), and the numbers pinned here.
 * Groups are one delivery's copies: a body delivered twice at different times is two groups; the
 * same body at the same time to another recipient joins its group.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_BACKEND, TempStores, type TestStore } from '../test-support/temp-store.js';
import type { IndexedBody, MessageQuery, SearchTerm } from '../core/search-types.js';

/** A stand-in for the app's extractor: Subject, From, To and the body after the blank line. */
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
    messageId: '',
    snippet: body.slice(0, 20),
    attachments: /attachment/i.test(head) ? 1 : 0,
    text: body,
  };
}

function raw(subject: string, body: string, extra = ''): Buffer {
  return Buffer.from(
    `From: app@shop.test\r\nTo: dev@dev.test\r\nSubject: ${subject}\r\n${extra}\r\n${body}\r\n`,
  );
}

const text = (value: string, negate = false): SearchTerm => ({ kind: 'text', field: 'any', value, negate });
const at = (minute: number): Date => new Date(Date.parse('2026-05-01T00:00:00Z') + minute * 60_000);

describe('catcher totals stay exact over changes', () => {
  let temp: TempStores;
  let store: TestStore;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open({ indexBody });
  });
  afterEach(() => temp.cleanup());

  /** Totals and page subjects of a query, from `store` and from a store that counts afresh. */
  async function both(query: Omit<MessageQuery, 'start' | 'limit'>): Promise<[number, number, string[]]> {
    const ask = async (s: TestStore): Promise<[number, number, string[]]> => {
      const page = await s.searchMessages({ ...query, start: 0, limit: 50 });
      return [page.total, page.unread, page.groups.map((g) => `${g.facts?.subject}x${g.copies.length}`)];
    };
    const fresh = await temp.open({ indexBody });
    const expected = await ask(fresh);
    await fresh.close();
    const answer = await ask(store);
    expect(answer).toEqual(expected);
    return answer;
  }

  /** SQLite keeps the counts of bodies and index rows by triggers (migration 016): still exact. */
  async function expectCountersExact(): Promise<void> {
    if (TEST_BACKEND !== 'sqlite') return;
    expect(await temp.query('SELECT bodies, facts FROM search_epoch')).toEqual(
      await temp.query(
        'SELECT (SELECT count(*) FROM bodies) AS bodies, (SELECT count(*) FROM body_facts) AS facts',
      ),
    );
  }

  it('pins totals with duplicate bodies, several recipients, read and expunged copies', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((u) => store.ensureUser(`${u}@dev.test`)));
    const inboxA = (await store.getMailbox(a!.id, 'INBOX'))!;
    const inboxC = (await store.getMailbox(c!.id, 'INBOX'))!;
    const invoice = raw('Invoice', 'alpha invoice 1');
    // One delivery to two recipients: one group of two copies.
    const first = await store.deliver({
      raw: invoice,
      targets: [{ userId: a!.id }, { userId: b!.id }],
      internalDate: at(1),
    });
    const beta = await store.deliver({
      raw: raw('Beta', 'beta invoice 2'),
      targets: [{ userId: c!.id }],
      internalDate: at(2),
    });
    await store.deliver({
      raw: raw('Other', 'nothing here'),
      targets: [{ userId: a!.id }],
      internalDate: at(3),
    });
    const queries: Array<Omit<MessageQuery, 'start' | 'limit'>> = [
      { terms: [text('invoice')] },
      { terms: [text('alpha')] },
      { terms: [text('invoice'), { kind: 'read', value: false }] },
      { terms: [text('invoice')], mailboxIds: [inboxA.id] },
      { terms: [] },
    ];
    const all = async () => Promise.all(queries.map((query) => both(query)));
    expect(await all()).toEqual([
      [2, 2, ['Betax1', 'Invoicex2']],
      [1, 1, ['Invoicex2']],
      [2, 2, ['Betax1', 'Invoicex2']],
      [1, 1, ['Invoicex1']],
      [3, 3, ['Otherx1', 'Betax1', 'Invoicex2']],
    ]);

    // The same body again, later, to a: a second group of the same body.
    await store.deliver({ raw: invoice, targets: [{ userId: a!.id }], internalDate: at(4) });
    // The same body at the first one's time, to c: joins the first group (now three copies).
    await store.deliver({ raw: invoice, targets: [{ userId: c!.id }], internalDate: at(1) });
    // A new body that matches.
    await store.deliver({
      raw: raw('Gamma', 'gamma invoice 3'),
      targets: [{ userId: b!.id }],
      internalDate: at(5),
    });
    expect(await all()).toEqual([
      [4, 4, ['Gammax1', 'Invoicex1', 'Betax1', 'Invoicex3']],
      [2, 2, ['Invoicex1', 'Invoicex3']],
      [4, 4, ['Gammax1', 'Invoicex1', 'Betax1', 'Invoicex3']],
      [2, 2, ['Invoicex1', 'Invoicex1']],
      [5, 5, ['Gammax1', 'Invoicex1', 'Otherx1', 'Betax1', 'Invoicex3']],
    ]);

    // Read on one of the first group's three copies: the group stays unread; read on all: read.
    const copyOf = (userId: number) => first.copies.find((copy) => copy.userId === userId)!;
    await store.setFlags(inboxA.id, [copyOf(a!.id).uid], 'add', ['\\Seen']);
    expect((await all()).map(([total, unread]) => [total, unread])).toEqual([
      [4, 4],
      [2, 2],
      [4, 4],
      [2, 1],
      [5, 5],
    ]);
    await store.setFlags(copyOf(b!.id).mailboxId, [copyOf(b!.id).uid], 'add', ['\\Seen']);
    const joined = (await store.searchMessages({ terms: [text('alpha')], start: 1, limit: 1 })).groups[0]!;
    const atC = joined.copies.find((copy) => copy.mailboxId === inboxC.id)!;
    await store.setFlags(inboxC.id, [atC.uid], 'add', ['\\Seen']);
    expect(await all()).toEqual([
      [4, 3, ['Gammax1', 'Invoicex1', 'Betax1', 'Invoicex3']],
      [2, 1, ['Invoicex1', 'Invoicex3']],
      [3, 3, ['Gammax1', 'Invoicex1', 'Betax1']],
      [2, 1, ['Invoicex1', 'Invoicex1']],
      [5, 4, ['Gammax1', 'Invoicex1', 'Otherx1', 'Betax1', 'Invoicex3']],
    ]);

    // New mail after the flag changes (carried from the recount), then expunges.
    await store.deliver({
      raw: raw('Delta', 'delta invoice 4'),
      targets: [{ userId: a!.id }],
      internalDate: at(6),
    });
    expect((await all()).map(([total, unread]) => [total, unread])).toEqual([
      [5, 4],
      [2, 1],
      [4, 4],
      [3, 2],
      [6, 5],
    ]);
    await store.expunge(inboxC.id, [beta.copies[0]!.uid, atC.uid]);
    expect(await all()).toEqual([
      [4, 3, ['Deltax1', 'Gammax1', 'Invoicex1', 'Invoicex2']],
      [2, 1, ['Invoicex1', 'Invoicex2']],
      [3, 3, ['Deltax1', 'Gammax1', 'Invoicex1']],
      [3, 2, ['Deltax1', 'Invoicex1', 'Invoicex1']],
      [5, 4, ['Deltax1', 'Gammax1', 'Invoicex1', 'Otherx1', 'Invoicex2']],
    ]);
    // The expunged body is forgotten; the same text delivered again is found again.
    await store.deliver({
      raw: raw('Beta', 'beta invoice 2'),
      targets: [{ userId: b!.id }],
      internalDate: at(7),
    });
    expect((await all()).map(([total, unread]) => [total, unread])).toEqual([
      [5, 4],
      [2, 1],
      [4, 4],
      [3, 2],
      [6, 5],
    ]);
    await expectCountersExact();
  });

  it('sees at once the mail and flags another process or node wrote, also when asked again', async () => {
    const alice = await store.ensureUser('alice@dev.test');
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    await store.deliver({
      raw: raw('one', 'first invoice'),
      targets: [{ userId: alice.id }],
      internalDate: at(1),
    });
    const invoice = { terms: [text('invoice')] };
    expect(await both(invoice)).toEqual([1, 1, ['onex1']]);
    expect(await both(invoice)).toEqual([1, 1, ['onex1']]);
    const other = await temp.open({ indexBody });
    const two = await other.deliver({
      raw: raw('two', 'second invoice'),
      targets: [{ userId: alice.id }],
      internalDate: at(2),
    });
    expect(await both(invoice)).toEqual([2, 2, ['twox1', 'onex1']]);
    expect(await both({ terms: [] })).toEqual([2, 2, ['twox1', 'onex1']]);
    await other.setFlags(inbox.id, [two.copies[0]!.uid], 'add', ['\\Seen']);
    expect(await both(invoice)).toEqual([2, 1, ['twox1', 'onex1']]);
    expect(await both({ terms: [] })).toEqual([2, 1, ['twox1', 'onex1']]);
  });

  it('counts bodies indexed in the background after a search was answered', async () => {
    const plain = await temp.open(); // stores bodies without search entries, as before the index
    const alice = await plain.ensureUser('alice@dev.test');
    for (let i = 0; i < 3; i++) {
      await plain.deliver({
        raw: raw(`old ${i}`, `archived invoice ${i}`),
        targets: [{ userId: alice.id }],
        internalDate: at(i),
      });
    }
    await store.deliver({
      raw: raw('new', 'fresh invoice'),
      targets: [{ userId: alice.id }],
      internalDate: at(10),
    });
    expect(await both({ terms: [text('invoice')] })).toEqual([1, 1, ['newx1']]);
    expect(await both({ terms: [text('invoice'), { kind: 'attachment', negate: true }] })).toEqual([
      1,
      1,
      ['newx1'],
    ]);
    await expectCountersExact();
    expect(await store.indexMissingBodies()).toBe(3);
    await expectCountersExact();
    expect(await both({ terms: [text('invoice')] })).toEqual([
      4,
      4,
      ['newx1', 'old 2x1', 'old 1x1', 'old 0x1'],
    ]);
    expect(await both({ terms: [text('invoice'), { kind: 'attachment', negate: true }] })).toEqual([
      4,
      4,
      ['newx1', 'old 2x1', 'old 1x1', 'old 0x1'],
    ]);
  });
});
