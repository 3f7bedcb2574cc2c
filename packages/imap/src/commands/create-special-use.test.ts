/**
 * RFC 6154 3 CREATE-SPECIAL-USE: `CREATE name (USE (\Attr))` creates the mailbox with that special
 * use, shown by LIST; a use that cannot be given is NO [USEATTR] and nothing is created.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const OK = (tag: string) => new RegExp(`^${tag} OK \\[MAILBOXID \\(F[0-9a-f]{24}\\)\\] CREATE completed$`);

describe('CREATE-SPECIAL-USE (RFC 6154 3)', () => {
  it('the RFC 6154 5.3 example: two uses at once are refused with USEATTR, one is granted', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    c.send('t1 CREATE MySpecial (USE (\\Drafts \\Sent))');
    expect(await c.readTagged('t1')).toEqual([
      't1 NO [USEATTR] A mailbox can have only one special use here',
    ]);
    c.send('t2 CREATE MySpecial (USE (\\Junk))');
    expect(await c.readTagged('t2')).toEqual([expect.stringMatching(OK('t2'))]);
    c.send('t3 LIST "" MySpecial');
    expect(await c.readTagged('t3')).toEqual([
      '* LIST (\\HasNoChildren \\Junk) "/" "MySpecial"',
      't3 OK LIST completed',
    ]);
    const user = await h.store.getUser('alice@example.com');
    expect((await h.store.getMailbox(user!.id, 'MySpecial'))?.specialUse).toBe('\\Junk');
  });

  it('attribute names in any case; an empty USE list; refusals create nothing', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    c.send('a CREATE "Old Mail/2024" (use (\\archive))');
    expect(await c.readTagged('a')).toEqual([expect.stringMatching(OK('a'))]);
    c.send('b CREATE Plain (USE ())');
    expect(await c.readTagged('b')).toEqual([expect.stringMatching(OK('b'))]);
    // \All and \Flagged are virtual collections minimail does not compute; \Bogus is unknown.
    for (const [tag, use] of [
      ['c', '\\All'],
      ['d', '\\Flagged'],
      ['e', '\\Bogus'],
    ] as const) {
      c.send(`${tag} CREATE Virtual (USE (${use}))`);
      expect(await c.readTagged(tag)).toEqual([`${tag} NO [USEATTR] Special use ${use} is not supported`]);
    }
    c.send('f LIST (SPECIAL-USE) "" "*"');
    const listed = await c.readTagged('f');
    expect(listed).toContain('* LIST (\\HasNoChildren \\Archive) "/" "Old Mail/2024"');
    expect(listed.some((line) => line.includes('Virtual') || line.includes('"Plain"'))).toBe(false);
    const user = await h.store.getUser('alice@example.com');
    expect(await h.store.getMailbox(user!.id, 'Virtual')).toBeNull();
    expect((await h.store.getMailbox(user!.id, 'Plain'))?.specialUse).toBeNull();
    // An existing name is still ALREADYEXISTS, use or not.
    c.send('g CREATE Plain (USE (\\Trash))');
    expect(await c.readTagged('g')).toEqual(['g NO [ALREADYEXISTS] Mailbox already exists']);
  });

  it('syntax errors are BAD (RFC 4466 2.2: unknown create parameters)', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    for (const [tag, args] of [
      ['a', 'X (USE (\\Sent) USE (\\Junk))'],
      ['b', 'X (COLOR (red))'],
      ['c', 'X (USE \\Sent)'],
      ['d', 'X ()'],
      ['e', 'X (USE (Sent))'],
    ] as const) {
      c.send(`${tag} CREATE ${args}`);
      expect(await c.readTagged(tag)).toEqual([expect.stringMatching(new RegExp(`^${tag} BAD `))]);
    }
  });
});
