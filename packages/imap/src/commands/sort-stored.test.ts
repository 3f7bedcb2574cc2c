/**
 * SORT and THREAD from the keys recorded in the store (docs/adr/0037) give exactly what the
 * implementation before them gave, which parsed every message per command: over the MIME corpus
 * (../shared/corpus/mime, skipped visibly when absent) and generated messages full of the corner
 * cases (RFC 2047 subjects, reply/forward markers, display names, groups, bad and missing dates,
 * duplicate, missing and looping Message-IDs). The reference below is that implementation: each
 * SORT key from the parsed header (sortValue), the THREAD input built as the command built it.
 * One server records keys at delivery; another stores bodies without them, so the first SORT
 * fills them in (sort-input.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWords, headerValues, parseMessage, type MimePart } from '@minimail/mime';
import type { RawClient } from '@minimail/protocol/testing';
import type { Mailbox, MessageSummary } from '@minimail/store';
import { SORT_KEYS, type SortCriterion } from '../protocol/sort.js';
import { baseSubject } from '../sort/base-subject.js';
import { casemapKey } from '../sort/collation.js';
import { compareSortEntries, sortValue, type SortEntry } from '../sort/sort-keys.js';
import { threadResponse, type ThreadAlgorithm, type ThreadInput } from '../sort/thread.js';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

const CORPUS = join(import.meta.dirname, '../../../../../shared/corpus/mime');
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`SKIPPED: the MIME corpus part of sort-stored.test.ts: ${CORPUS} is absent`);

/** Every file of the corpus (subfolders are the sources), skipping the README. */
function corpusFiles(): Buffer[] {
  if (!haveCorpus) return [];
  const files: Buffer[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.toLowerCase().startsWith('readme') && statSync(path).size > 0)
        files.push(readFileSync(path));
    }
  };
  walk(CORPUS);
  return files;
}

