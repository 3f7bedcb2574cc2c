import {
  AUTH_BASE_DELAY_MS,
  AUTH_FREE_FAILURES,
  AUTH_MAX_DELAY_MS,
  AUTH_QUIET_WINDOW_MS,
  AUTH_THROTTLE_MAX_KEYS,
} from './limits.js';

/**
 * Slows down password guessing: failed logins are counted per client IP and per account, and
 * once a key has used its free failures every further answer waits, doubling up to a cap.
 * A small local stand-in with the interface planned for @minimail/protocol's AuthThrottle
 * (delayFor / recordFailure / recordSuccess), which was not built when this package was.
 */
export class AuthThrottle {
  /** Failures per key; a Map keeps insertion order, so the first entry is the oldest. */
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds to wait before answering this login attempt. */
  delayFor(ip: string, account: string): number {
    return Math.max(this.delayForKey(`ip:${ip}`), this.delayForKey(`account:${account.toLowerCase()}`));
  }

  recordFailure(ip: string, account: string): void {
    this.bump(`ip:${ip}`);
    this.bump(`account:${account.toLowerCase()}`);
  }

  recordSuccess(ip: string, account: string): void {
    this.failures.delete(`ip:${ip}`);
    this.failures.delete(`account:${account.toLowerCase()}`);
  }

  private delayForKey(key: string): number {
    const entry = this.failures.get(key);
    if (entry === undefined || this.now() - entry.last > AUTH_QUIET_WINDOW_MS) return 0;
    const excess = entry.count - AUTH_FREE_FAILURES;
    if (excess <= 0) return 0;
    return Math.min(AUTH_BASE_DELAY_MS * 2 ** (excess - 1), AUTH_MAX_DELAY_MS);
  }

  private bump(key: string): void {
    const entry = this.failures.get(key);
    const fresh = entry === undefined || this.now() - entry.last > AUTH_QUIET_WINDOW_MS;
    // Delete and re-insert so the key moves to the young end of the eviction order.
    this.failures.delete(key);
    this.failures.set(key, { count: fresh ? 1 : entry.count + 1, last: this.now() });
    if (this.failures.size > AUTH_THROTTLE_MAX_KEYS) {
      const oldest = this.failures.keys().next();
      if (oldest.done !== true) this.failures.delete(oldest.value);
    }
  }
}
