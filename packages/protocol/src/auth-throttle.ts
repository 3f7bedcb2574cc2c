import { LIMITS } from './limits.js';

export interface AuthThrottleOptions {
  /** Failures answered without delay. Defaults to LIMITS.authFreeFailures. */
  freeFailures?: number;
  /** Delay after the first failure beyond the free ones; doubles after that. */
  baseDelayMs?: number;
  /** Cap on the delay. */
  maxDelayMs?: number;
  /** A key's failures are forgotten after this long without a new one. */
  quietWindowMs?: number;
  /** Most IPs plus accounts remembered; the least recently failed are evicted first. */
  maxTrackedKeys?: number;
  /** Injectable clock (ms) for tests. */
  now?: () => number;
}

interface FailureRecord {
  failures: number;
  lastFailureAt: number;
}

/**
 * Slows down password guessing: after a few failed logins from one IP, or against one account,
 * each further answer is delayed, doubling up to a cap. Keys are counted separately so that one
 * attacker spraying many accounts is slowed by the IP key and a botnet guessing one account is
 * slowed by the account key. Memory is bounded; state is per process (good enough to make online
 * guessing slow, and a store-backed throttle can replace it behind the same methods).
 */
export class AuthThrottle {
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly quietWindowMs: number;
  private readonly maxTrackedKeys: number;
  private readonly now: () => number;
  /** Insertion order is recency order: a key is re-inserted on each failure. */
  private readonly records = new Map<string, FailureRecord>();

  constructor(options: AuthThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? LIMITS.authFreeFailures;
    this.baseDelayMs = options.baseDelayMs ?? LIMITS.authBaseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? LIMITS.authMaxDelayMs;
    this.quietWindowMs = options.quietWindowMs ?? LIMITS.authQuietWindowMs;
    this.maxTrackedKeys = options.maxTrackedKeys ?? LIMITS.authMaxTrackedKeys;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds to wait before answering this login attempt (0 for none). */
  delayFor(ip: string, account: string | null): number {
    const failures = Math.max(
      this.failuresOf(ipKey(ip)),
      account === null ? 0 : this.failuresOf(accountKey(account)),
    );
    const beyondFree = failures - this.freeFailures;
    if (beyondFree <= 0) return 0;
    // 2 ** 30 already exceeds any sane cap; clamping the exponent avoids Infinity.
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(beyondFree - 1, 30));
  }

  recordFailure(ip: string, account: string | null): void {
    this.bump(ipKey(ip));
    if (account !== null) this.bump(accountKey(account));
  }

  /**
   * A successful login clears the account's failures. The IP's failures are left to decay:
   * otherwise an attacker could log in to an account of their own to reset the counter between
   * guesses at someone else's. `ip` is accepted for symmetry with recordFailure.
   */
  recordSuccess(_ip: string, account: string): void {
    this.records.delete(accountKey(account));
  }

  /** Number of IPs plus accounts currently remembered. */
  get size(): number {
    return this.records.size;
  }

  private failuresOf(key: string): number {
    const record = this.records.get(key);
    if (!record) return 0;
    if (this.now() - record.lastFailureAt >= this.quietWindowMs) {
      this.records.delete(key);
      return 0;
    }
    return record.failures;
  }

  private bump(key: string): void {
    const failures = this.failuresOf(key) + 1;
    this.records.delete(key);
    this.records.set(key, { failures, lastFailureAt: this.now() });
    while (this.records.size > this.maxTrackedKeys) {
      const oldest = this.records.keys().next();
      if (oldest.done) break;
      this.records.delete(oldest.value);
    }
  }
}

const ipKey = (ip: string): string => `ip:${ip}`;
/** Login names are addresses; case must not give an attacker a fresh counter. */
const accountKey = (account: string): string => `account:${account.toLowerCase()}`;