/** mulberry32: the same generated messages every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECT_PREFIXES = ['', '', 'Re: ', 'RE: ', 'Fwd: ', 'fw: ', '[list] ', 'Re: [x] Re: ', ' re[2]: '];
const SUBJECT_BASES = [
  'Meeting',
  'meeting',
  'Café',
  '=?UTF-8?Q?Caf=C3=A9?=',
  '=?ISO-8859-1?Q?caf=E9?= plans',
  'Straße',
  'STRASSE',
  'ǆemal',
  'ǅemal',
  'Lunch (fwd)',
  '[fwd: Lunch]',
  '  spaced \t out  ',
  '𝔘nicode',
  'ﬁle',
  'Ω',
  '',
  '[blob only]',
];
const ADDRESSES = [
  'Zoe <zoe@example.org>',
  '"Last, First" <first@example.org>',
  'amy@example.org',
  'team: bob@example.org, carl@example.org;',
  '=?UTF-8?B?w4lsb2TDrWU=?= <elodie@example.org>',
  '<bare@example.org>',
  'undisclosed-recipients:;',
  '"" <empty@example.org>',
  'Émile <emile@example.org>, other@example.org',
];
const DATES = [
  'Wed, 1 Oct 2026 10:00:00 +0000',
  'Thu, 2 Oct 2026 10:00:00 +0200',
  'Fri, 03 Oct 2026 08:00:00 -0700 (PDT)',
  '3 Oct 2026 08:00 GMT',
  'not a date',
  '',
  'Sat, 4 Oct 2026 23:59:59 +1400',
];

function generated(count: number): Buffer[] {
  const next = random(20261205);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const ids: string[] = [];
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i += 1) {
    const headers: string[] = [];
    if (next() < 0.9) headers.push(`Subject: ${pick(SUBJECT_PREFIXES)}${pick(SUBJECT_BASES)}`);
    if (next() < 0.9) headers.push(`From: ${pick(ADDRESSES)}`);
    if (next() < 0.8) headers.push(`To: ${pick(ADDRESSES)}`);
    if (next() < 0.5) headers.push(`Cc: ${pick(ADDRESSES)}`);
    const date = pick(DATES);
    if (date !== '') headers.push(`Date: ${date.replace('Oct', next() < 0.5 ? 'Oct' : 'Nov')}`);
    // Unique, missing, a duplicate, or malformed.
    const choice = next();
    const id = `<g${i}@gen.test>`;
    if (choice < 0.7) headers.push(`Message-ID: ${id}`);
    else if (choice < 0.8 && ids.length > 0) headers.push(`Message-ID: ${pick(ids)}`);
    else if (choice < 0.9) headers.push('Message-ID: no-brackets@gen.test');
    ids.push(id);
    // References to earlier, later (a loop once they exist) and unknown messages; In-Reply-To.
    const refs = Array.from({ length: Math.floor(next() * 4) }, () =>
      next() < 0.2
        ? `<g${i + 1 + Math.floor(next() * 3)}@gen.test>`
        : next() < 0.1
          ? '<gone@gen.test>'
          : pick(ids),
    );
    if (refs.length > 0 && next() < 0.7) headers.push(`References: ${refs.join('\r\n ')}`);
    if (next() < 0.4) headers.push(`In-Reply-To: ${pick(ids)}${next() < 0.3 ? ` ${pick(ids)}` : ''}`);
    messages.push(Buffer.from([...headers, '', `body ${i}`, ''].join('\r\n')));
  }
  return messages;
}

interface Stored {
  summary: MessageSummary;
  sequence: number;
  raw: Buffer;
  structure: MimePart;
}

/** The implementation before docs/adr/0037, per message: sortValue over the parsed header. */
function referenceSort(messages: readonly Stored[], criteria: readonly SortCriterion[]): number[] {
  const entries: SortEntry[] = messages.map(({ summary, raw, structure }) => ({
    uid: summary.uid,
    values: criteria.map((c) => sortValue(c.key, { summary, content: { raw, structure } })),
  }));
  return entries.sort((a, b) => compareSortEntries(criteria, a, b)).map((entry) => entry.uid);
}

/** The THREAD command's input as it was built before docs/adr/0037 (commands/thread.ts). */
function referenceThread(messages: readonly Stored[], algorithm: ThreadAlgorithm, uid: boolean): string {
  const MESSAGE_ID = /<[^<>\s]+>/g;
  const inputs: ThreadInput[] = [];
  const seenIds = new Set<string>();
  for (const { summary, sequence, raw, structure } of messages) {
    const content = { raw, structure };
    const header = (name: string): string[] => headerValues(raw, structure, name);
    const subject = baseSubject(header('subject')[0] ?? '');
    let messageId = (header('message-id')[0] ?? '').match(MESSAGE_ID)?.[0] ?? '';
    if (messageId === '' || seenIds.has(messageId)) messageId = `\0minimail-${summary.uid}`;
    seenIds.add(messageId);
    let references = header('references').flatMap((value) => value.match(MESSAGE_ID) ?? []);
    if (references.length === 0)
      references = (header('in-reply-to')[0] ?? '').match(MESSAGE_ID)?.slice(0, 1) ?? [];
    inputs.push({
      id: uid ? summary.uid : sequence,
      sequence,
      date: sortValue('DATE', { summary, content }) as number,
      subject: casemapKey(subject.base),
      isReplyOrForward: subject.isReplyOrForward,
      messageId,
      references: references.filter((id) => id !== messageId),
    });
  }
  const data = threadResponse(algorithm, inputs);
  return data === '' ? '* THREAD' : `* THREAD ${data}`;
}

/** The SORT (DATE) alone path before docs/adr/0037 read the envelope's Date field instead. */
function envelopeDate(structure: MimePart, internalDate: Date): number {
  const field = structure.envelope?.date ?? null;
  const sent = field === null ? Number.NaN : Date.parse(decodeWords(field.trim()));
  return Number.isNaN(sent) ? internalDate.getTime() : sent;
}

