import { describe, expect, it } from 'vitest';
import { ImapWireError } from './errors.js';
import { decodeMailboxName, encodeMailboxName } from './mutf7.js';

describe('modified UTF-7 (RFC 3501 5.1.3)', () => {
  it.each([
    ['INBOX', 'INBOX'],
    ['A & B', 'A &- B'],
    ['&', '&-'],
    ['Entwürfe', 'Entw&APw-rfe'],
    // RFC 3501 5.1.3 example.
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
    ['Отправленные', '&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-'],
    ['emoji 📬', 'emoji &2D3c7A-'],
    ['tab\there', 'tab&AAk-here'],
    ['', ''],
  ])('%j <-> %j', (name, wire) => {
    expect(encodeMailboxName(name)).toBe(wire);
    expect(decodeMailboxName(wire)).toBe(name);
  });

  it.each([
    ['Entw&APw', 'Invalid mailbox name: unterminated "&" shift in mailbox name'],
    ['a&Jjo!-', 'Invalid mailbox name: invalid base64 in mailbox name'],
    ['a&AGE-', 'Invalid mailbox name: printable ASCII must not be base64-encoded in mailbox name'],
    ['a&2D3-', 'Invalid mailbox name: lone surrogate in mailbox name'],
    ['a&APw', 'Invalid mailbox name: unterminated "&" shift in mailbox name'],
    ['a&AP-', 'Invalid mailbox name: truncated modified UTF-7 in mailbox name'],
    ['a&APx-', 'Invalid mailbox name: non-canonical modified UTF-7 in mailbox name'],
    ['a&APw-&APw-', 'Invalid mailbox name: non-canonical modified UTF-7 in mailbox name'],
    ['a&AP/-', 'Invalid mailbox name: invalid base64 in mailbox name'],
    ['Grüße', 'Invalid mailbox name: mailbox name must be 7-bit printable (modified UTF-7)'],
    ['a\r\nb', 'Invalid mailbox name: mailbox name must be 7-bit printable (modified UTF-7)'],
  ])('rejects %j', (wire, message) => {
    expect(() => decodeMailboxName(wire)).toThrow(ImapWireError);
    expect(() => decodeMailboxName(wire)).toThrow(message);
  });
});
