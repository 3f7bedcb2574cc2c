/**
 * SEARCH BODY and TEXT narrowed by the full-text index (docs/adr/0036) answer exactly what the scan
 * answers. Two servers hold the same messages: one whose store has no index hook (every BODY key
 * is evaluated on every message, as before) and one that indexes at delivery; many terms (1-2
 * characters, multi-byte UTF-8, text only in RFC 2047/2231 headers, only in base64 or
 * quoted-printable bodies in other charsets, only in attachments, absent) go to both, inside
 * BODY, TEXT, NOT BODY, OR and AND, and the answers must be equal. Messages come from the shared
 * MIME corpus (skipped visibly when absent) plus hand-made encoded ones. Then raw transcripts,
 * and the production configuration: lazy indexing by the first search, the index read by the next.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMessage, textForSearch } from '@minimail/mime';
import type { RawClient } from '@minimail/protocol/testing';
import type { MailStore } from '@minimail/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

/** `<repo>/../shared/corpus/mime`, from src/commands in packages/imap. */
const CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus/mime');
const CORPUS_NOTE = existsSync(CORPUS_DIR) ? '' : ` [corpus skipped: no MIME corpus at ${CORPUS_DIR}]`;
/** Corpus messages used (every n-th file, so each source is represented and the scan stays cheap). */
const CORPUS_MESSAGES = 120;

function corpus(): Buffer[] {
  if (!existsSync(CORPUS_DIR)) return [];
  const files: string[] = [];
  for (const source of readdirSync(CORPUS_DIR).sort()) {
    const dir = join(CORPUS_DIR, source);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) files.push(join(dir, file));
  }
  const step = Math.max(1, Math.floor(files.length / CORPUS_MESSAGES));
  return files.filter((_, i) => i % step === 0).map((file) => readFileSync(file));
}

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');
const b64 = (bytes: Buffer): string => bytes.toString('base64');

/** Hand-made messages whose words exist only in one encoded place each. */
const ENCODED: Buffer[] = [
  // Only in an RFC 2047 subject and an RFC 2231 filename parameter.
  crlf([
    'From: a@example.com',
    'Subject: =?UTF-8?B?w7xiZXJoZWFkZXJ3b3J0?=',
    'Content-Type: multipart/mixed; boundary=b1',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'plain words here',
    '--b1',
    "Content-Type: application/octet-stream; name*=utf-8''%C3%A4nhangname.bin",
    'Content-Transfer-Encoding: base64',
    '',
    b64(Buffer.from('binaryattachmentword inside')),
    '--b1--',
    '',
  ]),
  // Base64 body in windows-1251.
  crlf([
    'From: b@example.com',
    'Subject: cyrillic',
    'Content-Type: text/plain; charset=windows-1251',
    'Content-Transfer-Encoding: base64',
    '',
    b64(Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2, 0x20, 0xec, 0xe8, 0xf0])), // "Привет мир"
    '',
  ]),
  // Quoted-printable body in ISO-8859-2, and a Greek word with a final sigma.
  crlf([
    'From: c@example.com',
    'Subject: qp',
    'Content-Type: text/plain; charset=iso-8859-2',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Za=BF=F3=B3=E6 g=EA=B6l=B1 ja=BC=F1 =3D KONIEC',
    '',
  ]),
  // UTF-8 HTML in base64 with Greek, Japanese and a dotted capital I.
  crlf([
    'From: d@example.com',
    'Subject: html',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(Buffer.from('<p>ΟΔΟΣ ΑΣΤΡΟ</p><b>日本語のテキスト</b> İSTANBUL &amp; ŞEHİR')),
    '',
  ]),
  // A text/plain attachment (searched by BODY: it is a text part) and a PDF (not searched).
  crlf([
    'From: e@example.com',
    'Subject: attachments',
    'Content-Type: multipart/mixed; boundary=b2',
    '',
    '--b2',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'see attached',
    '--b2',
    'Content-Type: text/plain; charset=utf-8; name=notes.txt',
    'Content-Disposition: attachment; filename=notes.txt',
    'Content-Transfer-Encoding: base64',
    '',
    b64(Buffer.from('attachedtextonly Größe')),
    '--b2',
    'Content-Type: application/pdf; name=a.pdf',
    'Content-Transfer-Encoding: base64',
    '',
    b64(Buffer.from('%PDF-1.4 pdfonlyword')),
    '--b2--',
    '',
  ]),
];

