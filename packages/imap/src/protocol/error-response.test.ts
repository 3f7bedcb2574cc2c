import { describe, expect, it } from 'vitest';
import { errorResponse } from './error-response.js';
import { ImapWireError } from './errors.js';

describe('errorResponse', () => {
  it.each<[ImapWireError, string]>([
    [new ImapWireError('SYNTAX', 'Expected a space', { tag: 'a1' }), 'a1 BAD Expected a space\r\n'],
    [new ImapWireError('BAD_TAG', 'Invalid tag'), '* BAD Invalid tag\r\n'],
    [
      new ImapWireError('LITERAL_TOO_BIG', 'Literal too big', {
        tag: 'a2',
        status: 'NO',
        responseCode: 'TOOBIG',
      }),
      'a2 NO [TOOBIG] Literal too big\r\n',
    ],
    [
      new ImapWireError('LITERAL_TOO_BIG', 'Literal too big', { status: 'NO', responseCode: 'TOOBIG' }),
      '* BAD [TOOBIG] Literal too big\r\n',
    ],
    [
      new ImapWireError('BAD_CHARSET', 'Unsupported charset', {
        tag: 'a3',
        status: 'NO',
        responseCode: 'BADCHARSET (US-ASCII UTF-8)',
      }),
      'a3 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n',
    ],
  ])('%s', (error, line) => expect(errorResponse(error).toString('latin1')).toBe(line));

  it('withTag keeps everything else', () => {
    const error = new ImapWireError('LITERAL_TOO_BIG', 'x', {
      status: 'NO',
      responseCode: 'TOOBIG',
      closeConnection: true,
    }).withTag('t');
    expect([error.tag, error.status, error.responseCode, error.closeConnection, error.code]).toEqual([
      't',
      'NO',
      'TOOBIG',
      true,
      'LITERAL_TOO_BIG',
    ]);
  });
});
