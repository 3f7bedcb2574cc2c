import { describe, expect, it } from 'vitest';
import {
  decodeSaslLoginResponse,
  decodeSaslPlain,
  decodeSaslResponse,
  SASL_LOGIN_PASSWORD_CHALLENGE,
  SASL_LOGIN_USERNAME_CHALLENGE,
} from './sasl.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('decodeSaslPlain (RFC 4616)', () => {
  it.each([
    ['\0alice@example.com\0secret', { authzid: null, authcid: 'alice@example.com', password: 'secret' }],
    ['admin\0alice\0pa ss', { authzid: 'admin', authcid: 'alice', password: 'pa ss' }],
    ['\0jörg@example.com\0pässwörd', { authzid: null, authcid: 'jörg@example.com', password: 'pässwörd' }],
  ])('decodes %j', (message, expected) => {
    expect(decodeSaslPlain(b64(message))).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['no NUL', b64('alice secret'), 'MALFORMED'],
    ['one NUL', b64('alice\0secret'), 'MALFORMED'],
    ['three NULs', b64('\0alice\0sec\0ret'), 'MALFORMED'],
    ['empty authcid', b64('\0\0secret'), 'MALFORMED'],
    ['empty password', b64('\0alice\0'), 'MALFORMED'],
    ['invalid UTF-8', Buffer.from([0, 0x61, 0, 0xff, 0xfe]).toString('base64'), 'MALFORMED'],
    ['invalid base64 characters', 'AGFsaWNl!AHNlY3JldA==', 'BAD_BASE64'],
    ['base64 with wrong padding', 'AGFsaWNlAHNlY3JldA=', 'BAD_BASE64'],
    ['empty line', '', 'BAD_BASE64'],
    ['cancel', '*', 'CANCELLED'],
    ['password over 255 bytes', b64(`\0alice\0${'p'.repeat(256)}`), 'TOO_LONG'],
    ['response over the limit', 'A'.repeat(12 * 1024 + 4), 'TOO_LONG'],
  ])('refuses %s', (_name, input, code) => {
    const result = decodeSaslPlain(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('honours smaller limits passed by the caller', () => {
    const result = decodeSaslPlain(b64('\0alice\0secret'), { maxFieldBytes: 4 });
    expect(result).toMatchObject({ ok: false, error: { code: 'TOO_LONG' } });
  });
});

describe('decodeSaslResponse (RFC 4954 4)', () => {
  it('reads "=" as an empty response and tolerates surrounding spaces', () => {
    expect(decodeSaslResponse('=')).toEqual({ ok: true, value: Buffer.alloc(0) });
    expect(decodeSaslResponse(' dGVzdA== ')).toEqual({ ok: true, value: Buffer.from('test') });
  });
});

describe('LOGIN mechanism', () => {
  it('has the customary challenges', () => {
    expect(SASL_LOGIN_USERNAME_CHALLENGE).toBe('VXNlcm5hbWU6');
    expect(SASL_LOGIN_PASSWORD_CHALLENGE).toBe('UGFzc3dvcmQ6');
  });

  it('decodes a username and refuses empty, NUL-bearing or bad responses', () => {
    expect(decodeSaslLoginResponse(b64('alice@example.com'))).toEqual({
      ok: true,
      value: 'alice@example.com',
    });
    expect(decodeSaslLoginResponse('=')).toMatchObject({ ok: false, error: { code: 'MALFORMED' } });
    expect(decodeSaslLoginResponse(b64('a\0b'))).toMatchObject({ ok: false, error: { code: 'MALFORMED' } });
    expect(decodeSaslLoginResponse('%%%')).toMatchObject({ ok: false, error: { code: 'BAD_BASE64' } });
    expect(decodeSaslLoginResponse('*')).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });
});
