/**
 * Totals and pages of /api/v1 searches over a store of many messages (issue 14): the paths the
 * store takes for few matches, a tenth, most and all of the bodies must give the same exact answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test-support/http-client.js';
import { startHttp, type Setup } from '../test-support/setup.js';

const COUNT = 3_000;
const WORDS = [
  'invoice',
  'order',
  'shipping',
  'welcome',
  'password',
  'reset',
  'newsletter',
  'report',
  'alert',
  'meeting',
];
const BASE = Date.parse('2026-01-01T00:00:00Z');

function message(i: number): Buffer {
  const word = WORDS[i % WORDS.length]!;
  // "frequent" is in two of every three messages: more than half, but not every one.
  const extra = i % 3 === 0 ? '' : ' frequent';
  return Buffer.from(
    [
      `From: sender${i % 7}@example.test`,
      `To: user${i % 5}@dev.test`,
      `Subject: ${word} number ${i}`,
      '',
      `Hello, this is ${word} message ${i}${extra}. Code ref-${i.toString(36)}-zz.`,
      'Lorem ipsum dolor sit amet.',
      '',
    ].join('\r\n'),
  );
}

interface Summary {
  total: number;
  unread: number;
  messages_count: number;
  messages_unread: number;
  count: number;
  messages: Array<{ ID: string; Subject: string; Read: boolean; Recipients: string[] }>;
}

describe('searching many messages', () => {
  let setup: Setup;
  /** Index of each message, newest first (internal dates increase with the index). */
  const newestFirst = Array.from({ length: COUNT }, (_, i) => COUNT - 1 - i);

  beforeAll(async () => {
    setup = await startHttp('dev');
    const users = await Promise.all(
      Array.from({ length: 5 }, (_, u) => setup.store.ensureUser(`user${u}@dev.test`)),
    );
    for (let i = 0; i < COUNT; i += 500) {
      await setup.store.deliverAll(
        Array.from({ length: 500 }, (_, j) => ({
          raw: message(i + j),
          // Every 100th message goes to two recipients: one row, two copies.
          targets:
            (i + j) % 100 === 0
              ? [{ userId: users[0]!.id }, { userId: users[1]!.id }]
              : [{ userId: users[(i + j) % 5]!.id }],
          internalDate: new Date(BASE + (i + j) * 1000),
        })),
      );
    }
  }, 300_000);
  afterAll(async () => setup?.close());

  const get = async (path: string): Promise<Summary> => {
    const answer = await request(setup.port, 'GET', path);
    expect(answer.status).toBe(200);
    return answer.json<Summary>();
  };
  const search = (query: string, start = 0, limit = 50) =>
    get(`/api/v1/search?query=${encodeURIComponent(query)}&start=${start}&limit=${limit}`);
  const subjects = (indexes: number[]) => indexes.map((i) => `${WORDS[i % WORDS.length]} number ${i}`);

  it('counts every message once and pages newest first', async () => {
    const first = await get('/api/v1/messages?limit=50');
    expect([first.total, first.unread, first.count]).toEqual([COUNT, COUNT, 50]);
    expect(first.messages.map((m) => m.Subject)).toEqual(subjects(newestFirst.slice(0, 50)));
    const last = await get(`/api/v1/messages?start=${COUNT - 20}&limit=50`);
    expect(last.messages.map((m) => m.Subject)).toEqual(subjects(newestFirst.slice(COUNT - 20)));
    const shared = await get('/api/v1/messages?start=99&limit=1');
    expect(shared.messages[0]!.Subject).toBe('invoice number 2900');
    expect(shared.messages[0]!.Recipients).toEqual(['user0@dev.test', 'user1@dev.test']);
  });

  it('gives the same exact totals and pages for rare, common, frequent and universal words', async () => {
    const cases: Array<[string, (i: number) => boolean]> = [
      [`ref-${(1234).toString(36)}-zz`, (i) => i === 1234],
      ['newsletter', (i) => i % 10 === 6],
      ['frequent', (i) => i % 3 !== 0],
      ['lorem', () => true],
      ['frequent newsletter', (i) => i % 3 !== 0 && i % 10 === 6],
      ['from:sender3@', (i) => i % 7 === 3],
    ];
    for (const [query, matches] of cases) {
      const expected = newestFirst.filter(matches);
      const page1 = await search(query);
      expect([query, page1.messages_count, page1.messages_unread, page1.total]).toEqual([
        query,
        expected.length,
        expected.length,
        COUNT,
      ]);
      expect(page1.messages.map((m) => m.Subject)).toEqual(subjects(expected.slice(0, 50)));
      const page3 = await search(query, 100, 50);
      expect(page3.messages.map((m) => m.Subject)).toEqual(subjects(expected.slice(100, 150)));
    }
  });

  it('keeps the totals exact after mail is read, deleted and delivered', async () => {
    const page = await search('lorem', 0, 10);
    const read = page.messages.slice(0, 4).map((m) => m.ID);
    expect(
      (
        await request(
          setup.port,
          'PUT',
          '/api/v1/messages',
          { 'content-type': 'application/json' },
          {},
          JSON.stringify({ IDs: read, Read: true }),
        )
      ).status,
    ).toBe(200);
    const gone = page.messages.slice(4, 6).map((m) => m.ID);
    expect(
      (
        await request(
          setup.port,
          'DELETE',
          '/api/v1/messages',
          { 'content-type': 'application/json' },
          {},
          JSON.stringify({ IDs: gone }),
        )
      ).status,
    ).toBe(200);
    const users = await setup.store.getUser('user2@dev.test');
    await setup.store.deliver({
      raw: Buffer.from('From: late@example.test\r\nSubject: late arrival\r\n\r\nno latin here\r\n'),
      targets: [{ userId: users!.id }],
      internalDate: new Date(BASE + COUNT * 1000),
    });
    const lorem = await search('lorem');
    expect([lorem.messages_count, lorem.messages_unread, lorem.total, lorem.unread]).toEqual([
      COUNT - 2,
      COUNT - 6,
      COUNT - 1,
      COUNT - 5,
    ]);
    expect(lorem.messages.map((m) => m.Subject)).toEqual(
      subjects(newestFirst.filter((i) => i !== COUNT - 5 && i !== COUNT - 6).slice(0, 50)),
    );
    expect(lorem.messages.slice(0, 4).every((m) => m.Read)).toBe(true);
    const frequent = await search('frequent');
    const expected = newestFirst.filter((i) => i % 3 !== 0 && i !== COUNT - 5 && i !== COUNT - 6);
    expect(frequent.messages_count).toBe(expected.length);
    expect(frequent.messages.map((m) => m.Subject)).toEqual(subjects(expected.slice(0, 50)));
    expect((await search('"late arrival"')).messages_count).toBe(1);
  });
});

