import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';

describe('app passwords', () => {
  let temp: TempStores;
  let store: TestStore;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    await store.addDomain('example.com');
    await store.addUser('alice@example.com', 'main secret');
    await store.addUser('bob@example.com', 'bob secret');
  });
  afterEach(() => temp.cleanup());

  it('generates a secret that logs in beside the main password, until revoked', async () => {
    const { appPassword, password } = await store.addAppPassword('alice@example.com', 'phone');
    expect(appPassword.name).toBe('phone');
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
    expect((await store.verifyPassword('alice@example.com', password))?.address).toBe('alice@example.com');
    expect((await store.verifyPassword('Alice@EXAMPLE.com', password))?.address).toBe('alice@example.com');
    expect((await store.verifyPassword('alice@example.com', 'main secret'))?.address).toBe(
      'alice@example.com',
    );
    // Another user's app password is not this user's.
    expect(await store.verifyPassword('bob@example.com', password)).toBeNull();
    const laptop = await store.addAppPassword('alice@example.com', 'laptop');
    expect(laptop.password).not.toBe(password);
    expect((await store.listAppPasswords('alice@example.com')).map((p) => p.name)).toEqual([
      'laptop',
      'phone',
    ]);
    await store.removeAppPassword('alice@example.com', 'phone');
    expect(await store.verifyPassword('alice@example.com', password)).toBeNull();
    expect((await store.verifyPassword('alice@example.com', laptop.password))?.address).toBe(
      'alice@example.com',
    );
  });

  it('refuses duplicate and bad names, unknown users and unknown names', async () => {
    await store.addAppPassword('alice@example.com', 'phone');
    await expect(store.addAppPassword('alice@example.com', 'phone')).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(store.addAppPassword('alice@example.com', '')).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.addAppPassword('alice@example.com', 'x'.repeat(65))).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(store.addAppPassword('alice@example.com', 'tab\there')).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(store.addAppPassword('nobody@example.com', 'phone')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.removeAppPassword('alice@example.com', 'tablet')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('goes with its user', async () => {
    const { password } = await store.addAppPassword('alice@example.com', 'phone');
    await store.removeUser('alice@example.com');
    await store.addUser('alice@example.com', 'new');
    expect(await store.verifyPassword('alice@example.com', password)).toBeNull();
    expect(await store.listAppPasswords('alice@example.com')).toEqual([]);
  });
});
