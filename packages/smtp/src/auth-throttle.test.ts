import { describe, expect, it } from 'vitest';
import { AuthThrottle } from './auth-throttle.js';
import { AUTH_BASE_DELAY_MS, AUTH_FREE_FAILURES, AUTH_MAX_DELAY_MS, AUTH_QUIET_WINDOW_MS } from './limits.js';

describe('AuthThrottle', () => {
  it('answers the free failures at once, then doubles the delay up to the cap', () => {
    let now = 0;
    const throttle = new AuthThrottle(() => now);
    const delays: number[] = [];
    for (let i = 0; i < AUTH_FREE_FAILURES + 8; i++) {
      delays.push(throttle.delayFor('192.0.2.1', 'a@x.test'));
      throttle.recordFailure('192.0.2.1', 'a@x.test');
    }
    expect(delays.slice(0, AUTH_FREE_FAILURES + 1)).toEqual(new Array(AUTH_FREE_FAILURES + 1).fill(0));
    expect(delays[AUTH_FREE_FAILURES + 1]).toBe(AUTH_BASE_DELAY_MS);
    expect(delays[AUTH_FREE_FAILURES + 2]).toBe(AUTH_BASE_DELAY_MS * 2);
    expect(delays.at(-1)).toBe(AUTH_MAX_DELAY_MS);
    // Another IP guessing the same account is slowed down too.
    expect(throttle.delayFor('198.51.100.9', 'A@X.test')).toBe(AUTH_MAX_DELAY_MS);
    now += AUTH_QUIET_WINDOW_MS + 1;
    expect(throttle.delayFor('192.0.2.1', 'a@x.test')).toBe(0);
  });

  it('forgets a key after a successful login', () => {
    const throttle = new AuthThrottle(() => 0);
    for (let i = 0; i < AUTH_FREE_FAILURES + 2; i++) throttle.recordFailure('192.0.2.1', 'a@x.test');
    expect(throttle.delayFor('192.0.2.1', 'a@x.test')).toBeGreaterThan(0);
    throttle.recordSuccess('192.0.2.1', 'a@x.test');
    expect(throttle.delayFor('192.0.2.1', 'a@x.test')).toBe(0);
  });
});