describe('the list totals after new mail', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startHttp('dev');
  });
  afterAll(async () => setup?.close());

  const list = async () => (await request(setup.port, 'GET', '/api/v1/messages?limit=5')).json<Summary>();

  it('carries the counted totals over new deliveries exactly (new groups, joined groups, other mailboxes)', async () => {
    const [a, b, c] = await Promise.all(
      ['a@dev.test', 'b@dev.test', 'c@dev.test'].map((address) => setup.store.ensureUser(address)),
    );
    const raw = (n: number) => Buffer.from(`From: x@example.test\r\nSubject: note ${n}\r\n\r\nbody ${n}\r\n`);
    const at = (n: number) => new Date(BASE + n * 1000);
    const archive = await setup.store.createMailbox(a!.id, 'Projects');
    for (let n = 0; n < 20; n++)
      await setup.store.deliver({ raw: raw(n), targets: [{ userId: a!.id }], internalDate: at(n) });
    expect([(await list()).total, (await list()).unread]).toEqual([20, 20]);
    // One delivery to two recipients: one new group.
    await setup.store.deliver({
      raw: raw(20),
      targets: [{ userId: a!.id }, { userId: b!.id }],
      internalDate: at(20),
    });
    // The same body at the same time to a third: it joins that group.
    await setup.store.deliver({ raw: raw(20), targets: [{ userId: c!.id }], internalDate: at(20) });
    // Mail filed outside INBOX is not in the list.
    await setup.store.deliver({
      raw: raw(21),
      targets: [{ userId: a!.id, mailboxId: archive.id }],
      internalDate: at(21),
    });
    const after = await list();
    expect([after.total, after.unread]).toEqual([21, 21]);
    expect(after.messages[0]!.Subject).toBe('note 20');
    expect(after.messages[0]!.Recipients).toEqual(['a@dev.test', 'b@dev.test', 'c@dev.test']);
    // Reading the group recounts (a flag change), and new mail after it is carried again.
    await request(
      setup.port,
      'PUT',
      '/api/v1/messages',
      { 'content-type': 'application/json' },
      {},
      JSON.stringify({ IDs: [after.messages[0]!.ID], Read: true }),
    );
    expect([(await list()).total, (await list()).unread]).toEqual([21, 20]);
    await setup.store.deliver({ raw: raw(22), targets: [{ userId: b!.id }], internalDate: at(22) });
    expect([(await list()).total, (await list()).unread]).toEqual([22, 21]);
  });
});
