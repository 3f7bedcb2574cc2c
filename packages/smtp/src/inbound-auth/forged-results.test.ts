import { describe, expect, it } from 'vitest';
import { removeForgedResults } from './forged-results.js';

describe('removeForgedResults (RFC 8601 5)', () => {
  it('drops our own authserv-id, folded lines included, and keeps other servers results', () => {
    const raw = Buffer.from(
      'Authentication-Results: MX.Local.Test;\r\n dkim=pass header.d=bank.test\r\n' +
        'Authentication-Results: other.test; spf=pass\r\n' +
        'Subject: hi\r\n\r\n' +
        'Authentication-Results: mx.local.test; in the body stays\r\n',
    );
    expect(removeForgedResults(raw, 'mx.local.test').toString()).toBe(
      'Authentication-Results: other.test; spf=pass\r\nSubject: hi\r\n\r\nAuthentication-Results: mx.local.test; in the body stays\r\n',
    );
  });

  it('returns the same buffer when there is nothing to remove', () => {
    const raw = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    expect(removeForgedResults(raw, 'mx.local.test')).toBe(raw);
  });

  it('keeps 8-bit header and body bytes exactly when it removes a field', () => {
    const raw = Buffer.concat([
      Buffer.from('Authentication-Results: mx.local.test; dkim=pass\r\nSubject: caf\xe9\r\n\r\n', 'latin1'),
      Buffer.from([0xc3, 0xa9, 0xff, 0x00, 0x0d, 0x0a]),
    ]);
    expect([...removeForgedResults(raw, 'mx.local.test')]).toEqual([
      ...Buffer.from('Subject: caf\xe9\r\n\r\n', 'latin1'),
      0xc3,
      0xa9,
      0xff,
      0x00,
      0x0d,
      0x0a,
    ]);
  });
});
