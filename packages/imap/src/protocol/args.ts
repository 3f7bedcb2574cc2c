/** Argument readers shared by several commands: mailbox names, flags, date-time, sequence sets. */
import { ImapWireError } from './errors.js';
import { parseDateTime } from './imap-date.js';
import { decodeMailboxName } from './mutf7.js';
import type { ArgReader } from './reader.js';
import { parseSequenceSet, type SequenceArg } from './sequence-set.js';
import { isAtomChar, isListChar } from './syntax.js';

/** RFC 3501 5.1: INBOX is case-insensitive; every other name is case-sensitive. */
export const INBOX = 'INBOX';

export function normalizeMailboxName(name: string): string {
  return name.toUpperCase() === INBOX ? INBOX : name;
}

/** RFC 3501 9: mailbox = "INBOX" / astring, in modified UTF-7 (5.1.3); returned decoded. */
export function readMailbox(reader: ArgReader): string {
  const wire = reader.readAstring('a mailbox name');
  return normalizeMailboxName(reader.utf8Names ? utf8MailboxName(wire) : decodeMailboxName(wire));
}

/**
 * RFC 6855 3: with UTF8=ACCEPT a mailbox name is UTF-8 as sent (Net-Unicode, RFC 5198: NFC, no
 * controls); `&` is itself. Octets that are not UTF-8 arrive as U+FFFD and make the name invalid.
 */
export function utf8MailboxName(wire: string): string {
  // eslint-disable-next-line no-control-regex
  if (wire.includes('\uFFFD') || /[\u0000-\u001f\u007f-\u009f]/.test(wire))
    throw new ImapWireError('BAD_MAILBOX_NAME', 'Invalid mailbox name: not UTF-8 text', { status: 'NO' });
  return wire.normalize('NFC');
}

/**
 * A LIST pattern that names no mailbox: what a pattern that is not valid modified UTF-7 becomes,
 * so LIST answers OK with no match (no stored name holds a NUL).
 */
export const UNMATCHABLE_PATTERN = '\u0000';

/** RFC 3501 9: list-mailbox = 1*list-char / string (may hold the `%` and `*` wildcards). */
export function readListMailbox(reader: ArgReader): string {
  const ch = reader.peek();
  const wire =
    ch === '"' || ch === '{' ? reader.readString() : reader.readWhile(isListChar, 'a mailbox pattern');
  try {
    return reader.utf8Names ? utf8MailboxName(wire) : decodeMailboxName(wire);
  } catch (error) {
    if (error instanceof ImapWireError && error.code === 'BAD_MAILBOX_NAME') return UNMATCHABLE_PATTERN;
    throw error;
  }
}

/** RFC 3501 2.3.2: system flags are matched case-insensitively; send them back canonical. */
const SYSTEM_FLAGS: ReadonlyMap<string, string> = new Map(
  ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', '\\Recent'].map((flag) => [
    flag.toLowerCase(),
    flag,
  ]),
);

/** RFC 3501 9: flag = "\Answered" / ... / flag-keyword / flag-extension ("\" atom). */
export function readFlag(reader: ArgReader): string {
  const backslash = reader.peek() === '\\';
  if (backslash) reader.expect('\\');
  const name = reader.readWhile(isAtomChar, 'a flag');
  if (!backslash) return name;
  const flag = `\\${name}`;
  return SYSTEM_FLAGS.get(flag.toLowerCase()) ?? flag;
}

/** RFC 3501 9: flag-list = "(" [flag *(SP flag)] ")". */
export function readFlagList(reader: ArgReader): string[] {
  return reader.readList(() => readFlag(reader));
}

/** RFC 3501 9: date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE. */
export function readDateTime(reader: ArgReader): Date {
  if (reader.peek() !== '"') throw reader.error('Expected a quoted date-time');
  return parseDateTime(reader.readQuoted());
}

/** RFC 3501 9: sequence-set, characters `0-9 : , *` (and `$` for RFC 5182). */
export function readSequence(reader: ArgReader, allowSaved: boolean): SequenceArg {
  const text = reader.readWhile((ch) => /[0-9:,*$]/.test(ch), 'a sequence set');
  return parseSequenceSet(text, { allowSaved });
}
