import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';

const pem = (): string =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('DKIM keys', () => {
  let temp: TempStores;
  let store: TestStore;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
  });
  afterEach(() => temp.cleanup());

  it('stores one key per domain, case-insensitively, and a new key replaces the old', async () => {
    expect(await store.getDkimKey('example.com')).toBeNull();
    const first = pem();
    const stored = await store.setDkimKey('Example.COM', {
      selector: 's1',
      algorithm: 'ed25519-sha256',
      privateKeyPem: first,
      publicKey: 'AAAA',
    });
    expect(stored).toMatchObject({ domain: 'example.com', selector: 's1', privateKeyPem: first });
    expect(await store.getDkimKey('EXAMPLE.com')).toMatchObject({
      domain: 'example.com',
      selector: 's1',
      algorithm: 'ed25519-sha256',
      publicKey: 'AAAA',
    });
    await store.setDkimKey('example.com', {
      selector: 's2',
      algorithm: 'rsa-sha256',
      privateKeyPem: pem(),
      publicKey: 'BBBB',
    });
    expect(await store.getDkimKey('example.com')).toMatchObject({ selector: 's2', algorithm: 'rsa-sha256' });
    // Reopening the file finds it: keys are data, not process state.
    expect(await (await temp.open()).getDkimKey('example.com')).toMatchObject({
      selector: 's2',
      publicKey: 'BBBB',
    });
  });

  it('refuses bad domains, selectors and keys with INVALID', async () => {
    const key = { selector: 's1', algorithm: 'rsa-sha256', privateKeyPem: pem(), publicKey: 'AAAA' } as const;
    await expect(store.setDkimKey('not a domain', key)).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.setDkimKey('example.com', { ...key, selector: 'bad selector' })).rejects.toMatchObject(
      {
        code: 'INVALID',
      },
    );
    await expect(store.setDkimKey('example.com', { ...key, privateKeyPem: 'nope' })).rejects.toMatchObject({
      code: 'INVALID',
    });
  });
});
