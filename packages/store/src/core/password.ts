import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { MAX_PASSWORD_LENGTH } from './limits.js';
import { StoreError } from './types.js';

/** scrypt cost parameters for new hashes (RFC 7914; N=2^14, r=8, p=1 is the interactive-login set). */
const SCRYPT_N = 16384;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** scrypt needs 128*N*r bytes; allow headroom above Node's 32 MiB default for stronger stored params. */
const SCRYPT_MAXMEM = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      keyLength,
      { ...options, maxmem: SCRYPT_MAXMEM },
      (error, key) => {
        if (error) reject(error);
        else resolve(key);
      },
    );
  });
}

function checkLength(password: string): void {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new StoreError('INVALID', `password longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/** Hashes a password as the self-describing string `scrypt$N$r$p$salt$hash` (base64 parts). */
export async function hashPassword(password: string): Promise<string> {
  checkLength(password);
  if (password.length === 0) throw new StoreError('INVALID', 'password must not be empty');
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P });
  return ['scrypt', SCRYPT_N, SCRYPT_R, SCRYPT_P, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Checks a password against a stored hash in constant time. A malformed stored hash is data
 * corruption, not a wrong password, so it throws instead of answering false.
 */
export async function verifyPasswordHash(password: string, stored: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const parts = stored.split('$');
  const [scheme, n, r, p, saltText, keyText] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt' || saltText === undefined || keyText === undefined) {
    throw new StoreError('INVALID', 'stored password hash is not in scrypt$N$r$p$salt$hash form');
  }
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((value) => Number.isSafeInteger(value) && value > 0)) {
    throw new StoreError('INVALID', 'stored password hash has bad scrypt parameters');
  }
  const expected = Buffer.from(keyText, 'base64');
  const actual = await derive(password, Buffer.from(saltText, 'base64'), expected.length, params);
  return timingSafeEqual(actual, expected);
}

/** A valid hash of a random password: verifying against it makes unknown users cost as much as known ones. */
let decoyHash: Promise<string> | null = null;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return decoyHash;
}

/**
 * The one password check every backend shares: the stored hash of a user (as a backend reads it),
 * checked against `password`. An unknown user or one without a password costs the same scrypt as
 * a real check, so timing does not reveal which addresses exist.
 */
export async function checkPassword<U>(
  found: { user: U; hash: string | null } | null,
  password: string,
): Promise<U | null> {
  if (found === null || found.hash === null) {
    await verifyPasswordHash(password, await decoyPasswordHash());
    return null;
  }
  return (await verifyPasswordHash(password, found.hash)) ? found.user : null;
}
