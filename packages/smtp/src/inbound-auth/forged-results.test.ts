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
});