/** A seeded generator, so a failure names a term that reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Terms: fixed hard cases, plus substrings (1-8 characters) of decoded bodies and headers. */
function termsFor(messages: Buffer[], count: number): string[] {
  const fixed = [
    'a',
    'E',
    'é',
    'ü',
    'ß',
    '日本',
    '日本語',
    'テキスト',
    'ΟΔΟΣ',
    'οδος',
    'ας',
    'istanbul',
    'şehİr',
    'ŞEHI',
    'привет мир',
    'ПРИВЕТ',
    'żółć',
    'GĘŚL',
    '= KONIEC',
    'überheaderwort',
    'änhangname',
    'binaryattachmentword',
    'attachedtextonly',
    'GRÖSSE',
    'größe',
    'pdfonlyword',
    'content-type',
    'zzqqxxnotthere',
    ' ',
    '  ',
    '--',
  ];
  const next = random(20261205);
  const texts = messages.flatMap((raw) => {
    const root = parseMessage(raw);
    return [textForSearch(raw, root), raw.subarray(root.headerStart, root.headerEnd).toString('utf8')];
  });
  const picked: string[] = [];
  while (picked.length < count) {
    const text = texts[Math.floor(next() * texts.length)] as string;
    const points = [...text];
    if (points.length === 0) continue;
    const length = 1 + Math.floor(next() * 8);
    const start = Math.floor(next() * Math.max(1, points.length - length));
    let term = points.slice(start, start + length).join('');
    if (next() < 0.3) term = term.toUpperCase();
    // What an IMAP string literal may carry here: no CR, LF or NUL.
    term = term.replace(/[\r\n\0]/g, '');
    if (term !== '') picked.push(term);
  }
  return [...fixed, ...picked];
}

/** An IMAP literal (LITERAL+) holding `term` as UTF-8. */
const literal = (term: string): string => `{${Buffer.byteLength(term)}+}\r\n${term}`;

class Searcher {
  private tag = 0;
  constructor(private readonly client: RawClient) {}
  async run(criteria: string): Promise<string[]> {
    this.tag += 1;
    const tag = `q${this.tag}`;
    this.client.send(`${tag} UID SEARCH CHARSET UTF-8 ${criteria}`);
    const lines = await this.client.readTagged(tag);
    // The tagged line carries the tag; the untagged answer is what is compared.
    return lines.map((line) => line.replace(/^q\d+ /, 'TAG '));
  }
}

async function openSearcher(h: Harness): Promise<Searcher> {
  const client = await h.raw();
  await rawLogin(client);
  client.send('s SELECT INBOX');
  await client.readTagged('s');
  return new Searcher(client);
}

describe(`SEARCH BODY and TEXT from the full-text index equal the scan${CORPUS_NOTE}`, () => {
  let scan: Harness;
  let indexed: Harness;
  let scanSearch: Searcher;
  let indexedSearch: Searcher;
  const messages = [...corpus(), ...ENCODED];

  beforeAll(async () => {
    scan = await startHarness();
    indexed = await startHarness({ searchIndex: 'delivery' });
    for (const raw of messages) {
      for (const h of [scan, indexed]) {
        const user = await h.store.ensureUser('alice@example.com');
        await h.store.deliver({ raw, targets: [{ userId: user.id }] });
      }
    }
    scanSearch = await openSearcher(scan);
    indexedSearch = await openSearcher(indexed);
  }, 120_000);
  afterAll(async () => {
    await scan?.close();
    await indexed?.close();
  });

  it('answers every term in BODY, TEXT, NOT BODY, OR and AND as the scan does', async () => {
    const terms = termsFor(messages, 60);
    const next = random(7);
    let nonEmpty = 0;
    for (const [i, term] of terms.entries()) {
      const other = terms[Math.floor(next() * terms.length)] as string;
      const forms = [
        `BODY ${literal(term)}`,
        `NOT BODY ${literal(term)}`,
        `OR BODY ${literal(term)} BODY ${literal(other)}`,
        `BODY ${literal(term)} BODY ${literal(other)}`,
        `TEXT ${literal(term)}`,
        `OR TEXT ${literal(term)} BODY ${literal(other)}`,
      ];
      if (i % 4 === 0) forms.push(`NOT TEXT ${literal(term)}`);
      for (const criteria of forms) {
        const expected = await scanSearch.run(criteria);
        expect({ criteria, answer: await indexedSearch.run(criteria) }).toEqual({
          criteria,
          answer: expected,
        });
        if (!/^\* SEARCH$/.test(expected[0] ?? '')) nonEmpty += 1;
      }
    }
    // The terms are drawn from the messages: most searches find something.
    expect(nonEmpty).toBeGreaterThan(terms.length);
  }, 300_000);
});

