/**
 * What Dovecot advertises beside the RFCs minimail already had: SNIPPET=FUZZY and PREVIEW=FUZZY
 * (the drafts RFC 8970 grew from, answered `NAME (FUZZY "text")` with PREVIEW's text) and
 * LOGIN-REFERRALS (RFC 2221: advertised; minimail never refers). And RFC 8474 THREADID: equal for
 * the messages of one thread, different across threads, kept by COPY, found by SEARCH THREADID.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function ask(c: RawClient, tag: string, command: string): Promise<string[]> {
  c.send(`${tag} ${command}`);
  return c.readTagged(tag);
}

async function selected(harness: Harness): Promise<RawClient> {
  const c = await harness.raw();
  await rawLogin(c);
  await ask(c, 's', 'SELECT INBOX');
  return c;
}

describe('SNIPPET=FUZZY and PREVIEW=FUZZY', () => {
  it('answer with the same text as RFC 8970 PREVIEW, in the drafts form', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one', 'Hello   there,\r\nsee you.'));
    await h.deliver('alice@example.com', 'Subject: empty\r\n\r\n');
    const c = await selected(h);
    expect(await ask(c, 'a', 'FETCH 1 (PREVIEW)')).toEqual([
      '* 1 FETCH (PREVIEW "Hello there, see you.")',
      'a OK FETCH completed',
    ]);
    expect(await ask(c, 'b', 'FETCH 1 (SNIPPET (FUZZY))')).toEqual([
      '* 1 FETCH (SNIPPET (FUZZY "Hello there, see you."))',
      'b OK FETCH completed',
    ]);
    expect(await ask(c, 'c', 'UID FETCH 1 (SNIPPET (LAZY=FUZZY))')).toEqual([
      '* 1 FETCH (UID 1 SNIPPET (FUZZY "Hello there, see you."))',
      'c OK UID FETCH completed',
    ]);
    expect(await ask(c, 'd', 'FETCH 1 (PREVIEW (FUZZY) FLAGS)')).toEqual([
      '* 1 FETCH (PREVIEW (FUZZY "Hello there, see you.") FLAGS (\\Recent))',
      'd OK FETCH completed',
    ]);
    expect(await ask(c, 'e', 'FETCH 1:2 (PREVIEW (LAZY FUZZY))')).toEqual([
      '* 1 FETCH (PREVIEW (FUZZY "Hello there, see you."))',
      '* 2 FETCH (PREVIEW (FUZZY ""))',
      'e OK FETCH completed',
    ]);
    // RFC 8970's own forms are unchanged.
    expect(await ask(c, 'f', 'FETCH 2 PREVIEW (LAZY)')).toEqual([
      '* 2 FETCH (PREVIEW "")',
      'f OK FETCH completed',
    ]);
    expect(await ask(c, 'g', 'FETCH 1 (SNIPPET (SHORT))')).toEqual([expect.stringMatching(/^g BAD /)]);
    // Fetching a preview leaves \Seen alone (RFC 8970 3.2), in every form.
    expect(await ask(c, 'h', 'FETCH 1 FLAGS')).toEqual([
      '* 1 FETCH (FLAGS (\\Recent))',
      'h OK FETCH completed',
    ]);
  });
});

describe('LOGIN-REFERRALS (RFC 2221)', () => {
  it('is advertised before and after login; the login is answered without a referral', async () => {
    h = await startHarness();
    const c = await h.raw();
    const greeting = await c.expect(/^\* OK /);
    expect(greeting).toContain(' SASL-IR LOGIN-REFERRALS ');
    c.send('L1 LOGIN alice@example.com secret');
    // RFC 2221 4.1: minimail holds every account itself, so it answers OK, never [REFERRAL ...].
    const login = await c.readTagged('L1');
    expect(login).toEqual([expect.stringMatching(/^L1 OK \[CAPABILITY IMAP4rev1 .*LOGIN-REFERRALS/)]);
    expect(login[0]).not.toContain('REFERRAL ');
    c.send('L2 LOGOUT');
    await c.readTagged('L2');
  });
});

describe('THREADID (RFC 8474 5.2)', () => {
  const message = (subject: string, id: string, headers: string[] = []): string =>
    [`Subject: ${subject}`, `Message-ID: <${id}@example.org>`, ...headers, '', 'text', ''].join('\r\n');

  it('is equal within a thread, different across threads, kept by COPY; SEARCH THREADID finds it', async () => {
    h = await startHarness();
    // Thread A: a1, its reply a2 (References), a reply to that a3 (References a1 a2), and a4
    // answering a1 by In-Reply-To alone. Thread B: b1 and its reply b2. c1 has no Message-ID.
    await h.deliver('alice@example.com', message('A', 'a1'));
    await h.deliver(
      'alice@example.com',
      message('Re: A', 'a2', ['In-Reply-To: <a1@example.org>', 'References: <a1@example.org>']),
    );
    await h.deliver('alice@example.com', message('B', 'b1'));
    await h.deliver(
      'alice@example.com',
      message('Re: Re: A', 'a3', [
        'In-Reply-To: <a2@example.org>',
        'References: <a1@example.org>\r\n <a2@example.org>',
      ]),
    );
    await h.deliver('alice@example.com', message('Re: B', 'b2', ['References: <b1@example.org>']));
    await h.deliver('alice@example.com', message('Re: A', 'a4', ['In-Reply-To: <a1@example.org> (A)']));
    await h.deliver('alice@example.com', 'Subject: A\r\n\r\nno id\r\n');
    const c = await selected(h);
    const fetched = await ask(c, 'a', 'FETCH 1:7 (THREADID)');
    expect(fetched).toHaveLength(8);
    const ids = fetched.slice(0, 7).map((line, index) => {
      const match = /^\* (\d+) FETCH \(THREADID \((T[0-9a-f]{24})\)\)$/.exec(line);
      expect(match?.[1]).toBe(String(index + 1));
      return match?.[2] as string;
    });
    const [a1, a2, b1, a3, b2, a4, c1] = ids;
    expect(new Set([a1, a2, a3, a4])).toEqual(new Set([a1]));
    expect(b2).toBe(b1);
    expect(new Set([a1, b1, c1]).size).toBe(3);
    // The same in another session, after COPY to another mailbox, and across UID FETCH.
    await ask(c, 'b', 'CREATE Archive');
    await ask(c, 'c', 'COPY 4 Archive');
    const other = await h.raw();
    await rawLogin(other);
    await ask(other, 's', 'SELECT Archive');
    expect(await ask(other, 'd', 'UID FETCH 1 (THREADID)')).toEqual([
      `* 1 FETCH (UID 1 THREADID (${a1}))`,
      'd OK UID FETCH completed',
    ]);
    // RFC 8474 6: SEARCH THREADID.
    expect(await ask(c, 'e', `SEARCH THREADID ${a1}`)).toEqual(['* SEARCH 1 2 4 6', 'e OK SEARCH completed']);
    expect(await ask(c, 'f', `UID SEARCH THREADID ${b1} RETURN (COUNT)`)).toEqual([
      expect.stringMatching(/^f BAD /),
    ]);
    expect(await ask(c, 'g', `UID SEARCH RETURN (COUNT) THREADID ${b1}`)).toEqual([
      '* ESEARCH (TAG "g") UID COUNT 2',
      'g OK UID SEARCH completed',
    ]);
    expect(await ask(c, 'h', `SEARCH NOT THREADID ${a1} NOT THREADID ${b1}`)).toEqual([
      '* SEARCH 7',
      'h OK SEARCH completed',
    ]);
    expect(await ask(c, 'i', 'SEARCH THREADID T0000')).toEqual(['* SEARCH', 'i OK SEARCH completed']);
  });

  it('agrees with THREAD=REFERENCES on which messages share a thread', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('root'));
    await h.deliver('alice@example.com', sampleMessage('other'));
    await h.deliver('alice@example.com', sampleMessage('reply', 'Hi', 'References: <root@example.org>'));
    const c = await selected(h);
    expect(await ask(c, 'a', 'THREAD REFERENCES UTF-8 ALL')).toEqual([
      '* THREAD (1 3)(2)',
      'a OK THREAD completed',
    ]);
    const ids = (await ask(c, 'b', 'FETCH 1:3 THREADID'))
      .slice(0, 3)
      .map((line) => /\((T\w+)\)/.exec(line)?.[1]);
    expect(ids[2]).toBe(ids[0]);
    expect(ids[1]).not.toBe(ids[0]);
  });
});
