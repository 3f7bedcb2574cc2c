/**
 * The password check shared by LOGIN and AUTHENTICATE: plaintext policy, throttling, the dev
 * profile's "any password creates the account", and the failure bookkeeping.
 */
import { LoginPolicy } from '@minimail/protocol';
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
  // The protocol package's one login policy (shared with POP3 and submission): the throttle's
  // delay before the password is looked at, a right password waiting as long as a wrong one.
  const policy = new LoginPolicy<User>({
    throttle: ctx.server.authThrottle,
    check: (account, secret) =>
      ctx.server.profile === 'dev' ? devUser(ctx, account) : ctx.store.verifyPassword(account, secret),
    onFailure: () => ctx.server.metrics?.authFailure(),
  });
  const outcome = await policy.attempt({ username, password, ip: ctx.remoteAddress, logger: ctx.logger });
  if (outcome.kind === 'temporary') {
    // RFC 5530 3: UNAVAILABLE, a temporary failure.
    throw no('Cannot check credentials now, try again later', 'UNAVAILABLE');
  }
  if (outcome.kind === 'failed') {
    await ctx.authFailed(outcome.account);
    // RFC 5530 3: AUTHENTICATIONFAILED, without saying whether the user exists.
    throw no('Invalid credentials', 'AUTHENTICATIONFAILED');
  }
  ctx.authSucceeded(outcome.user);
  return outcome.user;
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
