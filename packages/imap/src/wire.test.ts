/**
 * Exact wire syntax and the wire limits: quoting and literals in responses, NIL, oversized and
 * non-synchronizing literals, nesting, and a big FETCH that streams with backpressure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pick, prng } from '@minimail/protocol/testing';
import type { MailStore } from '@minimail/store';
import { PLAIN_GREETING, rawLogin, startHarness, type Harness } from './test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('response syntax', () => {
  it('quotes with escapes, sends 8-bit as literals, and NIL for absent fields', async () => {
    h = await startHarness();
    const raw = [
      'Subject: say "hi" \\ bye',
      'From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.de>',
      'X-Raw: Grüße',
      '',
      'body',
      '',
    ].join('\r\n');
    await h.deliver('alice@example.com', raw);
    await h.deliver('alice@example.com', ['Subject: Grüße', '', 'x', ''].join('\r\n'));
    const c = await h.raw();
    await rawLogin(c);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a FETCH 1 ENVELOPE');
    expect(await c.readTagged('a')).toEqual([
      '* 1 FETCH (ENVELOPE (NIL "say \\"hi\\" \\\\ bye" (("=?UTF-8?Q?J=C3=BCrgen?=" NIL "j" "example.de")) (("=?UTF-8?Q?J=C3=BCrgen?=" NIL "j" "example.de")) (("=?UTF-8?Q?J=C3=BCrgen?=" NIL "j" "example.de")) NIL NIL NIL NIL NIL))',
      'a OK FETCH completed',
    ]);
    c.send('b FETCH 2 ENVELOPE');
    expect(await c.readTagged('b')).toEqual([
      `* 2 FETCH (ENVELOPE (NIL {${Buffer.byteLength('Grüße')}}`,
      'Grüße NIL NIL NIL NIL NIL NIL NIL NIL))',
      'b OK FETCH completed',
    ]);
  });
});

describe('literal and nesting limits', () => {
  it('refuses an oversized synchronizing literal without reading it and goes on', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(PLAIN_GREETING);
    c.send('a LOGIN {100000}');
    await c.expect('a BAD [TOOBIG] Literal too big');
    c.send('b APPEND INBOX {999999999}');
    await c.expect('b NO [TOOBIG] Literal too big');
    c.send('c NOOP');
    await c.expect('c OK NOOP completed');
  });

  it('closes after an oversized non-synchronizing literal (RFC 7888 4)', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(PLAIN_GREETING);
    c.send('a LOGIN {100000+}');
    await c.expect('a BAD [TOOBIG] Literal too big');
    await c.expect('* BYE Cannot continue reading this connection');
    await c.closed();
  });

  it('refuses absurd nesting with BAD', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send(`a SEARCH ${'('.repeat(40)}ALL${')'.repeat(40)}`);
    await c.expect('a BAD Too deeply nested');
    c.send('b NOOP');
    await c.expect('b OK NOOP completed');
  });
});

/** A store that counts the calls of the methods named in `counts` (bodies, lookups, structures). */
const counting =
  (counts: Partial<Record<keyof MailStore, number>>) =>
  (store: MailStore): MailStore =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof property === 'string' && property in counts) {
          const method = property as keyof MailStore;
          return (...args: never[]) => {
            counts[method] = (counts[method] ?? 0) + 1;
            return (value as (...a: never[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

describe('streaming', () => {
  it('FETCH 1:* BODY[] reads the next body only as the client takes the previous ones', async () => {
    const counts = { readBody: 0 };
    h = await startHarness({ wrapStore: counting(counts) });
    const count = 20;
    const body = Array.from({ length: 1024 }, () => 'y'.repeat(998)).join('\r\n');
    const messages = Array.from({ length: count }, (_, i) => `Subject: big ${i}\r\n\r\n${body}\r\n`);
    for (const message of messages) await h.deliver('alice@example.com', message);
    const c = await h.raw();
    await rawLogin(c);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a FETCH 1:* (BODY.PEEK[])');
    // The client reads nothing for a while: TCP fills up and the server must stop reading bodies.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(counts.readBody).toBeLessThan(count);
    const lines = await c.readTagged('a', 20_000);
    // Every message, in order, with its exact size (RFC 3501 7.4.2 BODY[] literal).
    expect(lines.filter((l) => /^\* \d+ FETCH \(BODY\[\] \{\d+\}$/.test(l))).toEqual(
      messages.map((message, i) => `* ${i + 1} FETCH (BODY[] {${Buffer.byteLength(message)}}`),
    );
    expect(lines.at(-1)).toBe('a OK FETCH completed');
    expect(counts.readBody).toBe(count);
  });
});

describe('message structure source', () => {
  it('answers the same BODYSTRUCTURE whether the store recorded the structure or not', async () => {
    const message = [
      'Subject: s',
      'Content-Type: multipart/alternative; boundary=x',
      '',
      '--x',
      '',
      'plain',
      '--x',
      'Content-Type: text/html',
      '',
      '<b>html</b>',
      '--x--',
      '',
    ].join('\r\n');
    const answers: string[][] = [];
    for (const storeStructures of [true, false]) {
      h = await startHarness({ storeStructures });
      await h.deliver('alice@example.com', message);
      const c = await h.raw();
      await rawLogin(c);
      c.send('s SELECT INBOX');
      await c.readTagged('s');
      c.send('a FETCH 1 (BODYSTRUCTURE BODY.PEEK[2])');
      answers.push(await c.readTagged('a'));
      await h.close();
      h = null;
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual([
      '* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL)' +
        '("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL) "alternative" ("boundary" "x") NIL NIL NIL) BODY[2] {11}',
      '<b>html</b>)',
      'a OK FETCH completed',
    ]);
  });
});

describe('what FETCH reads', () => {
  const message = (i: number): string =>
    [
      `Subject: part ${i}`,
      'From: Ann <ann@example.com>',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      '',
      'text',
      '--b',
      'Content-Type: message/rfc822',
      '',
      `Subject: inner ${i}`,
      '',
      'inner body',
      '--b--',
      '',
    ].join('\r\n');
  /** ENVELOPE of message(i) (RFC 3501 7.4.2): Sender and Reply-To default to From. */
  const envelopeOf = (i: number): string =>
    `(NIL "part ${i}" ${'(("Ann" NIL "ann" "example.com")) '.repeat(3)}NIL NIL NIL NIL NIL)`;

  it('answers ENVELOPE, BODY and BODYSTRUCTURE from the recorded structure, reading no body', async () => {
    const counts = { readBody: 0, getMessage: 0 };
    h = await startHarness({ wrapStore: counting(counts) });
    for (let i = 1; i <= 3; i += 1) await h.deliver('alice@example.com', message(i));
    const c = await h.raw();
    await rawLogin(c);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a FETCH 1:* (FLAGS ENVELOPE BODY BODYSTRUCTURE)');
    // The exact lines, served from the structure recorded at delivery (RFC 3501 7.4.2).
    const inner = (i: number): string =>
      `"7bit" 30 (NIL "inner ${i}" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0`;
    expect(await c.readTagged('a')).toEqual([
      ...[1, 2, 3].map(
        (i) =>
          `* ${i} FETCH (FLAGS (\\Recent) ENVELOPE ${envelopeOf(i)} ` +
          `BODY (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0)("message" "rfc822" NIL NIL NIL ${inner(i)}) 2) "mixed") ` +
          `BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0 NIL NIL NIL NIL)` +
          `("message" "rfc822" NIL NIL NIL ${inner(i)} NIL NIL NIL NIL) 2 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL))`,
      ),
      'a OK FETCH completed',
    ]);
    expect(counts).toEqual({ readBody: 0, getMessage: 0 });
    // A section needs the bytes: one read per message.
    c.send('b FETCH 1:* (ENVELOPE BODY.PEEK[1])');
    expect(await c.readTagged('b')).toEqual([
      ...[1, 2, 3].flatMap((i) => [`* ${i} FETCH (ENVELOPE ${envelopeOf(i)} BODY[1] {4}`, 'text)']),
      'b OK FETCH completed',
    ]);
    expect(counts).toEqual({ readBody: 3, getMessage: 0 });
  });

  it('reads the bytes for ENVELOPE when the store recorded no structure, with the same answer', async () => {
    const answers: string[][] = [];
    for (const storeStructures of [true, false]) {
      const counts = { readBody: 0, getMessage: 0, readStructure: 0 };
      h = await startHarness({ storeStructures, wrapStore: counting(counts) });
      await h.deliver('alice@example.com', message(1));
      const c = await h.raw();
      await rawLogin(c);
      c.send('s SELECT INBOX');
      await c.readTagged('s');
      c.send('a FETCH 1 (ENVELOPE BODYSTRUCTURE)');
      answers.push(await c.readTagged('a'));
      // The store is asked for the structure once, found or not; the bytes only when it was not found.
      expect(counts).toEqual({ readBody: storeStructures ? 0 : 1, getMessage: 0, readStructure: 1 });
      // Asked again, the structure comes from the cache (parsed once when none was stored).
      c.send('b FETCH 1 (ENVELOPE BODYSTRUCTURE)');
      expect(await c.readTagged('b')).toEqual(answers.at(-1)?.map((line) => line.replace(/^a /, 'b ')));
      expect(counts).toEqual({ readBody: storeStructures ? 0 : 1, getMessage: 0, readStructure: 1 });
      await h.close();
      h = null;
    }
    expect(answers[0]).toEqual(answers[1]);
  });
});

describe('hostile input', () => {
  it('survives seeded random garbage and keeps serving other clients', async () => {
    h = await startHarness({ limits: { maxConsecutiveBad: 1_000_000, maxCommandsBeforeAuth: 1_000_000 } });
    // A fixed seed, so a failure replays (protocol's mulberry32: the same draws as before).
    const random = prng(0x5eed);
    const pieces = [
      'a ',
      'LOGIN ',
      'FETCH ',
      'SEARCH ',
      '(',
      ')',
      '{',
      '}',
      '{5}',
      '{3+}',
      '"',
      '\\',
      '*',
      '%',
      '\r\n',
      '\n',
      '\0',
      '\xff',
      ' ',
      'UID ',
      '1:*',
      'BODY[',
      ']',
      '<0.1>',
      'NIL',
    ];
    for (let round = 0; round < 5; round += 1) {
      const c = await h.raw();
      await c.expect(PLAIN_GREETING);
      let garbage = '';
      for (let i = 0; i < 400; i += 1) garbage += pick(random, pieces);
      c.sendRaw(Buffer.from(`${garbage}\r\n`, 'latin1'));
      c.end();
      await c.closed(5_000).catch(() => undefined);
    }
    const ok = await h.raw();
    await rawLogin(ok);
    ok.send('z NOOP');
    await ok.expect('z OK NOOP completed');
  });

  it('says BYE after too many invalid commands in a row', async () => {
    h = await startHarness({ limits: { maxConsecutiveBad: 3 } });
    const c = await h.raw();
    await c.expect(PLAIN_GREETING);
    c.sendRaw('GET / HTTP/1.1\r\nHost: x\r\n\r\nAccept: */*\r\n');
    // Each line is a command to IMAP: its first word the tag, the second the command name.
    await c.expect('GET BAD Unknown command /');
    await c.expect('Host: BAD Unknown command X');
    await c.expect('Accept: BAD Expected a command name');
    await c.expect('* BYE Too many invalid commands');
    await c.closed();
  });
});
