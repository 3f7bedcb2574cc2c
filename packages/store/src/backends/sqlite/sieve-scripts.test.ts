import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SIEVE_SCRIPTS, type SieveScriptStore } from '../../core/sieve-scripts.js';
import { openSieveScripts } from './sieve-scripts.js';
import type { MailStore } from '../../core/interfaces.js';
import { TempStores } from '../../test-support/temp-store.js';
import { StoreError } from '../../core/types.js';

describe('Sieve scripts (own connection to the store file)', () => {
  let temp: TempStores;
  let store: MailStore;
  let scripts: SieveScriptStore;
  let alice: number;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    scripts = openSieveScripts(temp.path);
    await store.addDomain('example.com');
    alice = (await store.addUser('alice@example.com', null)).id;
  });
  afterEach(async () => {
    scripts.close();
    await temp.cleanup();
  });

  it('puts, lists, gets, activates, renames and deletes (RFC 5804 semantics)', async () => {
    await scripts.putScript(alice, 'main', 'keep;');
    await scripts.putScript(alice, 'vacation', 'require "vacation"; vacation "away";');
    expect(await scripts.listScripts(alice)).toEqual([
      { name: 'main', active: false },
      { name: 'vacation', active: false },
    ]);
    expect(await scripts.activeScript(alice)).toBeNull();
    await scripts.setActive(alice, 'vacation');
    expect(await scripts.activeScript(alice)).toEqual({
      name: 'vacation',
      content: 'require "vacation"; vacation "away";',
      address: 'alice@example.com',
    });
    await scripts.setActive(alice, 'main');
    expect(await scripts.listScripts(alice)).toEqual([
      { name: 'main', active: true },
      { name: 'vacation', active: false },
    ]);
    // replacing keeps the active mark
    await scripts.putScript(alice, 'main', 'discard;');
    expect(await scripts.activeScript(alice)).toMatchObject({ name: 'main', content: 'discard;' });
    await expect(scripts.deleteScript(alice, 'main')).rejects.toMatchObject({ code: 'LOCKED' });
    await expect(scripts.renameScript(alice, 'main', 'vacation')).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await scripts.renameScript(alice, 'main', 'primary');
    expect(await scripts.activeScript(alice)).toMatchObject({ name: 'primary' });
    await scripts.setActive(alice, null);
    await scripts.deleteScript(alice, 'primary');
    expect(await scripts.getScript(alice, 'primary')).toBeNull();
    await expect(scripts.deleteScript(alice, 'primary')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(scripts.setActive(alice, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect([...(await scripts.allScripts(alice)).keys()]).toEqual(['vacation']);
  });

  it('refuses bad names and more than MAX_SIEVE_SCRIPTS scripts', async () => {
    await expect(scripts.putScript(alice, '', 'keep;')).rejects.toBeInstanceOf(StoreError);
    await expect(scripts.putScript(alice, 'a\nb', 'keep;')).rejects.toMatchObject({ code: 'INVALID' });
    for (let i = 0; i < MAX_SIEVE_SCRIPTS; i++) await scripts.putScript(alice, `s${i}`, 'keep;');
    await expect(scripts.putScript(alice, 'one-more', 'keep;')).rejects.toMatchObject({ code: 'INVALID' });
    await scripts.putScript(alice, 's0', 'discard;');
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
    await scripts.putScript(alice, 'main', 'keep;');
    await store.removeUser('alice@example.com');
    expect(await scripts.listScripts(alice)).toEqual([]);
  });
});
