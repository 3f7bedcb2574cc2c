import { describe, expect, it } from 'vitest';
import { ConnectionLimiter } from './connection-limits.js';
import { normalizeRemoteAddress } from './remote-address.js';

describe('ConnectionLimiter', () => {
  it('enforces the per-IP limit and frees a slot on release', () => {
    const limiter = new ConnectionLimiter({ maxTotal: 10, maxPerIp: 2 });
    const first = limiter.tryAcquire('192.0.2.1');
    const second = limiter.tryAcquire('192.0.2.1');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(limiter.tryAcquire('192.0.2.1')).toBeNull();
    expect(limiter.tryAcquire('192.0.2.2')).not.toBeNull();
    first?.();
    expect(limiter.count('192.0.2.1')).toBe(1);
    expect(limiter.tryAcquire('192.0.2.1')).not.toBeNull();
  });

  it('enforces the total limit across IPs', () => {
    const limiter = new ConnectionLimiter({ maxTotal: 3, maxPerIp: 3 });
    const releases = ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip) => limiter.tryAcquire(ip));
    expect(limiter.tryAcquire('192.0.2.4')).toBeNull();
    releases[0]?.();
    expect(limiter.tryAcquire('192.0.2.4')).not.toBeNull();
    expect(limiter.count()).toBe(3);
  });

  it('ignores a release called twice', () => {
    const limiter = new ConnectionLimiter({ maxTotal: 5, maxPerIp: 5 });
    const release = limiter.tryAcquire('192.0.2.1');
    limiter.tryAcquire('192.0.2.1');
    release?.();
    release?.();
    expect(limiter.count()).toBe(1);
    expect(limiter.count('192.0.2.1')).toBe(1);
  });
});

describe('normalizeRemoteAddress', () => {
  it.each([
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8::1', '2001:db8::1'],
    [undefined, 'unknown'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRemoteAddress(input)).toBe(expected);
  });
});
