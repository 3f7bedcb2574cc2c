import { randomBytes } from 'node:crypto';

/**
 * A short id for one connection, tying its log lines and transcript together: 9 random bytes as
 * 12 base64url characters (72 bits, so ids do not collide across processes sharing one log).
 */
export function createSessionId(): string {
  return randomBytes(9).toString('base64url');
}
