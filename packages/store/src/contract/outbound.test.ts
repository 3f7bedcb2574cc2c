import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores, message } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';

describe('outbound queue', () => {
  let temp: TempStores;
  let store: TestStore;
  let hash: string;

  const bodyCount = async (): Promise<unknown> =>
    (await temp.query('SELECT COUNT(*) AS count FROM bodies'))[0]?.['count'];

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    const result = await store.deliver({
      raw: message('out'),
      targets: [],
      outbound: { sender: 's@example.com', recipients: ['a@remote.org', 'b@remote.org'] },
    });
    hash = result.bodyHash;
  });
  afterEach(() => temp.cleanup());

  it('keeps each recipient DSN parameters (RFC 3461) with its entry, through a claim', async () => {
    await store.deliver({
      raw: message('dsn'),
      targets: [],
      outbound: {
        sender: 'alice@example.com',
        recipients: ['bob@remote.org', 'carol@remote.org'],
        dsn: [
          {
            notify: ['SUCCESS', 'FAILURE'],
            orcpt: 'rfc822;Bob+2B@remote.org',
            ret: 'HDRS',
            envid: 'QQ314159',
          },
          null,
        ],
      },
    });
    const ours = (entries: Array<{ recipient: string; dsn: unknown }>) =>
      entries
        .filter((e) => ['bob@remote.org', 'carol@remote.org'].includes(e.recipient))
        .map((e) => [e.recipient, e.dsn]);
    const expected = [
      [
        'bob@remote.org',
        { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;Bob+2B@remote.org', ret: 'HDRS', envid: 'QQ314159' },
      ],
      ['carol@remote.org', null],
    ];
    expect(ours(await store.listOutbound())).toEqual(expected);
    expect(ours(await store.claimOutbound(100, 60_000))).toEqual(expected);
  });

  it('claims due entries once, counting attempts, and lets an expired lease be claimed again', async () => {
    const claimed = await store.claimOutbound(10, 60_000);
    expect(claimed.map((e) => [e.recipient, e.status, e.attempts, e.bodyHash])).toEqual([
      ['a@remote.org', 'delivering', 1, hash],
      ['b@remote.org', 'delivering', 1, hash],
    ]);
    expect(await store.claimOutbound(10, 60_000)).toEqual([]);
    // A worker that died leaves its lease to expire; a lease of 0 ms expires at once.
    await store.rescheduleOutbound(claimed[0]?.id ?? 0, new Date(0), '421 try later');
    const again = await store.claimOutbound(1, 0);
    expect(again.map((e) => [e.recipient, e.attempts, e.lastError])).toEqual([
      ['a@remote.org', 2, '421 try later'],
    ]);
  });

  it('keeps the body until the last entry is completed; failed entries stay listed', async () => {
    const [first, second] = await store.claimOutbound(10);
    await store.completeOutbound(first?.id ?? 0);
    expect(await bodyCount()).toBe(1);
    await store.failOutbound(second?.id ?? 0, '550 no such user');
    expect((await store.listOutbound()).map((e) => [e.recipient, e.status, e.lastError])).toEqual([
      ['b@remote.org', 'failed', '550 no such user'],
    ]);
    expect(await store.claimOutbound(10, 0)).toEqual([]);
    await store.completeOutbound(second?.id ?? 0);
    expect(await bodyCount()).toBe(0);
    await expect(store.completeOutbound(second?.id ?? 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('retry makes a failed or leased entry due now; delete drops it and its body', async () => {
    const [first, second] = await store.claimOutbound(10, 60_000);
    await store.failOutbound(first?.id ?? 0, '550 no');
    await store.retryOutbound(first?.id ?? 0);
    await store.retryOutbound(second?.id ?? 0);
    const again = await store.claimOutbound(10, 60_000);
    expect(again.map((e) => [e.recipient, e.status, e.attempts])).toEqual([
      ['a@remote.org', 'delivering', 2],
      ['b@remote.org', 'delivering', 2],
    ]);
    await store.deleteOutbound(first?.id ?? 0);
    await store.deleteOutbound(second?.id ?? 0);
    expect(await store.listOutbound()).toEqual([]);
    expect(await bodyCount()).toBe(0);
    await expect(store.retryOutbound(first?.id ?? 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.deleteOutbound(first?.id ?? 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('marks the delay notice once sent, and keeps the mark across claims', async () => {
    const [first] = await store.claimOutbound(1, 0);
    expect(first?.delayNotified).toBe(false);
    await store.markOutboundDelayNotified(first?.id ?? 0);
    // A zero lease makes every entry due again at once; which comes first depends on the clock's
    // millisecond, so look the marked one up by id.
    const again = (await store.claimOutbound(10, 0)).find((entry) => entry.id === first?.id);
    expect(again?.delayNotified).toBe(true);
  });
});
