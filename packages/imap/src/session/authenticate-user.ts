/**
 * The password check shared by LOGIN and AUTHENTICATE: plaintext policy, throttling, the dev
 * profile's "any password creates the account", and the failure bookkeeping.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError, type User } from '@minimail/store';
import { isPlaintextAuthAllowed } from '../capabilities.js';
import type { CommandContext } from './command-spec.js';
import { no } from '../errors.js';

export async function authenticateUser(
  ctx: CommandContext,
  username: string,
  password: string,
): Promise<User> {
  assertPlaintextAllowed(ctx);
  const account = username.trim().toLowerCase();
  // Delay before checking: a guesser learns nothing faster by opening more connections.
  const delay = ctx.server.authThrottle.delayFor(ctx.remoteAddress, account);
  if (delay > 0) await sleep(delay);
  const user =
    ctx.server.profile === 'dev'
      ? await devUser(ctx, account)
      : await ctx.store.verifyPassword(account, password);
  if (user === null) {
    await ctx.authFailed(account);
    // RFC 5530 3: AUTHENTICATIONFAILED, without saying whether the user exists.
    throw no('Invalid credentials', 'AUTHENTICATIONFAILED');
  }
  ctx.authSucceeded(user);
  ctx.logger.info({ user: user.address }, 'logged in');
  return user;
}

/** RFC 3501 6.2.3 / 7.2.1 LOGINDISABLED: production never takes a password over plaintext. */
export function assertPlaintextAllowed(ctx: CommandContext): void {
  if (!isPlaintextAuthAllowed({ secure: ctx.secure, profile: ctx.server.profile })) {
    // RFC 5530 3: PRIVACYREQUIRED.
    throw no('Plaintext authentication is disabled; use STARTTLS first', 'PRIVACYREQUIRED');
  }
}

/** DESIGN.md dev profile: any password for any address; the login creates the account. */
async function devUser(ctx: CommandContext, account: string): Promise<User | null> {
  try {
    return await ctx.store.ensureUser(account);
  } catch (error) {
    // Not an address the store accepts (e.g. no @domain): a failed login, not a server error.
    if (error instanceof StoreError && error.code === 'INVALID') return null;
    throw error;
  }
}