const PLAIN = [
  ['From: a@example.com', 'Subject: one', '', 'The quick brown fox', ''],
  [
    'From: b@example.com',
    'Subject: two',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(Buffer.from('Schöne Grüße')),
    '',
  ],
  ['From: c@example.com', 'Subject: three', '', 'a lazy dog', ''],
  ['From: d@example.com', 'Subject: =?UTF-8?Q?fox?=', '', 'nothing', ''],
].map((lines) => lines.join('\r\n'));

describe('SEARCH BODY and TEXT in the production configuration (no index written at delivery)', () => {
  let h: Harness;
  let client: RawClient;
  const calls = { readBody: 0, indexed: 0 };

  beforeAll(async () => {
    h = await startHarness({
      // The store as apps/mailserver opens it in production: the hook, but no index at delivery.
      searchIndex: 'lazy',
      wrapStore: (store: MailStore) =>
        Object.assign(Object.create(store) as MailStore, {
          readBody: (hash: string) => {
            calls.readBody += 1;
            return store.readBody(hash);
          },
          indexMailboxBodies: async (mailboxId: number, limit: number) => {
            const indexed = await store.indexMailboxBodies(mailboxId, limit);
            calls.indexed += indexed;
            return indexed;
          },
        }),
    });
    for (const raw of PLAIN) await h.deliver('alice@example.com', raw);
  });
  afterAll(async () => h?.close());

  async function run(tag: string, command: string): Promise<string[]> {
    client.send(`${tag} ${command}`);
    return client.readTagged(tag);
  }

  it('indexes the mailbox at the first search and reads only candidates from then on', async () => {
    const user = await h.store.ensureUser('alice@example.com');
    const inbox = (await h.store.getMailbox(user.id, 'INBOX'))!;
    expect(await h.store.searchIndexedText(inbox.id, 'fox')).toEqual({
      matched: [],
      unindexed: [1, 2, 3, 4],
    });
    client = await h.raw();
    await rawLogin(client);
    await run('s', 'SELECT INBOX');

    expect(await run('a', 'UID SEARCH BODY fox')).toEqual(['* SEARCH 1', 'a OK UID SEARCH completed']);
    // The first search indexed the four bodies, then read the one candidate.
    expect(calls).toEqual({ readBody: 1, indexed: 4 });
    expect(await h.store.searchIndexedText(inbox.id, 'fox')).toEqual({ matched: [1], unindexed: [] });

    expect(await run('b', 'UID SEARCH BODY DOG')).toEqual(['* SEARCH 3', 'b OK UID SEARCH completed']);
    expect(calls).toEqual({ readBody: 2, indexed: 4 });
    // TEXT: the encoded Subject of 4 is in the index's header block too.
    expect(await run('c', 'UID SEARCH TEXT fox')).toEqual(['* SEARCH 1 4', 'c OK UID SEARCH completed']);
    expect(calls).toEqual({ readBody: 4, indexed: 4 });
  });

  it('answers BODY, TEXT, NOT BODY, OR and short terms exactly', async () => {
    const transcript: Array<[string, string]> = [
      ['SEARCH BODY fox', '* SEARCH 1'],
      ['SEARCH TEXT fox', '* SEARCH 1 4'],
      ['SEARCH NOT BODY fox', '* SEARCH 2 3 4'],
      ['SEARCH OR BODY {7+}\r\ngrüße BODY dog', '* SEARCH 2 3'],
      ['SEARCH CHARSET UTF-8 BODY {6+}\r\nSCHÖN', '* SEARCH 2'],
      ['SEARCH BODY ox', '* SEARCH 1'],
      ['SEARCH BODY "quick brown" BODY fox', '* SEARCH 1'],
      ['SEARCH BODY "quick brown" NOT BODY fox', '* SEARCH'],
      ['SEARCH BODY nowhere', '* SEARCH'],
      ['SEARCH BODY ""', '* SEARCH 1 2 3 4'],
      ['UID SEARCH UID 2:* BODY o', '* SEARCH 3 4'],
    ];
    for (const [i, [command, answer]] of transcript.entries()) {
      const verb = command.startsWith('UID') ? 'UID SEARCH' : 'SEARCH';
      expect(await run(`t${i}`, command)).toEqual([answer, `t${i} OK ${verb} completed`]);
    }
  });
});