function criteriaText(criteria: readonly SortCriterion[]): string {
  return criteria.map((c) => (c.reverse ? `REVERSE ${c.key}` : c.key)).join(' ');
}

/** Every key alone and reversed, every ordered pair, and some triples (REVERSE chosen at random). */
function criteriaSets(): SortCriterion[][] {
  const next = random(5256);
  const sets: SortCriterion[][] = [];
  for (const key of SORT_KEYS) for (const reverse of [false, true]) sets.push([{ key, reverse }]);
  for (const a of SORT_KEYS)
    for (const b of SORT_KEYS)
      if (a !== b)
        sets.push([
          { key: a, reverse: next() < 0.5 },
          { key: b, reverse: next() < 0.5 },
        ]);
  for (let i = 0; i < 20; i += 1) {
    const keys = [...SORT_KEYS].sort(() => next() - 0.5).slice(0, 3);
    sets.push(keys.map((key) => ({ key, reverse: next() < 0.5 })));
  }
  return sets;
}

const ALGORITHMS: ThreadAlgorithm[] = ['ORDEREDSUBJECT', 'REFERENCES', 'REFS'];

interface Server {
  h: Harness;
  c: RawClient;
  inbox: Mailbox;
  messages: Stored[];
}

let tag = 0;
async function send(c: RawClient, command: string): Promise<string[]> {
  tag += 1;
  c.send(`t${tag} ${command}`);
  return c.readTagged(`t${tag}`);
}

async function start(storeStructures: boolean, raws: readonly Buffer[]): Promise<Server> {
  // With keys recorded, the store keeps the list (as for a big mailbox) and SORT keeps its ranks.
  const h = await startHarness({
    storeStructures,
    ...(storeStructures ? { flagListCacheMinMessages: 1 } : {}),
  });
  const user = await h.store.ensureUser('alice@example.com');
  const inbox = await h.store.getMailbox(user.id, 'INBOX');
  if (inbox === null) throw new Error('no INBOX');
  const next = random(42);
  for (const raw of raws)
    await h.store.deliver({
      raw,
      targets: [{ mailboxId: inbox.id }],
      internalDate: new Date(Date.UTC(2026, 9, 1) + Math.floor(next() * 60 * 86_400_000)),
    });
  // A gap in the UIDs, so that sequence numbers and UIDs differ.
  await h.store.expunge(inbox.id, [2, 3]);
  const summaries = await h.store.listMessages(inbox.id);
  const messages: Stored[] = [];
  for (const [index, summary] of summaries.entries()) {
    const raw = await h.store.readBody(summary.bodyHash);
    messages.push({ summary, sequence: index + 1, raw, structure: parseMessage(raw) });
  }
  const c = await h.raw();
  await rawLogin(c);
  await send(c, 'SELECT INBOX');
  return { h, c, inbox, messages };
}

const RAWS = [...corpusFiles(), ...generated(200)];
let recorded: Server;
let lazy: Server;

beforeAll(async () => {
  recorded = await start(true, RAWS);
  lazy = await start(false, RAWS);
}, 120_000);
afterAll(async () => {
  await recorded.h.close();
  await lazy.h.close();
});

