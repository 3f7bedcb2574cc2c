/**
 * App passwords (issue 18), the rules every backend shares. The secret is generated here, 20 symbols
 * (about 99 bits) from a CSPRNG, so it needs no slow hash: it is stored as its sha256 and found by that, which also
 * keeps a failed login at the one scrypt of the main password. The shape (five groups of four
 * letters and digits) lets a login skip the lookup for anything that cannot be one.
 */
import { createHash, randomInt } from 'node:crypto';
import { StoreError } from './types.js';

/** 31 symbols without the look-alikes 0/o, 1/l/i: read off one screen and typed into another. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 5;
const GROUP_LENGTH = 4;
const SHAPE = new RegExp(`^[${ALPHABET}]{${GROUP_LENGTH}}(-[${ALPHABET}]{${GROUP_LENGTH}}){${GROUPS - 1}}$`);

/** Longest app password name (a device or program name). */
export const MAX_APP_PASSWORD_NAME = 64;

export function generateAppPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

export function isAppPasswordShaped(password: string): boolean {
  return SHAPE.test(password);
}

export function appPasswordHash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

/** A name is 1-64 printable characters without spaces at either end. */
export function checkAppPasswordName(name: string): string {
  if (
    name.length === 0 ||
    name.length > MAX_APP_PASSWORD_NAME ||
    name !== name.trim() ||
    /[\p{Cc}]/u.test(name)
  ) {
    throw new StoreError(
      'INVALID',
      `an app password name is 1-${MAX_APP_PASSWORD_NAME} printable characters`,
    );
  }
  return name;
}
