import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';
import { DEFAULT_MAILBOXES } from '../core/types.js';

describe('domains, users and aliases', () => {
  let temp: TempStores;
  let store: TestStore;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
  });
  afterEach(() => temp.cleanup());

  it('adds, lists and removes domains, lower-cased', async () => {
    const domain = await store.addDomain('  Example.COM ');
    expect(domain.name).toBe('example.com');
    expect(await store.isLocalDomain('EXAMPLE.com')).toBe(true);
    expect(await store.isLocalDomain('other.org')).toBe(false);
    await expect(store.addDomain('example.com')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(store.addDomain('bad domain')).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.addDomain('a..b')).rejects.toMatchObject({ code: 'INVALID' });
    expect((await store.listDomains()).map((d) => d.name)).toEqual(['example.com']);
    await store.removeDomain('example.com');
    expect(await store.listDomains()).toEqual([]);
    await expect(store.removeDomain('example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to remove a domain that still has users, and removes its aliases with it', async () => {
    await store.addDomain('example.com');
    await store.addUser('a@example.com', null);
    await store.addAlias('@example.com', 'a@example.com');
    await expect(store.removeDomain('example.com')).rejects.toMatchObject({ code: 'INVALID' });
    await store.removeUser('a@example.com');
    await store.removeDomain('example.com');
    expect(await store.listAliases()).toEqual([]);
  });

  it('adds users only in existing domains, with the default mailboxes', async () => {
    await expect(store.addUser('a@example.com', 'pw')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'domain example.com is not a local domain; add it first',
    });
    await store.addDomain('example.com');
    const user = await store.addUser(' Alice@Example.com ', 'pw');
    expect(user).toMatchObject({ address: 'alice@example.com', hasPassword: true });
    await expect(store.addUser('alice@example.com', null)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const mailboxes = await store.listMailboxes(user.id);
    expect(mailboxes.map((m) => [m.name, m.specialUse]).sort()).toEqual(
      DEFAULT_MAILBOXES.map((m) => [m.name, m.specialUse]).sort(),
    );
    expect((await store.listUsers()).map((u) => u.address)).toEqual(['alice@example.com']);
  });

  it('validates addresses', async () => {
    await store.addDomain('example.com');
    for (const bad of [
      'no-at',
      'two@@example.com',
      'a@b@example.com',
      '@example.com',
      'a b@example.com',
      'a@',
      'tab\t@example.com',
      'nul\u0000@example.com',
    ]) {
      await expect(store.addUser(bad, null), bad).rejects.toMatchObject({ code: 'INVALID' });
    }
  });

  it('ensureUser creates the user and its domain once (dev profile)', async () => {
    const first = await store.ensureUser('Dev@Local.test');
    const second = await store.ensureUser('dev@local.test');
    expect(second).toEqual(first);
    expect(first.hasPassword).toBe(false);
    expect(await store.isLocalDomain('local.test')).toBe(true);
    expect(await store.getMailbox(first.id, 'INBOX')).not.toBeNull();
  });

  it('verifies passwords; users without a password never authenticate', async () => {
    await store.addDomain('example.com');
    const alice = await store.addUser('alice@example.com', 'pw1');
    await store.addUser('nopw@example.com', null);
    expect(await store.verifyPassword('ALICE@example.com', 'pw1')).toEqual(alice);
    expect(await store.verifyPassword('alice@example.com', 'pw2')).toBeNull();
    expect(await store.verifyPassword('nopw@example.com', '')).toBeNull();
    expect(await store.verifyPassword('ghost@example.com', 'pw1')).toBeNull();
    expect(await store.verifyPassword('not an address', 'pw1')).toBeNull();
    expect(await store.getUser('not an address')).toBeNull();
    await store.setPassword('alice@example.com', 'pw2');
    expect(await store.verifyPassword('alice@example.com', 'pw1')).toBeNull();
    expect(await store.verifyPassword('alice@example.com', 'pw2')).toMatchObject({ id: alice.id });
  });

  it('resolves recipients: user, alias, catch-all, remote, unknown', async () => {
    await store.addDomain('example.com');
    const alice = await store.addUser('alice@example.com', null);
    const bob = await store.addUser('bob@example.com', null);
    await store.addAlias('team@example.com', 'alice@example.com');
    await store.addAlias('team@example.com', 'BOB@example.com');
    await store.addAlias('team@example.com', 'partner@remote.org');
    await store.addAlias('info@example.com', 'alice@example.com');

    expect(await store.resolveRecipient('Alice@Example.com')).toEqual({
      kind: 'local',
      users: [alice],
      forward: [],
    });
    expect(await store.resolveRecipient('team@example.com')).toEqual({
      kind: 'local',
      users: [alice, bob],
      forward: ['partner@remote.org'],
    });
    expect(await store.resolveRecipient('nobody@example.com')).toEqual({ kind: 'unknown' });
    expect(await store.resolveRecipient('someone@remote.org')).toEqual({ kind: 'remote' });

    await store.addAlias('@example.com', 'bob@example.com');
    expect(await store.resolveRecipient('nobody@example.com')).toEqual({
      kind: 'local',
      users: [bob],
      forward: [],
    });
    // An exact alias wins over the catch-all.
    expect(await store.resolveRecipient('info@example.com')).toEqual({
      kind: 'local',
      users: [alice],
      forward: [],
    });

    expect(await store.sendableAddresses(alice.id)).toEqual([
      'alice@example.com',
      'info@example.com',
      'team@example.com',
    ]);
    expect(await store.sendableAddresses(bob.id)).toEqual([
      'bob@example.com',
      '@example.com',
      'team@example.com',
    ]);
  });

  it('manages aliases', async () => {
    await store.addDomain('example.com');
    await expect(store.addAlias('x@other.org', 'a@example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.addAlias('x@example.com', 'a@example.com');
    await store.addAlias('x@example.com', 'b@example.com');
    await expect(store.addAlias('x@example.com', 'a@example.com')).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await store.removeAlias('x@example.com', 'a@example.com');
    expect((await store.listAliases()).map((a) => `${a.source}>${a.destination}`)).toEqual([
      'x@example.com>b@example.com',
    ]);
    await store.removeAlias('x@example.com');
    expect(await store.listAliases()).toEqual([]);
    await expect(store.removeAlias('x@example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
