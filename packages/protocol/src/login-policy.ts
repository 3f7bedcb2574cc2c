import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthThrottle } from './auth-throttle.js';
import type { Logger } from './logging.js';

/** Checks a password (or, in the dev profile, accepts any): a user, null for "no", a throw for store trouble. */
export type CredentialCheck<U> = (account: string, password: string) => Promise<U | null>;

export interface LoginPolicyOptions<U> {
  throttle: AuthThrottle;
  check: CredentialCheck<U>;
  /** Called once per failed attempt (the protocol's auth-failure metric). */
  onFailure?: () => void;
}

export interface LoginAttempt {
  /** As the client sent it; normalised here. */
  username: string;
  password: string;
  ip: string;
  /** The session's logger: outcomes are logged on it with the normalised account, never the password. */
  logger: Logger;
}

export type LoginOutcome<U> =
  | { kind: 'ok'; account: string; user: U }
  /** Wrong password, unknown user or a name that is not an address: one answer for all (RFC 5530 3). */
  | { kind: 'failed'; account: string }
  /** The store could not answer: a temporary refusal (IMAP `NO [UNAVAILABLE]`, POP3 `-ERR [SYS/TEMP]`, SMTP 454). */
  | { kind: 'temporary'; account: string; error: unknown };

/**
 * The one login policy of IMAP, POP3 and submission (issue 11: it used to exist three times, and
 * POP3 checked the password before the throttle, so a throttled account answered a right password
 * at once and a guesser learned the answer without waiting).
 *
 * 1. The name is normalised (trim, Unicode NFC, lower case): case must not give a fresh throttle
 *    counter, and the store keeps addresses in lower case.
 * 2. The throttle's delay for this IP and account is waited out BEFORE any password work, the same
 *    for a right and a wrong password, so the answer's timing says nothing and parallel guesses
 *    are slowed as much as serial ones.
 * 3. A name that is not an address fails without asking the store (so any store error afterwards
 *    really is the store's), and counts as a failure like any other.
 * 4. A failure is recorded for the IP and the account; a success clears the account's failures.
 *    A store failure records nothing: it is not the client's fault.
 * 5. Every outcome is logged at info (errors at error) with the account, never the password.
 */
export class LoginPolicy<U> {
  constructor(private readonly options: LoginPolicyOptions<U>) {}

  /** trim, NFC, lower case. */
  static normalizeAccount(username: string): string {
    return username.trim().normalize('NFC').toLowerCase();
  }

  /** The delay the next attempt for this IP and account would wait (for tests and logs). */
  delayFor(ip: string, username: string): number {
    return this.options.throttle.delayFor(ip, LoginPolicy.normalizeAccount(username));
  }

  async attempt(attempt: LoginAttempt): Promise<LoginOutcome<U>> {
    const { throttle } = this.options;
    const account = LoginPolicy.normalizeAccount(attempt.username);
    const delayMs = throttle.delayFor(attempt.ip, account);
    if (delayMs > 0) await sleep(delayMs);
    let user: U | null = null;
    if (LOGIN_ADDRESS.test(account)) {
      try {
        user = await this.options.check(account, attempt.password);
      } catch (error) {
        attempt.logger.error({ err: error, user: account }, 'login: store failure');
        return { kind: 'temporary', account, error };
      }
    }
    if (user === null) {
      throttle.recordFailure(attempt.ip, account);
      this.options.onFailure?.();
      attempt.logger.info({ user: account, delayMs }, 'login failed');
      return { kind: 'failed', account };
    }
    throttle.recordSuccess(attempt.ip, account);
    attempt.logger.info({ user: account, delayMs }, 'login');
    return { kind: 'ok', account, user };
  }
}

/** One @, non-empty local part and domain, no spaces or control characters. */
const LOGIN_ADDRESS = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;
