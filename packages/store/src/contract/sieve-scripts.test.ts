/** Sieve scripts and vacation replies (RFC 5804 semantics, RFC 5230 4.1): every backend. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SIEVE_SCRIPTS, MAX_SIEVE_SCRIPT_BYTES } from '../core/sieve-scripts.js';
import { StoreError } from '../core/types.js';
import { TempStores, type TestStore } from '../test-support/temp-store.js';

describe('Sieve scripts', () => {
  let temp: TempStores;
  let store: TestStore;
  let scripts: TestStore;
  let alice: number;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    scripts = store;
    await store.addDomain('example.com');
    alice = (await store.addUser('alice@example.com', null)).id;
  });
  afterEach(() => temp.cleanup());

  it('puts, lists, gets, activates, renames and deletes (RFC 5804 semantics)', async () => {
    await scripts.putSieveScript(alice, 'main', 'keep;');
    await scripts.putSieveScript(alice, 'vacation', 'require "vacation"; vacation "away";');
    expect(await scripts.listSieveScripts(alice)).toEqual([
      { name: 'main', active: false },
      { name: 'vacation', active: false },
    ]);
    expect(await scripts.activeSieveScript(alice)).toBeNull();
    await scripts.activateSieveScript(alice, 'vacation');
    expect(await scripts.activeSieveScript(alice)).toEqual({
      name: 'vacation',
      content: 'require "vacation"; vacation "away";',
      address: 'alice@example.com',
    });
    await scripts.activateSieveScript(alice, 'main');
    expect(await scripts.listSieveScripts(alice)).toEqual([
      { name: 'main', active: true },
      { name: 'vacation', active: false },
    ]);
    // replacing keeps the active mark
    await scripts.putSieveScript(alice, 'main', 'discard;');
    expect(await scripts.activeSieveScript(alice)).toMatchObject({ name: 'main', content: 'discard;' });
    await expect(scripts.deleteSieveScript(alice, 'main')).rejects.toMatchObject({ code: 'LOCKED' });
    await expect(scripts.renameSieveScript(alice, 'main', 'vacation')).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await scripts.renameSieveScript(alice, 'main', 'primary');
    expect(await scripts.activeSieveScript(alice)).toMatchObject({ name: 'primary' });
    await scripts.activateSieveScript(alice, null);
    await scripts.deleteSieveScript(alice, 'primary');
    expect(await scripts.getSieveScript(alice, 'primary')).toBeNull();
    await expect(scripts.deleteSieveScript(alice, 'primary')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(scripts.activateSieveScript(alice, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect([...(await scripts.allSieveScripts(alice)).keys()]).toEqual(['vacation']);
  });

  it('refuses bad names and more than MAX_SIEVE_SCRIPTS scripts', async () => {
    await expect(scripts.putSieveScript(alice, '', 'keep;')).rejects.toBeInstanceOf(StoreError);
    await expect(scripts.putSieveScript(alice, 'a\nb', 'keep;')).rejects.toMatchObject({ code: 'INVALID' });
    for (let i = 0; i < MAX_SIEVE_SCRIPTS; i++) await scripts.putSieveScript(alice, `s${i}`, 'keep;');
    await expect(scripts.putSieveScript(alice, 'one-more', 'keep;')).rejects.toMatchObject({
      code: 'INVALID',
    });
    await scripts.putSieveScript(alice, 's0', 'discard;');
    expect(await scripts.getSieveScript(alice, 's0')).toBe('discard;');
    await expect(
      scripts.putSieveScript(alice, 's1', '#'.repeat(MAX_SIEVE_SCRIPT_BYTES + 1)),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await expect(scripts.renameSieveScript(alice, 's1', '')).rejects.toMatchObject({ code: 'INVALID' });
    expect(await scripts.getSieveScript(alice, 's1')).toBe('keep;');
  });

  it('another store on the same data (process or node) sees the scripts at once', async () => {
    await scripts.putSieveScript(alice, 'main', 'keep;');
    await scripts.activateSieveScript(alice, 'main');
    const other = await temp.open();
    expect(await other.activeSieveScript(alice)).toEqual({
      name: 'main',
      content: 'keep;',
      address: 'alice@example.com',
    });
    expect(await other.claimVacationReply(alice, 'h', 'bob@other.example', 1, 1_000)).toBe(true);
    expect(await scripts.claimVacationReply(alice, 'h', 'bob@other.example', 1, 2_000)).toBe(false);
  });

  it('one reply when two deliveries claim the same sender at once', async () => {
    const other = await temp.open();
    const claims = await Promise.all([
      scripts.claimVacationReply(alice, 'h', 'dave@other.example', 7, 5_000),
      other.claimVacationReply(alice, 'h', 'dave@other.example', 7, 5_001),
      scripts.claimVacationReply(alice, 'h', 'DAVE@other.example', 7, 5_002),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('claims one vacation reply per sender and handle per period (RFC 5230 4.1)', async () => {
    const day = 86_400_000;
    const t0 = Date.UTC(2026, 0, 1);
    expect(await scripts.claimVacationReply(alice, 'h', 'Bob@Other.example', 7, t0)).toBe(true);
    expect(await scripts.claimVacationReply(alice, 'h', 'bob@other.example', 7, t0 + 6 * day)).toBe(false);
    expect(await scripts.claimVacationReply(alice, 'other-handle', 'bob@other.example', 7, t0 + day)).toBe(
      true,
    );
    expect(await scripts.claimVacationReply(alice, 'h', 'carol@other.example', 7, t0 + day)).toBe(true);
    expect(await scripts.claimVacationReply(alice, 'h', 'bob@other.example', 7, t0 + 7 * day)).toBe(true);
  });

  it('a deleted user takes its scripts along', async () => {
    await scripts.putSieveScript(alice, 'main', 'keep;');
    await store.removeUser('alice@example.com');
    expect(await scripts.listSieveScripts(alice)).toEqual([]);
  });
});
