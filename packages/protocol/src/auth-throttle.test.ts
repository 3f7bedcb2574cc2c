import { describe, expect, it } from 'vitest';
import { AuthThrottle } from './auth-throttle.js';

function throttleWithClock(options: ConstructorParameters<typeof AuthThrottle>[0] = {}) {
  const clock = { now: 1_000_000 };
  const throttle = new AuthThrottle({ ...options, now: () => clock.now });
  return { throttle, clock };
}

describe('AuthThrottle', () => {
  it('answers the first three failures at once, then doubles from 1 s up to the cap', () => {
    const { throttle } = throttleWithClock({ maxDelayMs: 8_000 });
    const delays: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      delays.push(throttle.delayFor('192.0.2.1', 'alice@example.com'));
      throttle.recordFailure('192.0.2.1', 'alice@example.com');
    }
    expect(delays).toEqual([0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000]);
    expect(throttle.delayFor('192.0.2.1', 'alice@example.com')).toBe(8_000);
  });

  it('slows an IP trying many accounts and an account tried from many IPs', () => {
    const { throttle } = throttleWithClock();
    for (let i = 0; i < 5; i += 1) throttle.recordFailure('192.0.2.1', `user${i}@example.com`);
    expect(throttle.delayFor('192.0.2.1', 'someone-new@example.com')).toBe(2_000);
    expect(throttle.delayFor('192.0.2.2', 'user0@example.com')).toBe(0);

    for (let i = 0; i < 4; i += 1) throttle.recordFailure(`198.51.100.${i}`, 'bob@example.com');
    expect(throttle.delayFor('203.0.113.9', 'BOB@example.com')).toBe(1_000);
  });

  it('forgets failures after the quiet window', () => {
    const { throttle, clock } = throttleWithClock({ quietWindowMs: 60_000 });
    for (let i = 0; i < 6; i += 1) throttle.recordFailure('192.0.2.1', 'alice@example.com');
    clock.now += 59_999;
    expect(throttle.delayFor('192.0.2.1', 'alice@example.com')).toBe(4_000);
    clock.now += 1;
    expect(throttle.delayFor('192.0.2.1', 'alice@example.com')).toBe(0);
    expect(throttle.size).toBe(0);
  });

  it('clears the account on success but keeps the IP counting', () => {
    const { throttle } = throttleWithClock();
    for (let i = 0; i < 5; i += 1) throttle.recordFailure('192.0.2.1', 'alice@example.com');
    throttle.recordSuccess('192.0.2.1', 'alice@example.com');
    expect(throttle.delayFor('192.0.2.7', 'alice@example.com')).toBe(0);
    expect(throttle.delayFor('192.0.2.1', 'alice@example.com')).toBe(2_000);
  });

  it('counts failures without a known account against the IP only', () => {
    const { throttle } = throttleWithClock();
    for (let i = 0; i < 4; i += 1) throttle.recordFailure('192.0.2.1', null);
    expect(throttle.delayFor('192.0.2.1', null)).toBe(1_000);
    expect(throttle.size).toBe(1);
  });

  it('keeps memory bounded by evicting the least recently failed keys', () => {
    const { throttle } = throttleWithClock({ maxTrackedKeys: 10 });
    for (let i = 0; i < 4; i += 1) throttle.recordFailure('192.0.2.1', null);
    for (let i = 0; i < 100; i += 1) throttle.recordFailure(`198.51.100.${i}`, null);
    expect(throttle.size).toBe(10);
    expect(throttle.delayFor('192.0.2.1', null)).toBe(0);
    expect(throttle.delayFor('198.51.100.99', null)).toBe(0);
  });
});