describe('SORT and THREAD from recorded keys', () => {
  it('delivers the corpus and the generated messages', () => {
    expect(recorded.messages.length).toBe(RAWS.length - 2);
    if (haveCorpus) expect(RAWS.length).toBeGreaterThan(400);
  });

  it('recorded keys at delivery for every body, and none without the hook', async () => {
    expect((await recorded.h.store.listSortKeys(recorded.inbox.id)).keys.every((k) => k !== null)).toBe(true);
    // Kept: the same list object while the mailbox is unchanged.
    expect(await recorded.h.store.listSortKeys(recorded.inbox.id)).toBe(
      await recorded.h.store.listSortKeys(recorded.inbox.id),
    );
    expect((await lazy.h.store.listSortKeys(lazy.inbox.id)).keys.every((k) => k === null)).toBe(true);
  });

  it('UID SORT answers as before for every key alone, every pair and some triples', async () => {
    const mismatches: string[] = [];
    for (const criteria of criteriaSets()) {
      const expected = `* SORT ${referenceSort(recorded.messages, criteria).join(' ')}`;
      // Twice: the second answer comes from the order kept beside the store's kept list.
      for (let round = 0; round < 2; round += 1) {
        const got = await send(recorded.c, `UID SORT (${criteriaText(criteria)}) UTF-8 ALL`);
        if (got[0] !== expected) mismatches.push(`${criteriaText(criteria)} (round ${round})`);
        expect(got[1]).toMatch(/^t\d+ OK /);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('SORT by sequence number, and with search keys, answers as before', async () => {
    const criteria: SortCriterion[] = [
      { key: 'SUBJECT', reverse: false },
      { key: 'DATE', reverse: true },
    ];
    const sequenceOf = new Map(recorded.messages.map((m) => [m.summary.uid, m.sequence]));
    const bySequence = referenceSort(recorded.messages, criteria).map((uid) => sequenceOf.get(uid));
    expect((await send(recorded.c, `SORT (${criteriaText(criteria)}) UTF-8 ALL`))[0]).toBe(
      `* SORT ${bySequence.join(' ')}`,
    );
    const some = recorded.messages.filter((m) => m.summary.uid <= 150 && m.summary.size > 1000);
    expect(
      (await send(recorded.c, `UID SORT (${criteriaText(criteria)}) UTF-8 UID 1:150 LARGER 1000`))[0],
    ).toBe(`* SORT ${referenceSort(some, criteria).join(' ')}`.trimEnd());
  });

  it("SORT (DATE) alone agrees with the old envelope path's dates", () => {
    const differing = recorded.messages.filter(
      (m) =>
        envelopeDate(m.structure, m.summary.internalDate) !==
        sortValue('DATE', { summary: m.summary, content: { raw: m.raw, structure: m.structure } }),
    );
    expect(differing.map((m) => m.summary.uid)).toEqual([]);
  });

  it('THREAD answers as before with every algorithm, by UID and by sequence number', async () => {
    for (const algorithm of ALGORITHMS)
      for (const uid of [true, false]) {
        const got = await send(recorded.c, `${uid ? 'UID ' : ''}THREAD ${algorithm} UTF-8 ALL`);
        expect(got[0], `${algorithm} uid=${uid}`).toBe(referenceThread(recorded.messages, algorithm, uid));
      }
  });

  it('without recorded keys the first SORT fills them in, and every answer is the same', async () => {
    const criteria: SortCriterion[] = [{ key: 'DISPLAYFROM', reverse: true }];
    expect((await send(lazy.c, `UID SORT (${criteriaText(criteria)}) UTF-8 ALL`))[0]).toBe(
      `* SORT ${referenceSort(lazy.messages, criteria).join(' ')}`,
    );
    const filled = await lazy.h.store.listSortKeys(lazy.inbox.id);
    expect(filled.keys.every((k) => k !== null)).toBe(true);
    // The same keys as those recorded at delivery (same bodies, so the same order of UIDs).
    expect(filled.keys).toEqual((await recorded.h.store.listSortKeys(recorded.inbox.id)).keys);
    for (const key of SORT_KEYS) {
      const one: SortCriterion[] = [{ key, reverse: false }];
      expect((await send(lazy.c, `UID SORT (${key}) UTF-8 ALL`))[0], key).toBe(
        `* SORT ${referenceSort(lazy.messages, one).join(' ')}`,
      );
    }
    for (const algorithm of ALGORITHMS)
      expect((await send(lazy.c, `UID THREAD ${algorithm} UTF-8 ALL`))[0]).toBe(
        referenceThread(lazy.messages, algorithm, true),
      );
  });
});
