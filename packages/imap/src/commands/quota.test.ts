/** RFC 9208 QUOTA (STORAGE, MESSAGE), RFC 8438 STATUS=SIZE and APPEND [OVERQUOTA], on the wire and through imapflow. */
import { afterEach, describe, expect, it } from 'vitest';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const USER = 'alice@example.com';

describe('QUOTA', () => {
  it('has no quota root without a limit, and reports STORAGE in KiB with one', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    c.send('a GETQUOTAROOT INBOX');
    expect(await c.readTagged('a')).toEqual(['* QUOTAROOT "INBOX"', 'a OK GETQUOTAROOT completed']);
    c.send('b GETQUOTA ""');
    expect(await c.readTagged('b')).toEqual(['b NO [NONEXISTENT] No such quota root']);

    const size = await h.store.getQuota(USER).then(() => 0);
    expect(size).toBe(0);
    await h.deliver(USER, sampleMessage('one', 'x'.repeat(3000)));
    await h.store.setQuota(USER, 10 * 1024);
    const used = Math.ceil((await h.store.getQuota(USER)).usedBytes / 1024);
    c.send('c GETQUOTAROOT Archive');
    expect(await c.readTagged('c')).toEqual([
      '* QUOTAROOT "Archive" ""',
      `* QUOTA "" (STORAGE ${used} 10)`,
      'c OK GETQUOTAROOT completed',
    ]);
    c.send('d GETQUOTA ""');
    expect(await c.readTagged('d')).toEqual([`* QUOTA "" (STORAGE ${used} 10)`, 'd OK GETQUOTA completed']);
    c.send('e GETQUOTA "other"');
    expect(await c.readTagged('e')).toEqual(['e NO [NONEXISTENT] No such quota root']);
    c.send('f GETQUOTAROOT Nowhere');
    expect((await c.readTagged('f')).at(-1)).toMatch(/^f NO \[NONEXISTENT\]/);
  });

  it('answers STATUS (SIZE) with the mailbox total', async () => {
    h = await startHarness();
    await h.deliver(USER, sampleMessage('one'));
    await h.deliver(USER, sampleMessage('two'));
    const inbox = (await h.store.getMailbox((await h.store.getUser(USER))!.id, 'INBOX'))!;
    const { size } = await h.store.mailboxStatus(inbox.id);
    const c = await h.raw();
    await rawLogin(c);
    c.send('a STATUS INBOX (MESSAGES SIZE)');
    expect(await c.readTagged('a')).toEqual([
      `* STATUS "INBOX" (MESSAGES 2 SIZE ${size})`,
      'a OK STATUS completed',
    ]);
  });

  it('refuses an APPEND that would pass the limit with [OVERQUOTA], and takes one that fits', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    await h.store.setQuota(USER, 100);
    const small = 'Subject: s\r\n\r\nok\r\n';
    c.send(`a APPEND INBOX {${small.length}+}\r\n${small}`);
    expect((await c.readTagged('a')).at(-1)).toMatch(/^a OK \[APPENDUID \d+ 1\] APPEND completed$/);
    const big = `Subject: b\r\n\r\n${'y'.repeat(200)}\r\n`;
    c.send(`b APPEND INBOX {${big.length}+}\r\n${big}`);
    expect(await c.readTagged('b')).toEqual(['b NO [OVERQUOTA] Quota exceeded']);
    expect((await h.store.getQuota(USER)).usedMessages).toBe(1);
  });

  it('is what imapflow reads with getQuota', async () => {
    h = await startHarness();
    await h.deliver(USER, sampleMessage('one', 'z'.repeat(5000)));
    await h.store.setQuota(USER, 1024 * 1024);
    const client = await h.imapflow();
    const quota = await client.getQuota('INBOX');
    expect(quota).toMatchObject({ path: 'INBOX', storage: { limit: 1024 * 1024 } });
    expect((quota as { storage: { usage: number } }).storage.usage).toBe(
      Math.ceil((await h.store.getQuota(USER)).usedBytes / 1024) * 1024,
    );
  });

  it('reports MESSAGE beside STORAGE, and STATUS DELETED and DELETED-STORAGE (RFC 9208)', async () => {
    h = await startHarness();
    await h.deliver(USER, sampleMessage('one', 'a'.repeat(2000)));
    await h.deliver(USER, sampleMessage('two'));
    await h.store.setQuota(USER, 50, 'MESSAGE');
    const c = await h.raw();
    await rawLogin(c);
    c.send('a GETQUOTA ""');
    expect(await c.readTagged('a')).toEqual(['* QUOTA "" (MESSAGE 2 50)', 'a OK GETQUOTA completed']);
    await h.store.setQuota(USER, 100 * 1024);
    const used = Math.ceil((await h.store.getQuota(USER)).usedBytes / 1024);
    c.send('b GETQUOTAROOT INBOX');
    expect(await c.readTagged('b')).toEqual([
      '* QUOTAROOT "INBOX" ""',
      `* QUOTA "" (STORAGE ${used} 100 MESSAGE 2 50)`,
      'b OK GETQUOTAROOT completed',
    ]);
    const inbox = (await h.store.getMailbox((await h.store.getUser(USER))!.id, 'INBOX'))!;
    const first = (await h.store.listMessages(inbox.id))[0]!;
    await h.store.setFlags(inbox.id, [first.uid], 'add', ['\\Deleted']);
    c.send('c STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)');
    expect(await c.readTagged('c')).toEqual([
      `* STATUS "INBOX" (MESSAGES 2 DELETED 1 DELETED-STORAGE ${Math.ceil(first.size / 1024)})`,
      'c OK STATUS completed',
    ]);
    c.send('d CAPABILITY');
    expect((await c.readTagged('d'))[0]).toContain(' QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE ');
  });

  it('never lets concurrent APPENDs pass a message limit', async () => {
    h = await startHarness();
    const clients = await Promise.all([h.imapflow(), h.imapflow(), h.imapflow()]);
    await h.store.setQuota(USER, 3, 'MESSAGE');
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, n) =>
        clients[n % 3]!.append('INBOX', `Subject: ${n}\r\n\r\nbody ${n}\r\n`),
      ),
    );
    // imapflow resolves a refused APPEND with false (and keeps the server's answer on the error).
    const stored = results.filter((result) => result.status === 'fulfilled' && result.value !== false);
    expect(stored).toHaveLength(3);
    expect((await h.store.getQuota(USER)).usedMessages).toBe(3);
  });

  it('refuses a COPY that would pass a limit with [OVERQUOTA]; MOVE is not refused', async () => {
    h = await startHarness();
    await h.deliver(USER, sampleMessage('one'));
    await h.deliver(USER, sampleMessage('two'));
    await h.store.setQuota(USER, 3, 'MESSAGE');
    const c = await h.raw();
    await rawLogin(c);
    c.send('a SELECT INBOX');
    await c.readTagged('a');
    c.send('b COPY 1:2 Archive');
    expect(await c.readTagged('b')).toEqual(['b NO [OVERQUOTA] Quota exceeded']);
    c.send('c COPY 1 Archive');
    expect((await c.readTagged('c')).at(-1)).toMatch(/^c OK \[COPYUID \d+ 1 1\] COPY completed$/);
    c.send('d MOVE 2 Archive');
    expect((await c.readTagged('d')).at(-1)).toMatch(/^d OK/);
    expect((await h.store.getQuota(USER)).usedMessages).toBe(3);
  });

  it('refuses a MULTIAPPEND that would pass a limit as a whole: none of its messages are stored', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    await h.store.setQuota(USER, 2, 'MESSAGE');
    const one = 'Subject: 1\r\n\r\none\r\n';
    const two = 'Subject: 2\r\n\r\ntwo\r\n';
    const three = 'Subject: 3\r\n\r\nthree\r\n';
    c.send(
      `a APPEND INBOX {${one.length}+}\r\n${one} {${two.length}+}\r\n${two} {${three.length}+}\r\n${three}`,
    );
    expect(await c.readTagged('a')).toEqual(['a NO [OVERQUOTA] Quota exceeded']);
    expect((await h.store.getQuota(USER)).usedMessages).toBe(0);
    c.send(`b APPEND INBOX {${one.length}+}\r\n${one} {${two.length}+}\r\n${two}`);
    expect((await c.readTagged('b')).at(-1)).toMatch(/^b OK \[APPENDUID \d+ 1:2\] APPEND completed$/);
  });
});
