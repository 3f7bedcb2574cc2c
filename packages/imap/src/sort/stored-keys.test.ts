/**
 * The recorded SORT/THREAD keys of one message (docs/adr/0037), and the app's hooks that share one
 * parse between the MIME structure and the keys.
 */
import { describe, expect, it } from 'vitest';
import { parseMessage, serializeStructure } from '@minimail/mime';
import { asStoredKeys, bodyHooks, sortKeysOfMessage } from './stored-keys.js';

const message = (subject: string, extra = ''): Buffer =>
  Buffer.from(
    `From: "Zoe Q" <zoe@example.org>\r\nTo: team: a@example.org, b@example.org;\r\nSubject: ${subject}\r\n` +
      `Date: Wed, 1 Oct 2026 10:00:00 +0200\r\nMessage-ID: <m1@example.org>\r\n${extra}\r\nbody\r\n`,
  );

describe('stored keys', () => {
  it('records every key SORT and THREAD compare, casemapped', () => {
    const keys = asStoredKeys(
      JSON.parse(sortKeysOfMessage(message('Re: [list] Café', 'In-Reply-To: <a@x> <b@x>\r\n'))),
    );
    expect(keys).toEqual([
      1,
      Date.UTC(2026, 9, 1, 8),
      'CAFE\u0301',
      1,
      'ZOE',
      'A',
      '',
      'ZOE Q',
      'A@EXAMPLE.ORG',
      '<m1@example.org>',
      ['<a@x>'],
    ]);
  });

  it('reads records of another version as missing', () => {
    expect(asStoredKeys([2, null, '', 0, '', '', '', '', '', '', []])).toBeNull();
    expect(asStoredKeys(null)).toBeNull();
    expect(asStoredKeys({})).toBeNull();
  });

  it('bodyHooks give what separate parses give, also when the buffers alternate', () => {
    const { describeBody, sortKeysOf } = bodyHooks();
    const one = message('one', 'References: <r1@x>\r\n');
    const two = message('two');
    expect(describeBody(one)).toBe(serializeStructure(parseMessage(one)));
    expect(sortKeysOf(one)).toBe(sortKeysOfMessage(one));
    expect(describeBody(two)).toBe(serializeStructure(parseMessage(two)));
    // Keys asked for another buffer than the one just described: parsed afresh.
    expect(sortKeysOf(one)).toBe(sortKeysOfMessage(one));
    expect(sortKeysOf(two)).toBe(sortKeysOfMessage(two));
  });
});
