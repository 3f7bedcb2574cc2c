import { isAscii } from './bytes.js';
import type { ImapValue } from './types.js';

/**
 * A byte string (one char per raw octet) as an IMAP nstring. 8-bit octets go out unchanged as a
 * Buffer, so the compiler sends them in a literal exactly as they were in the message.
 */
export function imapString(s: string | null): ImapValue {
  if (s === null) return null;
  return isAscii(s) ? s : Buffer.from(s, 'latin1');
}

/** A Unicode string as an IMAP string: 7-bit stays a string, anything else goes out as UTF-8 octets. */
export function imapText(s: string): ImapValue {
  return isAscii(s) ? s : Buffer.from(s, 'utf8');
}
