import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPasswordHash } from './password.js';
import { StoreError } from './types.js';

describe('password hashing', () => {
  it('stores a self-describing scrypt string with a random salt', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(first.split('$')[4] ?? '', 'base64')).toHaveLength(16);
    expect(first).not.toBe(second);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('s3cret');
    expect(await verifyPasswordHash('s3cret', hash)).toBe(true);
    expect(await verifyPasswordHash('s3cret ', hash)).toBe(false);
    expect(await verifyPasswordHash('', hash)).toBe(false);
  });

  it('honours the parameters stored in the hash', async () => {
    // A hash made with other cost parameters (as older versions might have) still verifies.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('pw', salt, 24, { N: 1024, r: 4, p: 2 });
    expect(
      await verifyPasswordHash('pw', `scrypt$1024$4$2$${salt.toString('base64')}$${key.toString('base64')}`),
    ).toBe(true);
  });

  it('treats a malformed stored hash as an error, not as a wrong password', async () => {
    await expect(verifyPasswordHash('pw', 'plain-text')).rejects.toMatchObject({ code: 'INVALID' });
    await expect(verifyPasswordHash('pw', 'scrypt$x$8$1$AAAA$AAAA')).rejects.toBeInstanceOf(StoreError);
  });

  it('refuses empty passwords', async () => {
    await expect(hashPassword('')).rejects.toMatchObject({ code: 'INVALID' });
  });
});
